"""Replies and internal notes on a ticket, each with the files that came with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, BinaryIO

from sqlmodel import Session

from helpdesk.core import audit, events
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity.actor import Actor
from helpdesk.models import Comment, Status, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.tickets import attachments, tickets
from helpdesk.tickets.events import CommentAdded
from helpdesk.tickets.validation import CommentDraft

# A file that comes with a message: (file name, content type, the bytes or an open file read in chunks).
NewFile = tuple[str, str, bytes | BinaryIO]


def list_comments(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    """The conversation the actor may read, each message with the files that came with it (`attachments`)."""
    ticket = tickets.get_for(session, actor, ticket_id)
    rows = tickets.comment_rows(session, actor, ticket)
    files_by_comment: dict[int, list[dict[str, Any]]] = {}
    for row in attachments.visible_rows(session, actor, ticket):
        if row["comment_id"] is not None:
            files_by_comment.setdefault(row["comment_id"], []).append(row)
    return [row | {"attachments": files_by_comment.get(row["id"], [])} for row in rows]


def add_comment(
    session: Session, actor: Actor, ticket_id: int, draft: CommentDraft, *, now: datetime | None = None,
    files: Sequence[NewFile] = (),
) -> Comment:
    """A reply or internal note, with the files that come with it (stored through attachments.add_attachment, so
    every upload rule applies). A staff reply is the first response; a requester reply on a ticket waiting on
    them, or on a resolved one (it is not fixed), puts it back in the agents' queue and restarts the SLA clocks."""
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    works_ticket = tickets.can_work(actor, ticket)
    if draft.internal and not works_ticket:
        raise PermissionDenied("Only agents working this ticket can add internal notes.")
    if not tickets.can_reply(actor, ticket):
        if ticket.status == Status.CLOSED:
            raise PermissionDenied("This ticket is closed. Please file a new ticket.")
        raise PermissionDenied("You can't reply on this ticket.")
    if len(files) > attachments.MAX_FILES_PER_UPLOAD:
        raise ValidationFailed({"attachments": NF_("Attach at most {count} files.",
                                                   count=attachments.MAX_FILES_PER_UPLOAD)})

    now = now or utcnow()
    comment = Comment(ticket_id=ticket.id, author_id=actor.user_id, body=draft.body, is_internal=draft.internal,
                      created_at=now)
    session.add(comment)
    session.flush()
    for filename, content_type, data in files:
        attachments.add_attachment(session, actor, ticket.id, filename, content_type, data, comment_id=comment.id)

    previous_status = ticket.status
    # A follower shares the problem, so their answer (or "still broken") counts like the requester's.
    from_requester = not works_ticket and (actor.user_id == ticket.requester_id or tickets.is_follower(actor, ticket))
    if not draft.internal and works_ticket and actor.user_id != ticket.requester_id:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN.value
    elif from_requester and ticket.status in (Status.WAITING_ON_CUSTOMER, Status.RESOLVED):
        # The requester answered (or says it is not fixed): back into the agents' queue.
        tickets.apply_status(ticket, Status.OPEN.value, now)
    ticket.updated_at = now
    session.add(ticket)
    session.add(
        TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="note" if draft.internal else "reply",
                    new_value=str(comment.id), created_at=now)
    )
    if previous_status != ticket.status:
        session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="changed", field="status",
                                old_value=previous_status, new_value=ticket.status, created_at=now))
        # After the event is added: the recompute reads the status history to find the pause that just ended.
        sla.recompute(session, ticket, now)
    audit.record(session, "comment.create", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"comment_id": comment.id, "internal": draft.internal, "files": len(files)})
    events.publish(session, CommentAdded(ticket, comment, draft.internal))
    tickets.mark_changed(session, ticket, "note" if draft.internal else "reply")
    return comment
