"""Agent tools in Chromium: SLA badges and filter, bulk changes, canned responses, linking and merging."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from helpdesk.core.db import session_scope
from helpdesk.models import Ticket
from helpdesk.models.base import utcnow
from helpdesk.tickets import canned_responses, tickets
from helpdesk.tickets.validation import CannedResponseDraft, TicketChanges
from tests.e2e.conftest import open_page
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def file(org: Org, title: str, requester: int | None = None) -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(requester or org.alice),
                                     draft(title=title, category_id=org.hardware)).id


def test_breached_tickets_are_badged_and_filterable(sign_in, org: Org) -> None:  # noqa: ANN001
    late = file(org, "Overdue printer ticket")
    file(org, "Fresh mouse ticket")
    with session_scope() as session:
        ticket = session.get(Ticket, late)
        ticket.sla_resolution_due = utcnow() - timedelta(hours=3)
        ticket.sla_resolution_breached_at = utcnow() - timedelta(hours=3)
        session.add(ticket)
    page = sign_in("hank@example.org")
    late_row = page.get_by_test_id("queue-row").filter(has_text="Overdue printer ticket")
    expect(late_row.get_by_test_id("sla-badge")).to_contain_text("Overdue")
    page.get_by_label("SLA state").click()
    page.get_by_role("option", name="Breached").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(late_row).to_be_visible()


def test_bulk_status_change_on_selected_rows(sign_in, org: Org) -> None:  # noqa: ANN001
    first, second = file(org, "Bulk ticket one"), file(org, "Bulk ticket two")
    untouched = file(org, "Bulk ticket three")
    page = sign_in("hank@example.org")
    for title in ("Bulk ticket one", "Bulk ticket two"):
        page.get_by_test_id("queue-row").filter(has_text=title).get_by_test_id("row-select").click()
    expect(page.get_by_test_id("bulk-bar")).to_contain_text("2 selected")
    page.get_by_test_id("bulk-status").click()
    page.get_by_role("option", name="In progress").click()
    expect(page.get_by_text("Updated 2 tickets.")).to_be_visible()
    with session_scope() as session:
        statuses = {tid: session.get(Ticket, tid).status for tid in (first, second, untouched)}
    assert statuses == {first: "in_progress", second: "in_progress", untouched: "new"}


def test_canned_response_link_and_merge_from_the_ticket_page(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        body = "Hi {{ requester.first_name }}, which room is ticket #{{ ticket.number }} about?"
        canned_responses.create(session, org.actor(org.root), CannedResponseDraft(title="Need details", body=body))
    original = file(org, "Projector flickers in room 2")
    related = file(org, "Room 2 speakers hum")
    duplicate = file(org, "Projector in room 2 flickering", requester=org.bob)
    with session_scope() as session:
        numbers = {tid: session.get(Ticket, tid).number for tid in (original, related, duplicate)}

    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{original}")
    page.get_by_test_id("canned-select").click()
    page.get_by_role("option", name="Need details").click()
    expect(page.get_by_test_id("reply-box")).to_have_value(
        f"Hi Alice, which room is ticket #{numbers[original]} about?")

    page.get_by_test_id("link-number").fill(str(numbers[related]))
    page.get_by_test_id("link-button").click()
    expect(page.get_by_test_id("related-ticket")).to_contain_text("Room 2 speakers hum")

    open_page(page, f"/tickets/{duplicate}")
    page.get_by_test_id("merge-number").fill(str(numbers[original]))
    page.get_by_test_id("merge-button").click()
    page.get_by_test_id("confirm-merge").click()
    page.wait_for_url(re.compile(rf"/tickets/{original}$"))
    expect(page.get_by_test_id("comment").filter(has_text=f"Merged #{numbers[duplicate]}")).to_be_visible()
    expect(page.get_by_test_id("followers")).to_have_text("Bob Requester")
    with session_scope() as session:
        merged = session.get(Ticket, duplicate)
        assert (merged.status, merged.merged_into_id) == ("closed", original)

    # Bob, whose request was the duplicate, is sent on to the ticket it continues on, sees it among his tickets
    # and can add to it.
    bob = sign_in("bob@example.org")
    open_page(bob, f"/tickets/{duplicate}")
    expect(bob.get_by_test_id("merged-into")).to_contain_text(f"#{numbers[original]}")
    bob.get_by_test_id("merged-into").get_by_role("link").click()
    bob.wait_for_url(re.compile(rf"/tickets/{original}$"))
    bob.get_by_test_id("reply-box").fill("Mine flickers too since Monday")
    bob.get_by_test_id("send-reply").click()
    expect(bob.get_by_test_id("comment").filter(has_text="Mine flickers too since Monday")).to_be_visible()
    open_page(bob, "/portal")
    followed = bob.get_by_test_id("my-ticket-row").filter(has_text="Projector flickers in room 2")
    expect(followed.get_by_test_id("followed-marker")).to_contain_text("reported by Alice Requester")
    # A change to the followed ticket reaches Bob's list by itself.
    expect(followed).to_contain_text("New")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), original, TicketChanges(status="in_progress"))
    expect(followed).to_contain_text("In progress", timeout=5000)
