"""The helpdesk in Urdu (issue #18): right to left, on a phone, in the browser's own language switch (Chromium)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.core.validation import parse
from helpdesk.email import intake, mailboxes
from helpdesk.identity import preferences
from helpdesk.identity import tokens as api_tokens
from helpdesk.identity.actor import forget_actor
from helpdesk.models import User
from helpdesk.tickets import conversation, macros, tickets
from helpdesk.tickets.validation import CommentDraft, MacroDraft, TicketChanges
from tests.e2e.conftest import open_page, signing_in
from tests.e2e.test_accessibility import serious_violations
from tests.e2e.test_phone_layout import PHONE, assert_fits, assert_on_screen
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DESKTOP = {"width": 1366, "height": 900}


def set_language(org: Org, user_id: int, language: str) -> None:
    with session_scope() as session:
        preferences.set_language(session, org.actor(user_id), language)
    forget_actor(user_id)


def language_of(user_id: int) -> str:
    with session_scope() as session:
        return session.get(User, user_id).language


def expect_document_in(page: Page, language: str) -> None:
    """`<html lang dir>` follow the page's language (set by an effect once the page has rendered)."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ur" else "ltr")


@pytest.fixture
def sign_in_on(web_app: str, browser, org: Org) -> Iterator:  # noqa: ANN001
    with signing_in(browser, web_app) as open_as:
        yield lambda email, viewport=DESKTOP: open_as(email, viewport=viewport)


