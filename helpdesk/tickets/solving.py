"""The requester marks their own ticket solved (with an optional note to IT).

The ticket becomes resolved exactly as when an agent resolves it (history, SLA clocks stopped, the same
TicketFieldsChanged announcement, so the assignee and followers hear of it); replying afterwards reopens it, as a
requester's reply on any resolved ticket does (helpdesk/tickets/conversation.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from helpdesk.core import audit, events
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity.actor import Actor
from helpdesk.models import Comment, Status, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.tickets import tickets, workflow
from helpdesk.tickets.events import CommentAdded, TicketFieldsChanged

MAX_NOTE = 2000


def mark_solved(session: Session, actor: Actor, ticket_id: int, note: str = "", *,
                now: datetime | None = None) -> Ticket:
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    if ticket.requester_id != actor.user_id:
        raise PermissionDenied("Only the ticket's requester can mark it solved.")
    if not tickets.can_mark_solved(actor, ticket):
        raise ValidationFailed({"status": "This ticket is already resolved or closed."})
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationFailed({"note": NF_("Keep the note under {count} characters.", count=MAX_NOTE)})
    workflow.check_transition(ticket.status, Status.RESOLVED.value)
    now = now or utcnow()
    comment = None
    if note:
        # The note is a public reply, so it reads in the conversation like any other message of theirs.
        comment = Comment(ticket_id=ticket.id, author_id=actor.user_id, body=note, is_internal=False, created_at=now)
        session.add(comment)
        session.flush()
        session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="reply", new_value=str(comment.id),
                                created_at=now))
    previous = ticket.status
    tickets.apply_status(ticket, Status.RESOLVED.value, now)
    ticket.updated_at = now
    session.add(ticket)
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="changed", field="status",
                            old_value=previous, new_value=ticket.status, created_at=now))
    sla.recompute(session, ticket, now)
    audit.record(session, "ticket.requester_solved", actor_id=actor.user_id, entity_type="ticket",
                 entity_id=str(ticket.id), details={"from": previous, "note": bool(note)})
    if comment is not None:
        events.publish(session, CommentAdded(ticket, comment, False))
    events.publish(session, TicketFieldsChanged(ticket, actor, {"status": (previous, ticket.status)}, now))
    tickets.mark_changed(session, ticket, "solved")
    return ticket
