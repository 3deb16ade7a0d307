"""Accessibility (axe-core, vendored in tests/e2e/vendor) and static-file caching of the real app (Chromium)."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpdesk import routes
from helpdesk.core.db import session_scope
from helpdesk.kb import articles
from helpdesk.reports.data import REPORTS
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft
from tests.e2e.conftest import open_page
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.14.1 from the npm registry (MPL-2.0)


def serious_violations(page: Page) -> list[str]:
    page.wait_for_timeout(500)  # the data has arrived; let the last render settle
    # Evaluated, not added as an inline <script>: the pages' CSP (rightly) refuses inline scripts it has no hash for.
    page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text())
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.impact} ${v.id}: ${v.nodes.map(n => `${n.target.join(' ')} ${n.html.slice(0, 120)}`)
            .slice(0, 5).join(', ')}`)""")
    return [f"{page.url}: {line}" for line in found]


def a_ticket(org: Org) -> int:
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Which monitor model is it?", internal=False))
    return ticket_id


def test_portal_pages_have_no_serious_violations_for_a_requester(sign_in, org: Org) -> None:  # noqa: ANN001
    ticket_id = a_ticket(org)
    page = sign_in("alice@example.org")
    problems = []
    for path, ready in (("/portal", "my-ticket-row"), ("/portal/new", "submit-ticket"),
                        (f"/tickets/{ticket_id}", "reply-box"), ("/kb", "kb-search")):
        open_page(page, path)
        expect(page.get_by_test_id(ready).first).to_be_visible()
        problems += serious_violations(page)
    assert problems == []


def test_agent_pages_have_no_serious_violations(sign_in, org: Org) -> None:  # noqa: ANN001
    ticket_id = a_ticket(org)
    page = sign_in("hank@example.org")
    problems = []
    for path, ready in (("/queue", "queue-row"), (f"/tickets/{ticket_id}", "status-select"), ("/kb", "kb-search")):
        open_page(page, path)
        expect(page.get_by_test_id(ready).first).to_be_visible()
        problems += serious_violations(page)
    assert problems == []
    # Every ticket-page control has a name a screen reader reads out.
    open_page(page, f"/tickets/{ticket_id}")
    expect(page.get_by_role("combobox", name="Status")).to_be_visible()
    expect(page.get_by_role("combobox", name="Priority")).to_be_visible()


def pages_problems(page: Page, paths: list[str]) -> list[str]:
    """axe's serious and critical findings on each page, once its content (the h1 drawn after on_load) is in."""
    problems = []
    for path in paths:
        open_page(page, path)
        expect(page.locator("main h1").first).to_be_visible()
        problems += serious_violations(page)
    return problems


def test_report_pages_have_no_serious_violations(sign_in, org: Org) -> None:  # noqa: ANN001
    a_ticket(org)
    page = sign_in("mona@example.org")
    paths = [f"{routes.REPORTS}/{name}" for name in REPORTS]
    problems = []
    for path in paths:
        open_page(page, path)
        expect(page.get_by_test_id("report-figure").first).to_be_visible()
        # The charts draw after Plotly's bundle arrives: check them too, not just the page around them.
        expect(page.locator("[data-testid=chart-plot] .main-svg, [data-testid=chart-table]").first).to_be_visible()
        problems += serious_violations(page)
    problems += pages_problems(page, [routes.REPORT_SCHEDULES])
    assert problems == []


def test_admin_pages_have_no_serious_violations(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("root@example.org")
    assert pages_problems(page, [
        routes.ADMIN, routes.ADMIN_USERS, routes.ADMIN_TEAMS, routes.ADMIN_CATEGORIES, routes.ADMIN_SLA,
        routes.ADMIN_CANNED, routes.ADMIN_SETTINGS, routes.ADMIN_AUDIT, routes.ADMIN_API, routes.ADMIN_MAILBOXES,
        routes.ADMIN_HELD_MAIL, routes.AI_ADMIN, routes.MACROS, routes.MY_SETTINGS, routes.MY_NOTIFICATIONS,
    ]) == []


def test_kb_editor_pages_have_no_serious_violations(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        article = articles.create_article(session, org.actor(org.mona), articles.ArticleDraft(
            title="Reset a forgotten VPN password", body_markdown="## Steps\n\n1. Open the **portal**\n2. Reset",
            tags=["vpn"]))
        article_id = article.id
    page = sign_in("mona@example.org")
    problems = []
    for path in (routes.KB_NEW, routes.kb_edit_url(article_id)):
        open_page(page, path)
        expect(page.get_by_test_id("kb-editor")).to_be_visible()
        problems += serious_violations(page)
    problems += pages_problems(page, [routes.KB_WRITERS, routes.KB_CATEGORIES])
    assert problems == []


def test_skip_link_landmarks_and_visible_focus(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("alice@example.org")
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("main")).to_have_count(1)
    page.keyboard.press("Tab")
    skip = page.get_by_test_id("skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    page.keyboard.press("Tab")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


def test_hashed_assets_are_cached_for_a_year_other_static_files_for_a_week(web_app: str) -> None:
    with urllib.request.urlopen(f"{web_app}/login", timeout=10) as response:
        html = response.read().decode()
    hashed = re.search(r'(/assets/[^"\']+\.(?:js|css))', html)
    assert hashed, "the login page links no /assets/ file"
    with urllib.request.urlopen(web_app + hashed.group(1), timeout=10) as response:
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        plain = response.read()
    # The build keeps brotli and gzip copies of every file; each browser gets the smallest it accepts.
    for accepted, encoding in (("br, gzip", "br"), ("gzip", "gzip")):
        request = urllib.request.Request(web_app + hashed.group(1), headers={"Accept-Encoding": accepted})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == encoding
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
            assert "Accept-Encoding" in (response.headers.get("Vary") or "")
            assert len(response.read()) < len(plain) / 2
    for path in ("/app.css", "/favicon.ico"):
        with urllib.request.urlopen(web_app + path, timeout=10) as response:
            assert response.headers["Cache-Control"] == "public, max-age=604800"
    with urllib.request.urlopen(f"{web_app}/ready", timeout=10) as response:
        assert "immutable" not in (response.headers.get("Cache-Control") or "")
