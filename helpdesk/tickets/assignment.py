"""Who gets a ticket that lands in a team's queue unassigned, and the switches that steer it.

A team's `assignment_mode` picks an active, available agent of the team: `round_robin` takes the next member
(in membership order) after the one who got the previous ticket, `least_open` the member with the fewest open
tickets (ties: the one whose last ticket from this team is longest ago, then the lowest id). `manual` leaves the
ticket for a person to assign. A ticket that already has an assignee is never reassigned automatically.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import audit
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import OPEN_STATUSES, AssignmentMode, Role, Team, TeamMembership, Ticket, TicketEvent, User
from helpdesk.models.base import utcnow

ASSIGNMENT_MODES = tuple(mode.value for mode in AssignmentMode)


def _members_in_order(session: Session, team_id: int) -> list[tuple[int, bool, datetime | None]]:
    """(user id, may take tickets now, last assigned from this team) for every agent member, in membership order."""
    rows = session.exec(
        select(User.id, User.is_active, User.is_available, TeamMembership.last_assigned_at)
        .join(TeamMembership, TeamMembership.user_id == User.id)
        .where(TeamMembership.team_id == team_id, User.role == Role.AGENT.value)
        .order_by(TeamMembership.created_at, User.id)
    ).all()
    return [(user_id, is_active and is_available, last_assigned_at)
            for user_id, is_active, is_available, last_assigned_at in rows]


def _next_in_rotation(members: list[tuple[int, bool, datetime | None]], last_user_id: int | None) -> int | None:
    order = [user_id for user_id, _, _ in members]
    eligible = {user_id for user_id, can_take, _ in members if can_take}
    if not eligible:
        return None
    start = order.index(last_user_id) + 1 if last_user_id in order else 0
    # The member list, rotated to begin just after the previous pick; unavailable members are passed over.
    return next(user_id for user_id in order[start:] + order[:start] if user_id in eligible)


def _least_loaded(session: Session, members: list[tuple[int, bool, datetime | None]]) -> int | None:
    candidates = {user_id: last_assigned_at for user_id, can_take, last_assigned_at in members if can_take}
    if not candidates:
        return None
    open_counts = dict(session.exec(
        select(Ticket.assignee_id, func.count())
        .where(Ticket.assignee_id.in_(list(candidates)), Ticket.status.in_([s.value for s in OPEN_STATUSES]),
               Ticket.deleted_at.is_(None))
        .group_by(Ticket.assignee_id)
    ).all())

    def load(user_id: int) -> tuple[int, float, int]:
        last = candidates[user_id]
        # Never assigned sorts first; otherwise the earlier the last assignment, the sooner the turn.
        return open_counts.get(user_id, 0), last.timestamp() if last else float("-inf"), user_id

    return min(candidates, key=load)


def auto_assign(session: Session, ticket: Ticket, now: datetime | None = None) -> int | None:
    """Assigns the ticket per its team's mode; returns the agent's id, or None when it stays unassigned."""
    if ticket.assignee_id is not None or ticket.team_id is None:
        return None
    team = session.get(Team, ticket.team_id)
    if team is None or team.assignment_mode == AssignmentMode.MANUAL:
        return None
    # Serialise picks within a team, so two tickets filed at once do not both go to the same "next" agent.
    team = session.exec(select(Team).where(Team.id == team.id).with_for_update()).one()
    members = _members_in_order(session, team.id)
    if team.assignment_mode == AssignmentMode.ROUND_ROBIN:
        agent_id = _next_in_rotation(members, team.last_assigned_user_id)
    else:
        agent_id = _least_loaded(session, members)
    if agent_id is None:
        return None
    now = now or utcnow()
    ticket.assignee_id = agent_id
    session.add(ticket)
    team.last_assigned_user_id = agent_id
    session.add(team)
    note_assignment(session, team.id, agent_id, now)
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=None, kind="assigned", field="assignee_id",
                            new_value=str(agent_id), created_at=now))
    audit.record(session, "ticket.auto_assign", actor_id=None, entity_type="ticket", entity_id=str(ticket.id),
                 details={"team_id": team.id, "mode": team.assignment_mode, "assignee_id": agent_id})
    return agent_id


def note_assignment(session: Session, team_id: int | None, user_id: int | None, now: datetime) -> None:
    """Remembers when a member last got one of the team's tickets (manual assignments count too)."""
    if team_id is None or user_id is None:
        return
    membership = session.get(TeamMembership, (team_id, user_id))
    if membership is not None:
        membership.last_assigned_at = now
        session.add(membership)


# ---------------------------------------------------------------- settings


def set_availability(session: Session, actor: Actor, available: bool) -> None:
    """An agent (or admin) marks themselves available or away; away agents get no automatic assignments."""
    if not actor.is_staff:
        raise PermissionDenied("Only IT staff have an availability.")
    user = session.get(User, actor.user_id)
    if user is None:
        raise PermissionDenied("Your account is not active.")
    if user.is_available == available:
        return
    user.is_available = available
    session.add(user)
    audit.record(session, "user.availability", actor_id=actor.user_id, entity_type="user",
                 entity_id=str(actor.user_id), details={"available": available})


def set_assignment_mode(session: Session, actor: Actor, team_id: int, mode: str) -> Team:
    """Admins, and the team's lead, choose how the team's new tickets are assigned."""
    if not policy.works_tickets(actor):
        raise PermissionDenied("Only administrators and team leads can change how tickets are assigned.")
    team = session.get(Team, team_id)
    if team is None:
        raise ValidationFailed({"team_id": "Choose a team from the list."})
    if not policy.is_admin(actor) and team.lead_id != actor.user_id:
        raise PermissionDenied("Only administrators and the team's lead can change how tickets are assigned.")
    if mode not in ASSIGNMENT_MODES:
        raise ValidationFailed({"assignment_mode": f"Choose one of: {', '.join(ASSIGNMENT_MODES)}."})
    if team.assignment_mode != mode:
        audit.record(session, "team.assignment_mode", actor_id=actor.user_id, entity_type="team",
                     entity_id=str(team.id), details={"old": team.assignment_mode, "new": mode})
        team.assignment_mode = mode
        session.add(team)
    return team
