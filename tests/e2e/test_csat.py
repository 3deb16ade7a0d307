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
