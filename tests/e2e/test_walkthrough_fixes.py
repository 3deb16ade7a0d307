"""The walk-through's bugs (#18), each as a person meets it in Chromium."""

from __future__ import annotations

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from helpdesk.core.db import session_scope
from helpdesk.models import Ticket
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketChanges
from tests.e2e.conftest import open_page
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def file(org: Org, title: str, category_id: int | None = None) -> Ticket:
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice),
                                       draft(title=title, category_id=category_id or org.hardware))
        session.expunge(ticket)
        return ticket


def test_moving_a_ticket_to_another_team_goes_back_to_the_queue(sign_in, org: Org) -> None:  # noqa: ANN001
    ticket = file(org, "Badge reader at the side door")
    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{ticket.id}")
    page.click("[data-testid=team-select]")
    page.get_by_role("option", name="Access").click()
    page.wait_for_url(re.compile(r"/queue$"))
    expect(page.get_by_text("It moved out of your queue")).to_be_visible()
    expect(page.get_by_text("Ticket not found")).to_have_count(0)
    with session_scope() as session:
        assert session.get(Ticket, ticket.id).team_id == org.access_team


def test_a_manager_reading_an_open_ticket_is_not_told_it_is_closed(sign_in, org: Org) -> None:  # noqa: ANN001
    ticket = file(org, "Monitor arm is loose")
    page = sign_in("mona@example.org")
    open_page(page, f"/tickets/{ticket.id}")
    expect(page.get_by_test_id("ticket-title")).to_have_text("Monitor arm is loose")
    expect(page.get_by_test_id("reply-note")).to_contain_text("You can read this ticket")
    expect(page.get_by_text("This ticket is closed")).to_have_count(0)
    expect(page.get_by_test_id("add-note")).to_have_count(0)


def test_a_ticket_is_found_by_the_number_people_see(sign_in, org: Org) -> None:  # noqa: ANN001
    ticket = file(org, "Old resolved scanner problem")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket.id, TicketChanges(status="resolved"))
    file(org, "Another open ticket")
    page = sign_in("hank@example.org")
    expect(page.get_by_test_id("tab-open")).to_contain_text("Unresolved")
    expect(page.get_by_test_id("tab-status_open")).to_contain_text("Open")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    for query in (f"#{ticket.number}", str(ticket.number)):
        page.get_by_test_id("queue-search").fill(query)
        expect(page.get_by_test_id("queue-row")).to_have_count(1)
        expect(page.get_by_test_id("queue-row")).to_contain_text("Old resolved scanner problem")
    open_page(page, f"/tickets/{ticket.number}")
    page.wait_for_url(re.compile(rf"/tickets/{ticket.id}$"))
    expect(page.get_by_test_id("ticket-title")).to_have_text("Old resolved scanner problem")


def test_bulk_change_counts_what_changed(sign_in, org: Org) -> None:  # noqa: ANN001
    done = file(org, "Bulk already in progress")
    file(org, "Bulk still new")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), done.id, TicketChanges(status="in_progress"))
    page = sign_in("hank@example.org")
    for title in ("Bulk already in progress", "Bulk still new"):
        page.get_by_test_id("queue-row").filter(has_text=title).get_by_test_id("row-select").click()
    page.get_by_test_id("bulk-status").click()
    page.get_by_role("option", name="In progress").click()
    expect(page.get_by_text("Updated 1 ticket; 1 already had it.")).to_be_visible()


def test_unknown_addresses_get_a_styled_page_and_the_app_has_a_favicon(web_app: str, sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("alice@example.org")
    open_page(page, "/no/such/page")
    expect(page.get_by_test_id("not-found")).to_contain_text("Page not found")
    expect(page.get_by_role("navigation").get_by_role("link", name="My tickets")).to_be_visible()
    expect(page).to_have_title(re.compile("Page not found"))
    for path in ("/favicon.ico", "/favicon.svg"):
        with urllib.request.urlopen(web_app + path, timeout=10) as response:
            assert response.status == 200 and len(response.read()) > 100
