"""Automatic assignment per team, the status life cycle, auto-close and bulk changes, on real PostgreSQL and Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog, Team, Ticket, TicketEvent, User
from helpdesk.tickets import assignment, tickets
from helpdesk.tickets.validation import TicketChanges
from tests.factories import Org, add_agent, draft

MONDAY = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)  # 10:00 in Karachi


def file_ticket(org: Org, category_id: int | None, at: datetime = MONDAY, requester: int | None = None) -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(requester or org.alice), draft(category_id=category_id),
                                     now=at).id


def assignee_of(ticket_id: int) -> int | None:
    with session_scope() as session:
        return session.get(Ticket, ticket_id).assignee_id


def set_mode(org: Org, team_id: int, mode: str) -> None:
    with session_scope() as session:
        assignment.set_assignment_mode(session, org.actor(org.root), team_id, mode)


def set_available(org: Org, user_id: int, available: bool) -> None:
    with session_scope() as session:
        assignment.set_availability(session, org.actor(user_id), available)


# ---------------------------------------------------------------- automatic assignment


def test_round_robin_takes_turns_and_passes_over_unavailable_agents(sla_org: Org) -> None:
    org = sla_org
    second = add_agent(org.hardware_team, "harry@example.org", "Harry Hardware")
    away = add_agent(org.hardware_team, "hugo@example.org", "Hugo Away", available=False)
    add_agent(org.hardware_team, "gone@example.org", "Gone Agent", active=False)
    set_mode(org, org.hardware_team, "round_robin")

    assigned = [assignee_of(file_ticket(org, org.laptops)) for _ in range(4)]
    assert assigned == [org.hank, second, org.hank, second]

    set_available(org, away, True)
    set_available(org, org.hank, False)
    assert [assignee_of(file_ticket(org, org.hardware)) for _ in range(3)] == [away, second, away]

    with session_scope() as session:
        ticket_id = session.exec(select(Ticket.id).order_by(Ticket.id)).first()
        (event,) = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                          TicketEvent.kind == "assigned")).all()
        assert (event.actor_id, event.field, event.new_value) == (None, "assignee_id", str(org.hank))
        audit = session.exec(select(AuditLog).where(AuditLog.action == "ticket.auto_assign",
                                                    AuditLog.entity_id == str(ticket_id))).one()
        assert audit.actor_id is None and audit.details["mode"] == "round_robin"
        assert session.get(Ticket, ticket_id).status == "new"  # nobody has looked at it yet


def test_least_open_picks_the_lightest_load_then_the_longest_idle(sla_org: Org) -> None:
    org = sla_org
    second = add_agent(org.access_team, "aria@example.org", "Aria Access")
    add_agent(org.access_team, "andy@example.org", "Andy Away", available=False)
    add_agent(org.access_team, "old@example.org", "Old Account", active=False)
    root = org.actor(org.root)
    # While the team assigns by hand: Ada gets two tickets, Aria one (Aria most recently).
    for agent, minutes in ((org.ada, 1), (org.ada, 2), (second, 3)):
        ticket_id = file_ticket(org, org.access)
        with session_scope() as session:
            tickets.update_ticket(session, root, ticket_id, TicketChanges(assignee_id=agent),
                                  now=MONDAY + timedelta(minutes=minutes))
    set_mode(org, org.access_team, "least_open")

    assert assignee_of(file_ticket(org, org.access, MONDAY + timedelta(minutes=10))) == second  # 1 open vs 2
    # Now 2 each: Ada has waited longer since her last ticket from the team.
    assert assignee_of(file_ticket(org, org.access, MONDAY + timedelta(minutes=11))) == org.ada
    assert assignee_of(file_ticket(org, org.access, MONDAY + timedelta(minutes=12))) == second

    # Resolved tickets do not count as load.
    with session_scope() as session:
        ada_tickets = session.exec(select(Ticket.id).where(Ticket.assignee_id == org.ada)).all()
    for ticket_id in ada_tickets:
        with session_scope() as session:
            tickets.update_ticket(session, root, ticket_id, TicketChanges(status="resolved"))
    assert assignee_of(file_ticket(org, org.access, MONDAY + timedelta(minutes=13))) == org.ada


def test_nobody_available_leaves_the_ticket_unassigned(sla_org: Org) -> None:
    org = sla_org
    set_mode(org, org.hardware_team, "least_open")
    set_available(org, org.hank, False)
    ticket_id = file_ticket(org, org.hardware)
    assert assignee_of(ticket_id) is None
    with session_scope() as session:
        assert session.exec(select(TicketEvent).where(TicketEvent.kind == "assigned")).all() == []


def test_manual_assignment_always_wins(sla_org: Org) -> None:
    org = sla_org
    second = add_agent(org.hardware_team, "harry@example.org", "Harry Hardware")
    set_mode(org, org.hardware_team, "round_robin")
    root = org.actor(org.root)

    ticket_id = file_ticket(org, org.hardware)
    assert assignee_of(ticket_id) == org.hank
    with session_scope() as session:
        tickets.update_ticket(session, root, ticket_id, TicketChanges(assignee_id=second))
    with session_scope() as session:
        tickets.update_ticket(session, root, ticket_id, TicketChanges(priority="high"))
    assert assignee_of(ticket_id) == second

    # Moving an assigned ticket into a round-robin team keeps its assignee...
    access_ticket = file_ticket(org, org.access)
    with session_scope() as session:
        tickets.update_ticket(session, root, access_ticket, TicketChanges(assignee_id=org.root))
    with session_scope() as session:
        tickets.update_ticket(session, root, access_ticket, TicketChanges(team_id=org.hardware_team))
    assert assignee_of(access_ticket) == org.root
    # ...while an unassigned ticket moved there gets the next agent in turn.
    unassigned = file_ticket(org, org.access)
    with session_scope() as session:
        tickets.update_ticket(session, root, unassigned, TicketChanges(team_id=org.hardware_team))
    assert assignee_of(unassigned) == second  # the rotation last picked Hank; manual choices don't move it
    with session_scope() as session:
        kinds = session.exec(select(TicketEvent.actor_id).where(TicketEvent.ticket_id == unassigned,
                                                                TicketEvent.kind == "assigned")).all()
    assert kinds == [None]


def test_assignment_settings_permissions(sla_org: Org) -> None:
    org = sla_org
    with pytest.raises(PermissionDenied), session_scope() as session:
        assignment.set_availability(session, org.actor(org.alice), False)
    with pytest.raises(PermissionDenied), session_scope() as session:
        assignment.set_assignment_mode(session, org.actor(org.hank), org.hardware_team, "round_robin")
    with session_scope() as session:
        team = session.get(Team, org.hardware_team)
        team.lead_id = org.hank
        session.add(team)
    with session_scope() as session:
        assignment.set_assignment_mode(session, org.actor(org.hank), org.hardware_team, "round_robin")
    with pytest.raises(PermissionDenied), session_scope() as session:  # leads only steer their own team
        assignment.set_assignment_mode(session, org.actor(org.hank), org.access_team, "round_robin")
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        assignment.set_assignment_mode(session, org.actor(org.root), org.hardware_team, "random")
    assert "assignment_mode" in caught.value.field_errors
    with pytest.raises(PermissionDenied), session_scope() as session:
        assignment.set_assignment_mode(session, org.actor(org.mona), org.hardware_team, "manual")
    set_available(org, org.hank, False)
    with session_scope() as session:
        assert session.get(Team, org.hardware_team).assignment_mode == "round_robin"
        assert session.get(User, org.hank).is_available is False


# ---------------------------------------------------------------- life cycle


def _event_count(ticket_id: int) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(TicketEvent)
                            .where(TicketEvent.ticket_id == ticket_id)).one()


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        (["closed"], "open"),
        (["closed"], "resolved"),
        (["open"], "closed"),  # resolve first
        (["in_progress"], "new"),
        (["resolved"], "in_progress"),  # reopen goes back to open
    ],
)
def test_forbidden_transitions_are_field_errors_and_change_nothing(sla_org: Org, path: list[str],
                                                                    forbidden: str) -> None:
    org = sla_org
    ticket_id = file_ticket(org, org.hardware)
    for status in path:
        with session_scope() as session:
            tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(status=status))
    with session_scope() as session:
        before = session.get(Ticket, ticket_id).model_dump()
    events_before = _event_count(ticket_id)
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id,
                              TicketChanges(status=forbidden, priority="critical"))
    message = caught.value.field_errors["status"]
    assert f"can't move to {forbidden.replace('_', ' ')}" in message or "closed and can't change" in message
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).model_dump() == before
    assert _event_count(ticket_id) == events_before


def test_allowed_life_cycle_round_trip(sla_org: Org) -> None:
    org = sla_org
    ticket_id = file_ticket(org, org.hardware)
    for status in ("open", "in_progress", "waiting_on_customer", "open", "waiting_on_customer", "in_progress",
                   "resolved", "open", "resolved", "closed"):
        with session_scope() as session:
            tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(status=status))
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.status == "closed" and ticket.closed_at is not None and ticket.sla_paused_at is None


def test_resolved_tickets_close_after_the_configured_days(sla_org: Org) -> None:
    org = sla_org
    resolved_at = MONDAY
    old, recent, reopened = (file_ticket(org, org.hardware) for _ in range(3))
    for ticket_id, at in ((old, resolved_at), (recent, resolved_at + timedelta(days=3)), (reopened, resolved_at)):
        with session_scope() as session:
            tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(status="resolved"), now=at)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), reopened, TicketChanges(status="open"),
                              now=resolved_at + timedelta(days=1))

    assert tickets.close_resolved_tickets(resolved_at + timedelta(days=6, hours=23)) == []
    closing_time = resolved_at + timedelta(days=7, minutes=1)
    assert tickets.close_resolved_tickets(closing_time) == [old]
    assert tickets.close_resolved_tickets(closing_time) == []
    with session_scope() as session:
        closed = session.get(Ticket, old)
        assert (closed.status, closed.closed_at, closed.resolved_at) == ("closed", closing_time, resolved_at)
        event = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == old,
                                                       TicketEvent.new_value == "closed")).one()
        assert (event.actor_id, event.old_value) == (None, "resolved")
        assert session.exec(select(AuditLog).where(AuditLog.action == "ticket.auto_close")).one().actor_id is None
        assert session.get(Ticket, recent).status == "resolved"
        assert session.get(Ticket, reopened).status == "open"
    assert tickets.close_resolved_tickets(closing_time, after_days=3) == [recent]


# ---------------------------------------------------------------- bulk changes


def test_bulk_update_applies_per_ticket_rules(sla_org: Org) -> None:
    org = sla_org
    workable, also_workable = file_ticket(org, org.hardware), file_ticket(org, org.laptops)
    closed = file_ticket(org, org.hardware)
    other_queue = file_ticket(org, org.access)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), closed, TicketChanges(status="closed"))
    untouched = [closed, other_queue]
    with session_scope() as session:
        before = {t.id: t.model_dump() for t in session.exec(select(Ticket).where(Ticket.id.in_(untouched)))}

    with session_scope() as session:
        result = tickets.bulk_update(session, org.actor(org.hank),
                                     [workable, closed, other_queue, 999999, also_workable, workable],
                                     TicketChanges(status="in_progress", priority="high"))
    assert result.updated == [workable, also_workable]
    assert result.failed[other_queue] == result.failed[999999] == "not found"
    assert "closed" in result.failed[closed]
    assert set(result.failed) == {closed, other_queue, 999999}
    with session_scope() as session:
        for ticket_id in (workable, also_workable):
            ticket = session.get(Ticket, ticket_id)
            assert (ticket.status, ticket.priority) == ("in_progress", "high")
        after = {t.id: t.model_dump() for t in session.exec(select(Ticket).where(Ticket.id.in_(untouched)))}
        assert after == before
        assert session.exec(select(AuditLog).where(AuditLog.action == "ticket.bulk_update")).one().actor_id == org.hank


def test_bulk_update_limits(sla_org: Org) -> None:
    org = sla_org
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        tickets.bulk_update(session, org.actor(org.root), list(range(1, 202)), TicketChanges(status="open"))
    assert "ticket_ids" in caught.value.field_errors
    with pytest.raises(ValidationFailed), session_scope() as session:
        tickets.bulk_update(session, org.actor(org.root), [], TicketChanges(status="open"))
    ticket_id = file_ticket(org, org.hardware)
    for who in (org.alice, org.mona):
        with pytest.raises(PermissionDenied), session_scope() as session:
            tickets.bulk_update(session, org.actor(who), [ticket_id], TicketChanges(status="open"))
