"""Dark mode follows the system setting (prefers-color-scheme): the main pages draw dark, axe finds no serious or
critical problem (contrast included) and nothing is wider than a phone; screenshots at 1366 and 390 px go to
test-artifacts/screenshots/dark-*.png (Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.e2e.conftest import open_page
from tests.e2e.test_accessibility import serious_violations
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SIZES = ((1366, 900), (390, 844))

# The colour behind the page: the first element from a point near the bottom-left corner up the tree that paints a
# background (the page shell, or the theme root on pages without one), as relative luminance (0 black, 1 white).
BACKGROUND_LUMINANCE = """() => {
    let node = document.elementFromPoint(2, window.innerHeight - 2);
    while (node) {
        const colour = getComputedStyle(node).backgroundColor;
        const parts = colour.match(/[\\d.]+/g) || [];
        if (parts.length >= 3 && (parts.length < 4 || Number(parts[3]) > 0.5)) {
            const [r, g, b] = parts.slice(0, 3).map(Number).map(v => v / 255)
                .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        }
        node = node.parentElement;
    }
    return 1;
}"""


def check_dark(page: Page, name: str) -> list[str]:
    """The page is drawn dark, has no serious accessibility problem, and fits both widths; a screenshot of each."""
    assert page.evaluate("document.documentElement.classList.contains('dark')"), f"{page.url}: not in dark mode"
    luminance = page.evaluate(BACKGROUND_LUMINANCE)
    assert luminance < 0.05, f"{page.url}: the background is light (luminance {luminance:.2f})"
    problems = serious_violations(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(500)  # charts redraw at the new width
        page.screenshot(path=str(SCREENSHOTS / f"dark-{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{page.url} at {width} px: {overflow} px wider than the screen"
    page.set_viewport_size({"width": SIZES[0][0], "height": SIZES[0][1]})
    return problems


def visit(page: Page, path: str, ready: str, name: str) -> list[str]:
    open_page(page, path)
    expect(page.get_by_test_id(ready).first).to_be_visible()
    return check_dark(page, name)


def test_sign_in_page_follows_a_dark_system_setting(web_app: str, browser) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=web_app, color_scheme="dark", viewport={"width": 1366, "height": 900})
    try:
        page = context.new_page()
        open_page(page, "/login")
        expect(page.get_by_test_id("sign-in")).to_be_visible()
        assert check_dark(page, "login") == []
    finally:
        context.close()
    # A light system setting still gets the light app.
    context = browser.new_context(base_url=web_app, color_scheme="light")
    try:
        page = context.new_page()
        open_page(page, "/login")
        assert page.evaluate("document.documentElement.classList.contains('light')")
        assert page.evaluate(BACKGROUND_LUMINANCE) > 0.8
    finally:
        context.close()


def test_requester_pages_in_dark_mode(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which monitor model is it?", internal=False))
    page = sign_in("alice@example.org", color_scheme="dark")
    problems = []
    # The notifications before the ticket: opening a ticket reads its news.
    for path, ready, name in (("/portal", "my-ticket-row", "portal"), ("/portal/new", "submit-ticket", "new-ticket"),
                              ("/notifications", "notification-row", "notifications"),
                              (f"/tickets/{ticket_id}", "reply-box", "ticket-requester"), ("/kb", "kb-search", "kb"),
                              ("/settings/notifications", "pref-request_reply", "preferences")):
        problems += visit(page, path, ready, name)
    assert problems == []


def test_staff_pages_in_dark_mode(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(assignee_id=org.hank))
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Checking the warranty first.", internal=True))
    problems = []
    page = sign_in("hank@example.org", color_scheme="dark")
    for path, ready, name in (("/queue", "queue-row", "queue"), (f"/tickets/{ticket_id}", "status-select", "ticket")):
        problems += visit(page, path, ready, name)
    page = sign_in("mona@example.org", color_scheme="dark")
    problems += visit(page, "/reports", "chart-plot", "reports")
    # The charts take the theme's text colour (they are built on the server without knowing the mode).
    chart_text = page.evaluate("getComputedStyle(document.querySelector('.js-plotly-plot .main-svg text')).fill")
    assert chart_text not in ("rgb(0, 0, 0)", "rgb(128, 131, 141)")  # not Plotly's black, nor the figure's neutral
    page = sign_in("root@example.org", color_scheme="dark")
    for path, ready, name in (("/admin", "admin-tile-users", "admin"), ("/admin/users", "user-row", "admin-users")):
        problems += visit(page, path, ready, name)
    assert problems == []
