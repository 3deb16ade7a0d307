"""The ticket rules on real PostgreSQL and Redis: who sees what, who may change what, and what is recorded."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog, Comment, OutboxJob, Ticket, TicketEvent
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft


def file_ticket(org: Org, requester: int, **kwargs) -> int:  # noqa: ANN003
    # Only staff set critical (issue #13): an agent files such a ticket for the requester.
    filer = org.hank if kwargs.get("priority") == "critical" else requester
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(filer), draft(**kwargs), requester_id=requester).id


def test_new_ticket_is_numbered_routed_by_category_and_given_deadlines(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.laptops, priority="high")
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.number >= 1001
        assert ticket.status == "new"
        assert ticket.team_id == org.hardware_team
        assert ticket.sla_first_response_due > ticket.created_at
        assert ticket.sla_resolution_due > ticket.sla_first_response_due
        events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)).all()
        assert [e.kind for e in events] == ["created"]
        assert session.exec(select(AuditLog).where(AuditLog.action == "ticket.create")).one().actor_id == org.alice
        job = session.exec(select(OutboxJob).where(OutboxJob.queue == "email")).one()
        assert job.task_name == "email.ticket_acknowledgement" and job.args == {"ticket_id": ticket_id}


def test_unknown_category_is_a_field_error_and_creates_nothing(org: Org) -> None:
    with pytest.raises(ValidationFailed) as caught:
        file_ticket(org, org.alice, category_id=99999)
    assert "category_id" in caught.value.field_errors
    with session_scope() as session:
        assert session.exec(select(Ticket)).all() == []


def test_requester_cannot_read_or_comment_on_another_requesters_ticket(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice)
    bob = org.actor(org.bob)
    with session_scope() as session:
        with pytest.raises(NotFound):
            tickets.ticket_detail(session, bob, ticket_id)
        with pytest.raises(NotFound):
            conversation.list_comments(session, bob, ticket_id)
    with pytest.raises(NotFound), session_scope() as session:
        conversation.add_comment(session, bob, ticket_id, CommentDraft(body="me too"))
    with pytest.raises(NotFound), session_scope() as session:
        tickets.update_ticket(session, bob, ticket_id, TicketChanges(status="closed"))
    with session_scope() as session:
        page = tickets.list_tickets(session, bob, tickets.TicketFilters())
        assert page.rows == []
        assert session.exec(select(Comment)).all() == []


def test_requester_cannot_change_fields_of_own_ticket(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice)
    with pytest.raises(PermissionDenied), session_scope() as session:
        tickets.update_ticket(session, org.actor(org.alice), ticket_id, TicketChanges(priority="critical"))


def test_agents_see_their_teams_queue_and_untriaged_tickets_only(org: Org) -> None:
    hardware_ticket = file_ticket(org, org.alice, category_id=org.hardware)
    access_ticket = file_ticket(org, org.alice, category_id=org.access, title="Cannot log in to VPN")
    untriaged = file_ticket(org, org.bob, title="Something odd happened")
    with session_scope() as session:
        hank_ids = {r["id"] for r in tickets.list_tickets(session, org.actor(org.hank), tickets.TicketFilters()).rows}
        mona_ids = {r["id"] for r in tickets.list_tickets(session, org.actor(org.mona), tickets.TicketFilters()).rows}
        with pytest.raises(NotFound):
            tickets.ticket_detail(session, org.actor(org.hank), access_ticket)
    assert hank_ids == {hardware_ticket, untriaged}
    assert mona_ids == {hardware_ticket, access_ticket, untriaged}


def test_manager_reads_everything_but_changes_nothing(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    mona = org.actor(org.mona)
    with session_scope() as session:
        assert tickets.ticket_detail(session, mona, ticket_id)["can_work"] is False
    with pytest.raises(PermissionDenied), session_scope() as session:
        tickets.update_ticket(session, mona, ticket_id, TicketChanges(status="open"))
    with pytest.raises(PermissionDenied), session_scope() as session:
        conversation.add_comment(session, mona, ticket_id, CommentDraft(body="hello"))
    with pytest.raises(PermissionDenied), session_scope() as session:
        tickets.create_ticket(session, mona, draft())


def test_agent_changes_are_recorded_field_by_field(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    hank = org.actor(org.hank)
    with session_scope() as session:
        tickets.update_ticket(session, hank, ticket_id,
                              TicketChanges(assignee_id=org.hank, priority="high", status="in_progress"))
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert (ticket.assignee_id, ticket.priority, ticket.status) == (org.hank, "high", "in_progress")
        changes = {(e.field, e.old_value, e.new_value) for e in session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind != "created"))}
        assert changes == {("assignee_id", None, str(org.hank)), ("priority", "medium", "high"),
                           ("status", "new", "in_progress")}
        history = tickets.history(session, hank, ticket_id)
        assert {h["actor"] for h in history} == {"Alice Requester", "Hank Hardware"}


def test_assignee_must_be_on_the_team(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(assignee_id=org.ada))
    assert caught.value.field_errors == {"assignee_id": "That agent is not on the ticket's team."}


def test_resolving_and_reopening_sets_and_clears_timestamps(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    hank = org.actor(org.hank)
    with session_scope() as session:
        tickets.update_ticket(session, hank, ticket_id, TicketChanges(status="resolved"))
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).resolved_at is not None
    # The requester says it is not fixed: the reply reopens the ticket.
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.alice), ticket_id, CommentDraft(body="Still broken"))
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.status == "open" and ticket.resolved_at is None


def test_first_public_agent_reply_counts_as_first_response(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    hank = org.actor(org.hank)
    with session_scope() as session:
        conversation.add_comment(session, hank, ticket_id, CommentDraft(body="Looking", internal=True))
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).first_responded_at is None
    with session_scope() as session:
        conversation.add_comment(session, hank, ticket_id, CommentDraft(body="On it, restart please"))
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.first_responded_at is not None and ticket.status == "open"


def test_internal_notes_are_hidden_from_requesters(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="User has an old driver", internal=True))
        conversation.add_comment(session, org.actor(org.hank), ticket_id, CommentDraft(body="Please reboot"))
    with session_scope() as session:
        seen_by_alice = [c["body"] for c in conversation.list_comments(session, org.actor(org.alice), ticket_id)]
        seen_by_hank = [c["body"] for c in conversation.list_comments(session, org.actor(org.hank), ticket_id)]
    assert seen_by_alice == ["Please reboot"]
    assert seen_by_hank == ["User has an old driver", "Please reboot"]
    with pytest.raises(PermissionDenied), session_scope() as session:
        conversation.add_comment(session, org.actor(org.alice), ticket_id, CommentDraft(body="x", internal=True))


def test_closed_tickets_take_no_replies(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(status="closed"))
    with pytest.raises(PermissionDenied, match="closed"), session_scope() as session:
        conversation.add_comment(session, org.actor(org.alice), ticket_id, CommentDraft(body="hello?"))


def test_keyset_pages_cover_every_ticket_exactly_once(org: Org) -> None:
    ids = {file_ticket(org, org.alice, title=f"Ticket number {i:02d}") for i in range(23)}
    for sort in ("newest", "oldest", "updated", "priority"):
        seen: list[int] = []
        cursor = None
        while True:
            with session_scope() as session:
                page = tickets.list_tickets(session, org.actor(org.root), tickets.TicketFilters(), sort=sort,
                                            cursor=cursor, limit=5)
            seen += [r["id"] for r in page.rows]
            cursor = page.next_cursor
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 23 and set(seen) == ids, sort


def test_filters_and_counts(org: Org) -> None:
    first = file_ticket(org, org.alice, category_id=org.laptops, priority="critical", title="Laptop on fire")
    file_ticket(org, org.alice, category_id=org.hardware, priority="low", title="Mouse squeaks")
    file_ticket(org, org.bob, category_id=org.access, priority="low", title="Password expired")
    root = org.actor(org.root)
    with session_scope() as session:
        tickets.update_ticket(session, root, first, TicketChanges(status="in_progress"))
    with session_scope() as session:
        def ids(**kwargs) -> set[int]:  # noqa: ANN003
            return {r["id"] for r in tickets.list_tickets(session, root, tickets.TicketFilters(**kwargs)).rows}

        assert ids(priorities=["critical"]) == {first}
        assert ids(category_id=org.hardware) == ids(team_id=org.hardware_team)  # parent includes children
        assert len(ids(category_id=org.hardware)) == 2
        assert ids(text="laptop") == {first}
        first_number = session.get(Ticket, first).number
        assert ids(text=f"#{first_number}") == {first}
        assert ids(text="%") == set()  # LIKE wildcards are literal
        assert len(ids(unassigned=True)) == 3
        counts = tickets.status_counts(session, root, tickets.TicketFilters(priorities=["low"]))
        assert counts["new"] == 2 and counts["in_progress"] == 0
    with pytest.raises(ValidationFailed), session_scope() as session:
        tickets.list_tickets(session, root, tickets.TicketFilters(statuses=["bogus"]))


def test_counts_refresh_after_a_change(org: Org) -> None:
    root = org.actor(org.root)
    ticket_id = file_ticket(org, org.alice)
    with session_scope() as session:
        assert tickets.status_counts(session, root, tickets.TicketFilters())["new"] == 1
    with session_scope() as session:
        tickets.update_ticket(session, root, ticket_id, TicketChanges(status="open"))
    with session_scope() as session:
        counts = tickets.status_counts(session, root, tickets.TicketFilters())
    assert counts["new"] == 0 and counts["open"] == 1


def test_a_failed_change_rolls_back_everything(org: Org) -> None:
    ticket_id = file_ticket(org, org.alice, category_id=org.hardware)
    with pytest.raises(ValidationFailed), session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(priority="high", assignee_id=org.ada))
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).priority == "medium"
        assert len(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)).all()) == 1

