"""CSAT in Chromium: the rating link from the "resolved" e-mail records a rating (and a comment) that the manager's
CSAT report shows."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from helpdesk.core.db import session_scope
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketChanges
from tests.e2e.conftest import open_page
from tests.factories import Org, draft
from tests.processes import mail_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_rating_link_in_the_e_mail_records_a_rating_the_csat_report_shows(
        org: Org, web_app: str, browser, sign_in, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Headset crackles",
                                                                            category_id=org.laptops))
        number = ticket.number
        tickets.update_ticket(session, org.actor(org.hank), ticket.id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))
    mail = inbox.wait_for(lambda m: f"[#{number}] Resolved" in (m["Subject"] or ""), timeout=60)
    link = next(word for word in mail_text(mail).split() if "rating=good" in word)
    target = urlparse(link)

    # The requester clicks "Good" in the e-mail: no sign-in needed, the link is signed.
    context = browser.new_context(base_url=web_app)
    page = context.new_page()
    open_page(page, f"{target.path}?{target.query}")
    expect(page.get_by_test_id("csat-recorded-rating")).to_have_text("good")
    page.get_by_test_id("csat-comment").fill("Fixed within the hour, thanks!")
    page.get_by_test_id("csat-send").click()
    expect(page.get_by_test_id("csat-comment-saved")).to_be_visible()
    # A tampered link records nothing.
    open_page(page, f"{target.path}?{target.query.replace('rating=good', 'rating=bad')[:-3]}xyz")
    expect(page.get_by_text("This link does not work")).to_be_visible()
    context.close()

    manager = sign_in("mona@example.org")
    open_page(manager, "/reports/csat")
    figures = manager.get_by_test_id("report-figure")
    expect(figures.filter(has_text="Satisfaction")).to_contain_text("100.0 %")
    expect(figures.filter(has_text="Ratings")).to_contain_text("1")
    expect(manager.get_by_text("Fixed within the hour, thanks!")).to_be_visible()
    expect(manager.get_by_test_id("report-nav-csat")).to_be_visible()


def _fits_the_screen(page) -> bool:  # noqa: ANN001
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _screenshot(page, name: str) -> None:  # noqa: ANN001
    import os
    from pathlib import Path

    if folder := os.environ.get("CSAT_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_a_requester_rates_a_resolved_ticket_on_its_portal_page_on_a_phone(
        org: Org, web_app: str, browser, sign_in) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(title="Printer jams on tray 2",
                                                                            category_id=org.laptops))
        ticket_id = ticket.id
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))

    # The agent who works it is not asked to rate it.
    agent = sign_in("hank@example.org")
    open_page(agent, f"/tickets/{ticket_id}")
    expect(agent.get_by_test_id("ticket-title")).to_have_text("Printer jams on tray 2")
    expect(agent.get_by_test_id("csat-prompt")).to_have_count(0)

    alice = sign_in("alice@example.org")
    alice.set_viewport_size({"width": 390, "height": 844})
    open_page(alice, f"/tickets/{ticket_id}")
    prompt = alice.get_by_test_id("csat-prompt")
    expect(prompt).to_be_visible()
    expect(prompt).to_contain_text("How did we do?")
    assert _fits_the_screen(alice)
    _screenshot(alice, "csat-prompt-390")
    alice.get_by_test_id("csat-bad").click()
    expect(alice.get_by_test_id("csat-thanks")).to_be_visible()
    expect(alice.get_by_test_id("csat-bad")).to_have_attribute("aria-pressed", "true")
    alice.get_by_test_id("csat-comment").fill("It jammed again the next morning.")
    alice.get_by_test_id("csat-send").click()
    expect(alice.get_by_test_id("csat-comment-saved")).to_be_visible()
    assert _fits_the_screen(alice)
    _screenshot(alice, "csat-rated-390")

    # Back later, on a wide screen: the page remembers the choice and the comment.
    alice.set_viewport_size({"width": 1366, "height": 900})
    open_page(alice, f"/tickets/{ticket_id}")
    expect(alice.get_by_test_id("csat-bad")).to_have_attribute("aria-pressed", "true")
    expect(alice.get_by_test_id("csat-comment")).to_have_value("It jammed again the next morning.")
    _screenshot(alice, "csat-rated-1366")

    manager = sign_in("mona@example.org")
    open_page(manager, "/reports/csat")
    figures = manager.get_by_test_id("report-figure")
    expect(figures.filter(has_text="Ratings")).to_contain_text("1")
    expect(figures.filter(has_text="Satisfaction")).to_contain_text("0.0 %")
    expect(manager.get_by_text("It jammed again the next morning.")).to_be_visible()


def test_everyone_finds_their_email_notifications_in_the_user_menu(org: Org, web_app: str, sign_in) -> None:
    agent = sign_in("hank@example.org")
    agent.get_by_test_id("user-menu").click()
    _screenshot(agent, "user-menu-agent-1366")
    agent.get_by_test_id("my-notifications").click()
    agent.wait_for_url("**/settings/notifications")
    expect(agent.get_by_role("heading", name="E-mail notifications")).to_be_visible()
    expect(agent.get_by_test_id("prefs-work")).to_be_visible()

    # Requesters choose the e-mails about their own requests (and have no work switches).
    requester = sign_in("alice@example.org")
    requester.get_by_test_id("user-menu").click()
    expect(requester.get_by_test_id("all-notifications")).to_be_visible()
    requester.get_by_test_id("my-notifications").click()
    requester.wait_for_url("**/settings/notifications")
    expect(requester.get_by_test_id("prefs-requests")).to_be_visible()
    expect(requester.get_by_test_id("prefs-work")).to_have_count(0)