def test_an_urdu_requester_files_a_ticket_from_a_phone_and_switches_back_to_english(sign_in_on, org: Org) -> None:  # noqa: ANN001
    set_language(org, org.alice, "ur")
    phone = sign_in_on("alice@example.org", PHONE)
    expect(phone).to_have_url(re.compile(r"/portal$"))
    expect(phone.get_by_role("heading", name="میرے ٹکٹ")).to_be_visible()
    expect_document_in(phone, "ur")
    # On a phone the links show their icons; their names are Urdu for a screen reader.
    expect(phone.get_by_role("navigation").get_by_role("link", name="نیا ٹکٹ")).to_be_visible()
    assert_fits(phone)
    assert serious_violations(phone) == []

    phone.get_by_role("navigation").get_by_role("link", name="نیا ٹکٹ").tap()
    phone.wait_for_url(re.compile(r"/portal/new$"))
    expect(phone.get_by_role("heading", name="مسئلہ رپورٹ کریں یا کچھ مانگیں")).to_be_visible()
    assert_fits(phone)
    assert serious_violations(phone) == []
    # A choice's tick sits at the start of the line, which in Urdu is the right, next to its text.
    phone.locator("#impact").tap()
    chosen = phone.locator(".rt-SelectItem[data-state=checked]")
    tick, text = (chosen.locator(".rt-SelectItemIndicator").bounding_box(),
                  chosen.locator(".rt-SelectItemText, span").last.bounding_box())
    assert tick["x"] > text["x"] + text["width"] - 1, (tick, text)
    phone.keyboard.press("Escape")
    # A title too short: the form says why in Urdu, the field's name and the sentence both.
    phone.fill("#title", "پر")
    phone.fill("#description", "صبح سے دوسری منزل کا پرنٹر کاغذ پھنسا رہا ہے اور کچھ نہیں چھاپتا۔")
    phone.get_by_test_id("submit-ticket").tap()
    expect(phone.get_by_test_id("error-title")).to_have_text("عنوان بہت مختصر ہے (کم از کم 5 حروف)")
    phone.fill("#title", "دفتر کا پرنٹر کام نہیں کر رہا")
    phone.fill("#description", "صبح سے دوسری منزل کا پرنٹر کاغذ پھنسا رہا ہے اور کچھ نہیں چھاپتا۔")
    phone.get_by_test_id("submit-ticket").tap()
    phone.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(phone.get_by_test_id("ticket-title")).to_have_text("دفتر کا پرنٹر کام نہیں کر رہا")
    expect(phone.get_by_text("نیا", exact=True).first).to_be_visible()  # the status, in Urdu
    expect(phone.get_by_test_id("reply-box")).to_have_attribute("placeholder", "آئی ٹی ٹیم کو جواب لکھیں…")
    assert_fits(phone)
    assert serious_violations(phone) == []

    open_page(phone, "/portal")
    row = phone.get_by_test_id("my-ticket-row").filter(has_text="دفتر کا پرنٹر کام نہیں کر رہا")
    expect(row).to_be_visible()
    expect(row).to_contain_text("کھولا گیا")  # "opened ... ago" in Urdu, dates by Babel
    assert_fits(phone)

    phone.get_by_test_id("user-menu").tap()
    phone.get_by_test_id("menu-language-en").tap()
    expect(phone.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(phone.get_by_test_id("my-ticket-row").first).to_contain_text("opened")
    expect_document_in(phone, "en")
    assert language_of(org.alice) == "en"
    assert_fits(phone)


def test_the_sign_in_page_switches_language_before_anyone_signs_in(web_app: str, browser, org: Org,  # noqa: ANN001
                                                                  tmp_path: Path) -> None:
    out = Path(os.environ.get("HELPDESK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport=PHONE, base_url=web_app, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        open_page(page, "/login")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.screenshot(path=str(out / "login-en-phone.png"))
        page.get_by_test_id("language-ur").tap()
        expect(page.get_by_role("heading", name="سائن اِن")).to_be_visible()
        expect_document_in(page, "ur")
        expect(page.get_by_test_id("sign-in")).to_have_text("سائن اِن")
        # Choosing a language did not submit the sign-in form (which would say "enter your e-mail address").
        expect(page.get_by_text("اپنا ای میل پتہ درج کریں۔")).to_have_count(0)
        assert_fits(page)
        assert serious_violations(page) == []
        page.screenshot(path=str(out / "login-ur-phone.png"))
        # The choice outlives a reload (a cookie); a wrong password is told in Urdu.
        open_page(page, "/login")
        expect(page.get_by_role("heading", name="سائن اِن")).to_be_visible()
        page.fill("#email", "bob@example.org")
        page.fill("#password", "not Bob's password")
        page.get_by_test_id("sign-in").tap()
        expect(page.get_by_role("alert")).to_have_text("یہ ای میل اور پاس ورڈ کسی فعال اکاؤنٹ سے میل نہیں کھاتے۔")
    finally:
        context.close()


def test_an_agent_works_the_queue_and_a_ticket_in_urdu(sign_in_on, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which monitor model is it?", internal=False))
    set_language(org, org.hank, "ur")
    page = sign_in_on("hank@example.org")
    expect(page.get_by_role("heading", name="ٹکٹوں کی قطار")).to_be_visible()
    expect(page.get_by_test_id("queue-row").first).to_be_visible()
    expect(page.get_by_role("columnheader", name="ترجیح")).to_be_visible()
    expect_document_in(page, "ur")
    assert_fits(page)
    assert serious_violations(page) == []
    open_page(page, f"/tickets/{ticket_id}")
    expect(page.get_by_role("button", name="جواب بھیجیں")).to_be_visible()
    expect(page.get_by_text("تاریخچہ")).to_be_visible()
    assert_fits(page)
    assert serious_violations(page) == []


SCREENS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.mark.parametrize("screen", SCREENS)
@pytest.mark.parametrize("language", ["en", "ur"])
def test_every_page_fits_in_both_languages(sign_in_on, org: Org, language: str, screen: str,  # noqa: ANN001
                                           tmp_path: Path) -> None:
    """The portal, ticket, knowledge base and queue pages at 1366 and 390 px in English and Urdu: nothing scrolls
    sideways and the document runs in the language's direction. Screenshots go to HELPDESK_SCREENSHOTS (if set) or
    the test's tmp_path, to be looked at."""
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Laptop screen flickers when the dock is plugged in", category_id=org.hardware)).id
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which monitor model is it?", internal=False))
    out = Path(os.environ.get("HELPDESK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    for email, user_id, pages in (
            ("alice@example.org", org.alice, [("portal", "/portal", "my-ticket-row"),
                                              ("new-ticket", "/portal/new", "submit-ticket"),
                                              ("ticket-requester", f"/tickets/{ticket_id}", "reply-box"),
                                              ("kb", "/kb", "kb-search")]),
            ("hank@example.org", org.hank, [("queue", "/queue", "queue-row"),
                                            ("ticket-agent", f"/tickets/{ticket_id}", "status-select")])):
        set_language(org, user_id, language)
        page = sign_in_on(email, SCREENS[screen])
        for name, path, ready in pages:
            open_page(page, path)
            expect(page.get_by_test_id(ready).first).to_be_visible()
            expect_document_in(page, language)
            assert_fits(page)
            page.screenshot(path=str(out / f"{name}-{language}-{screen}.png"), full_page=True)


# The administration console, page by page: (screenshot name, path, a test id that shows the page has its data,
# the page's heading in Urdu).
ADMIN_PAGES_UR = [
    ("admin-overview", "/admin", "admin-tile-users", "انتظامیہ"),
    ("admin-users", "/admin/users", "user-row", "صارفین"),
    ("admin-teams", "/admin/teams", "team-row", "ٹیمیں"),
    ("admin-categories", "/admin/categories", "category-row", "زمرے"),
    ("admin-sla", "/admin/sla", "sla-preview", "SLA پالیسیاں اور کاروباری اوقات"),
    ("admin-canned", "/admin/canned-responses", "new-canned", "تیار شدہ جوابات"),
    ("admin-mailboxes", "/admin/mailboxes", "new-mailbox", "میل باکسز"),
    ("admin-held-mail", "/admin/held-mail", "held-page-label", "روکی گئی میل"),
    ("admin-ai", "/admin/ai", "stat-predictions", "اے آئی چھانٹی"),
    ("admin-settings", "/admin/settings", "save-settings", "ترتیبات"),
    ("admin-api-tokens", "/admin/api-tokens", "account-row", "API ٹوکن"),
    ("admin-audit", "/admin/audit", "audit-row", "آڈٹ لاگ"),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "urdu-admin"

# Elements that stick out of the screen on either side, outside any box that scrolls or clips them (in a right-to-left
# page, what sticks out on the right does not widen the page's scroll width, so assert_fits alone misses it).
OFF_SCREEN = """() => {
    const width = window.innerWidth, out = [];
    const clipped = (el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX !== 'visible' || s.position === 'fixed') return true;
        }
        return false;
    };
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
        if ((r.left < -1 || r.right > width + 1) && !clipped(el))
            out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return out.slice(0, 5);
}"""


def _admin_world(org: Org) -> None:
    """Something on every admin page: a mailbox, a held message, a service account with a token."""
    with session_scope() as session:
        mailboxes.add_mailbox(session, name="IT inbox", address="it@example.org", imap_host="imap.example.org",
                              username="it", secret="not the real one", team_id=org.hardware_team)
        outcome = intake.ingest(session, "From: stranger@elsewhere.example\r\nTo: it@example.org\r\n"
                                         "Subject: Printer offline on floor 3\r\n\r\nIt says offline.\r\n")
        assert outcome.outcome == "held"
        account = api_tokens.create_service_account(session, org.actor(org.root), name="Monitoring")
        api_tokens.create_token(session, org.actor(org.root), name="Uptime checks", scopes=["tickets:read"],
                                user_id=account.id)


@pytest.mark.parametrize("screen", SCREENS)
def test_an_admin_runs_the_console_in_urdu(sign_in_on, org: Org, screen: str) -> None:  # noqa: ANN001
    """Every admin page in Urdu, right to left, nothing off-screen at 1366 and 390 px; screenshots of each go to
    test-artifacts/urdu-admin/. Messages made on the server (a field error from the domain, a notice) are Urdu too."""
    _admin_world(org)
    set_language(org, org.root, "ur")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = sign_in_on("root@example.org", SCREENS[screen])
    for name, path, ready, heading in ADMIN_PAGES_UR:
        open_page(page, path)
        expect(page.get_by_test_id(ready).first).to_be_attached()
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        expect_document_in(page, "ur")
        assert_fits(page)
        assert page.evaluate(OFF_SCREEN) == [], name
        page.screenshot(path=str(ARTIFACTS / f"{name}-ur-{screen}.png"), full_page=True)

    # The section navigation and a table speak Urdu; codes the server sends (a role) are shown as Urdu words.
    open_page(page, "/admin/users")
    expect(page.get_by_test_id("admin-nav-audit-log")).to_have_text("آڈٹ لاگ")
    expect(page.get_by_role("columnheader", name="آخری سائن اِن")).to_be_attached()
    expect(page.get_by_test_id("user-row").filter(has_text="root@example.org").get_by_test_id("user-role")
           ).to_have_text("منتظم")
    # A field error from the domain and the notice after saving, in Urdu.
    page.get_by_test_id("open-invite").click()
    page.fill("#field-email", "alice@example.org")
    page.get_by_test_id("send-invitation").click()
    expect(page.get_by_test_id("field-error-email")).to_have_text("اس ای میل کا اکاؤنٹ پہلے سے موجود ہے۔")
    page.screenshot(path=str(ARTIFACTS / f"admin-invite-dialog-ur-{screen}.png"))
    page.fill("#field-email", "nina@example.org")
    page.fill("#field-full_name", "نینا خان")
    page.get_by_test_id("send-invitation").click()
    # Sending the invitation e-mail is queued in the same transaction: on a busy machine it takes a few seconds.
    expect(page.get_by_test_id("admin-notice")).to_have_text("nina@example.org کو دعوت بھیج دی گئی۔", timeout=30000)
    expect(page.get_by_test_id("dialog-invite")).to_have_count(0)  # closed, its overlay gone, before axe reads colours
    # The notice at the top, not under the sticky top bar (axe would read its colours through the bar's backdrop).
    page.get_by_test_id("admin-notice").scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"admin-invited-ur-{screen}.png"))
    assert_fits(page)


# Elements inside a box that scroll it sideways (the box and anything in it wider than it shows; a box of 1 px is
# text for screen readers only).
NO_SIDEWAYS_SCROLL = """(box) => [box, ...box.querySelectorAll('*')]
    .filter(el => getComputedStyle(el).overflowX !== 'visible' && el.clientWidth > 1
                  && el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el.tagName.toLowerCase()}.${el.className}: ${el.scrollWidth} > ${el.clientWidth}`)"""
# Chart tick labels that stick out of their plot's box (drawn, so cut off).
LABELS_OUTSIDE_THEIR_CHART = """() => {
    const out = [];
    for (const plot of document.querySelectorAll('[data-testid=chart-plot] .js-plotly-plot')) {
        const box = plot.getBoundingClientRect();
        for (const label of plot.querySelectorAll('.xtick text, .ytick text')) {
            const r = label.getBoundingClientRect();
            if (r.width && (r.left < box.left - 1 || r.right > box.right + 1)) out.push(label.textContent);
        }
    }
    return out;
}"""
CHEVRON_ON_THE_LEFT = """(trigger) => {
    const icon = trigger.querySelector('svg').getBoundingClientRect(), box = trigger.getBoundingClientRect();
    return icon.right < box.left + box.width / 2;
}"""


def _show_every_chart(page: Page) -> None:
    """The report charts are drawn when scrolled near: bring each into view before a full-page screenshot."""
    for card in page.get_by_test_id("chart-title").all():
        card.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    page.evaluate("() => window.scrollTo(0, 0)")


@pytest.mark.parametrize("screen", SCREENS)
def test_agent_and_report_pages_in_urdu(sign_in_on, org: Org, screen: str, tmp_path: Path) -> None:  # noqa: ANN001
    """An agent's macros, file-for-someone, KB editor and notifications pages, and a manager's reports, in Urdu:
    the words, the tab title, the bell's entries and the charts' titles, legends and axes; right to left, nothing
    scrolling sideways at 390 px. Screenshots (1366 and 390 px) go to HELPDESK_SCREENSHOTS or tmp_path."""
    set_language(org, org.hank, "ur")
    set_language(org, org.mona, "ur")
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="VPN disconnects every ten minutes", category_id=org.hardware))
        number = ticket.number
        # Written when it happens, in the reader's language: hank reads Urdu.
        tickets.update_ticket(session, org.actor(org.root), ticket.id, TicketChanges(assignee_id=org.hank))
        macros.create_macro(session, org.actor(org.hank), parse(MacroDraft, {
            "name": "Ask for the VPN client version", "actions": {"status": "waiting_on_customer",
                                                                  "add_tags": ["vpn"]}}))
    out = Path(os.environ.get("HELPDESK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    size = "1366" if screen == "desktop" else "390"

    page = sign_in_on("hank@example.org", SCREENS[screen])
    checks = (
        ("macros", "/macros", "macro-row", "میکرو"),
        ("file-for", "/queue/new", "person-search", "کسی کی جانب سے ٹکٹ درج کریں"),
        ("kb-editor", "/kb/new", "kb-editor", "نیا مضمون"),
        ("notifications", "/notifications", "notification-row", "اطلاعات"),
    )
    for name, path, ready, heading in checks:
        open_page(page, path)
        expect(page.get_by_test_id(ready).first).to_be_visible()
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        expect(page).to_have_title(re.compile(r"آئی ٹی ہیلپ ڈیسک$"))
        expect_document_in(page, "ur")
        assert_fits(page)
        page.screenshot(path=str(out / f"urdu-{name}-{size}.png"), full_page=True)
        assert_fits(page)  # again, once the Urdu face has loaded (the KB editor grew wider then)
        if name == "macros":
            expect(page.get_by_test_id("macro-row")).to_contain_text("صرف میں")
            expect(page.get_by_test_id("macro-row")).to_contain_text("حالت ← صارف کے جواب کا انتظار")
            # The table fits the screen (on a phone its rows stack) rather than scrolling sideways in its box.
            assert page.get_by_test_id("macros-scroll").evaluate(NO_SIDEWAYS_SCROLL) == []
            assert_on_screen(page, page.get_by_test_id("edit-macro"))
        elif name == "file-for":
            expect(page.get_by_role("button", name="ٹکٹ درج کریں")).to_be_visible()
        elif name == "kb-editor":
            expect(page.get_by_role("button", name="مسودہ محفوظ کریں")).to_be_visible()
            expect(page).to_have_title("نیا مضمون · آئی ٹی ہیلپ ڈیسک")
        else:
            row = page.get_by_test_id("notification-row").first
            expect(row).to_contain_text(f"نے #{number} VPN disconnects every ten minutes آپ کو تفویض کیا")
            expect(page.get_by_test_id("mark-read").first).to_have_text("پڑھا ہوا کریں")
    assert serious_violations(page) == []

    page = sign_in_on("mona@example.org", SCREENS[screen])
    # One word for AI: the navigation says what the AI pages say.
    expect(page.get_by_role("navigation").get_by_role("link", name="اے آئی", exact=True)).to_be_attached()
    for name in ("volume", "sla"):
        open_page(page, f"/reports/{name}")
        expect(page.get_by_test_id("report-filters")).to_be_visible()
        expect(page.get_by_test_id("chart-title").first).to_be_visible()
        expect_document_in(page, "ur")
        _show_every_chart(page)
        assert_fits(page)
        page.screenshot(path=str(out / f"urdu-reports-{name}-{size}.png"), full_page=True)
        # Every chart's labels inside its card (the Urdu status names down the side were cut off on the left), the
        # date axis in Urdu months, and no zoom buttons on a phone (a grey band across each chart).
        expect(page.locator("[data-testid=chart-plot] .xtick text").first).to_be_attached()
        assert page.evaluate(LABELS_OUTSIDE_THEIR_CHART) == []
        ticks = " ".join(page.locator("[data-testid=chart-plot] .xtick text").all_text_contents())
        assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", ticks), ticks
        if screen == "phone":
            expect(page.locator(".modebar-container").first).to_be_hidden()
    # The date axis of the weekly chart: Urdu month names.
    expect(page.get_by_test_id("chart-plot").first.locator(".xtick text").first).to_have_text(
        re.compile(r"(جنوری|فروری|مارچ|اپریل|مئی|جون|جولائی|اگست|ستمبر|اکتوبر|نومبر|دسمبر)"))
    # A select reads right to left: its chevron on the left, its menu's text on the right.
    trigger = page.get_by_test_id("report-filters").get_by_role("combobox").last
    assert trigger.evaluate(CHEVRON_ON_THE_LEFT), "the select's chevron is not on its left"
    trigger.click()
    expect(page.get_by_role("listbox")).to_have_attribute("dir", "rtl")
    assert page.get_by_role("option").first.evaluate("el => getComputedStyle(el).direction") == "rtl"
    page.keyboard.press("Escape")
    # The SLA report: its heading, a chart's title, legend and axis title, and the numbers' column headers in Urdu.
    expect(page.get_by_role("heading", name="SLA کی پابندی", exact=True).first).to_be_visible()
    expect(page.get_by_test_id("chart-title").first).to_have_text(re.compile(r"^فی (دن|ہفتہ|مہینہ) SLA کی پابندی$"))
    plot = page.get_by_test_id("chart-plot").first
    expect(plot.locator(".legendtext").first).to_have_text("پہلا جواب بروقت (%)")
    expect(plot.locator(".ytitle")).to_have_text("% پورا")
    page.get_by_test_id("toggle-table").first.click()
    expect(page.get_by_test_id("chart-table").first.get_by_role("columnheader").nth(1)).to_have_text(
        "پہلا جواب بروقت (%)")
    expect(page).to_have_title("SLA کی پابندی · رپورٹس · آئی ٹی ہیلپ ڈیسک")
    assert serious_violations(page) == []
