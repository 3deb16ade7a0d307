"""Related tickets: an undirected link between two tickets, shown on both."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, select

from helpdesk.core import audit
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.identity.actor import Actor
from helpdesk.models import Ticket, TicketEvent, TicketLink
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets


def _ordered(ticket_id: int, other_id: int) -> tuple[int, int]:
    """Each link is stored once, lower id first (the table's check constraint insists)."""
    return (ticket_id, other_id) if ticket_id < other_id else (other_id, ticket_id)


def _workable_pair(session: Session, actor: Actor, ticket_id: int, other_id: int) -> tuple[Ticket, Ticket]:
    if ticket_id == other_id:
        raise ValidationFailed({"related_ticket_id": "A ticket can't be related to itself."})
    # Locked lower id first, like merges, so concurrent link changes on a pair queue up instead of deadlocking.
    low, high = _ordered(ticket_id, other_id)
    locked = {i: tickets.get_for(session, actor, i, lock=True) for i in (low, high)}
    ticket, other = locked[ticket_id], locked[other_id]
    # A link shows on both tickets, so it changes both: the actor must be able to work each.
    if not (tickets.can_work(actor, ticket) and tickets.can_work(actor, other)):
        raise PermissionDenied("You can only relate tickets you can work on.")
    return ticket, other


def _record(session: Session, actor: Actor, ticket: Ticket, other: Ticket, kind: str, now: datetime) -> None:
    for this, that in ((ticket, other), (other, ticket)):
        linked = kind == "linked"
        session.add(TicketEvent(ticket_id=this.id, actor_id=actor.user_id, kind=kind, field="related_ticket_id",
                                old_value=None if linked else str(that.id), new_value=str(that.id) if linked else None,
                                created_at=now))
        this.updated_at = now
        session.add(this)
        tickets.mark_changed(session, this, kind)
    audit.record(session, f"ticket.{'link' if kind == 'linked' else 'unlink'}", actor_id=actor.user_id,
                 entity_type="ticket", entity_id=str(ticket.id), details={"related_ticket_id": other.id})


def link(session: Session, actor: Actor, ticket_id: int, related_ticket_id: int) -> bool:
    """Relates two tickets; returns False (and changes nothing) when they already are."""
    ticket, other = _workable_pair(session, actor, ticket_id, related_ticket_id)
    low, high = _ordered(ticket.id, other.id)
    if session.get(TicketLink, (low, high)) is not None:
        return False
    now = utcnow()
    session.add(TicketLink(ticket_id=low, related_ticket_id=high, created_by_id=actor.user_id, created_at=now))
    _record(session, actor, ticket, other, "linked", now)
    return True


def unlink(session: Session, actor: Actor, ticket_id: int, related_ticket_id: int) -> None:
    """Removes the relation; NotFound when the tickets are not related."""
    ticket, other = _workable_pair(session, actor, ticket_id, related_ticket_id)
    existing = session.get(TicketLink, _ordered(ticket.id, other.id))
    if existing is None:
        raise NotFound("These tickets are not related.")
    session.delete(existing)
    _record(session, actor, ticket, other, "unlinked", utcnow())


def related(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    """The tickets related to one the actor may read, limited to those the actor may read too, by number."""
    ticket = tickets.get_for(session, actor, ticket_id)
    rows = session.exec(
        select(Ticket.id, Ticket.number, Ticket.title, Ticket.status)
        .join(TicketLink, or_(
            and_(TicketLink.ticket_id == ticket.id, TicketLink.related_ticket_id == Ticket.id),
            and_(TicketLink.related_ticket_id == ticket.id, TicketLink.ticket_id == Ticket.id),
        ))
        .where(tickets.visible_to(actor))
        .order_by(Ticket.number)
    ).all()
    return [{"id": row.id, "number": row.number, "title": row.title, "status": row.status} for row in rows]
