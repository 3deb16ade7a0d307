"""IT people following tickets: they are told when a followed ticket changes (helpdesk/notifications, and e-mail if
they want it: helpdesk/email/agent_notifications.py). Following grants no access of its own."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from helpdesk.core import audit
from helpdesk.core.errors import PermissionDenied
from helpdesk.identity.actor import Actor
from helpdesk.models import TicketWatcher
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets


def follow(session: Session, actor: Actor, ticket_id: int) -> bool:
    """Starts following; False when the actor already followed it."""
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_follow(actor, ticket):
        raise PermissionDenied("Only the IT team can follow tickets.")
    added = session.exec(insert(TicketWatcher).values(ticket_id=ticket.id, user_id=actor.user_id, created_at=utcnow())
                         .on_conflict_do_nothing().returning(TicketWatcher.user_id)).first()
    if added is None:
        return False
    audit.record(session, "ticket.follow", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id))
    tickets.mark_changed(session, ticket, "follow")
    return True


def unfollow(session: Session, actor: Actor, ticket_id: int) -> bool:
    """Stops following (anyone may stop, even after losing access); False when the actor was not following."""
    row = session.get(TicketWatcher, (ticket_id, actor.user_id))
    if row is None:
        tickets.get_for(session, actor, ticket_id)  # NotFound for a ticket they may not read, as anywhere else
        return False
    session.delete(row)
    session.flush()
    audit.record(session, "ticket.unfollow", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket_id))
    return True


def watcher_ids(session: Session, ticket_id: int) -> list[int]:
    return list(session.exec(select(TicketWatcher.user_id).where(TicketWatcher.ticket_id == ticket_id)
                             .order_by(TicketWatcher.user_id)).all())
