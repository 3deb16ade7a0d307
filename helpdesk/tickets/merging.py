"""Merging a duplicate ticket into the one the work continues on.

The duplicate's conversation and files move to the target, the duplicate is closed and points at the target, and
its requester (and anyone already following it) follows the target, so they can still read the public conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, select

from helpdesk.core import audit, events
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity.actor import Actor
from helpdesk.models import Attachment, Comment, Status, Ticket, TicketEvent, TicketFollower
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.tickets import tickets
from helpdesk.tickets.events import TicketsMerged

MAX_COMMENT_LENGTH = 20000


@dataclass
class MergeResult:
    duplicate: Ticket
    target: Ticket
    moved_comment_ids: list[int] = field(default_factory=list)
    moved_attachment_ids: list[int] = field(default_factory=list)
    new_follower_ids: list[int] = field(default_factory=list)


def _lock_pair(session: Session, actor: Actor, duplicate_id: int, target_id: int) -> tuple[Ticket, Ticket]:
    # Always lock the lower id first, so two merges of the same pair (either way round) cannot deadlock.
    locked = {ticket_id: tickets.get_for(session, actor, ticket_id, lock=True)
              for ticket_id in sorted((duplicate_id, target_id))}
    return locked[duplicate_id], locked[target_id]


def _check_mergeable(duplicate: Ticket, target: Ticket) -> None:
    if duplicate.merged_into_id is not None:
        raise ValidationFailed({"ticket_id": NF_("Ticket #{number} was already merged into another ticket.",
                                                 number=duplicate.number)})
    if target.merged_into_id is not None:
        raise ValidationFailed({"into": NF_("Ticket #{number} was itself merged into another ticket; merge into that "
                                            "one instead.", number=target.number)})
    if target.status == Status.CLOSED:
        raise ValidationFailed({"into": NF_("Ticket #{number} is closed; choose an open ticket to merge into.",
                                            number=target.number)})


def _follow(session: Session, ticket: Ticket, user_ids: set[int]) -> list[int]:
    """Adds followers (nobody twice, never the ticket's own requester); returns those newly added."""
    user_ids = user_ids - {ticket.requester_id}
    if not user_ids:
        return []
    added = session.exec(
        insert(TicketFollower)
        .values([{"ticket_id": ticket.id, "user_id": user_id, "created_at": utcnow()} for user_id in sorted(user_ids)])
        .on_conflict_do_nothing()
        .returning(TicketFollower.user_id)
    ).all()
    return sorted(user_id for (user_id,) in added)


def merge(
    session: Session, actor: Actor, duplicate_id: int, target_id: int, *, now: datetime | None = None
) -> MergeResult:
    """Merges ticket `duplicate_id` into `target_id`; the actor must be able to work both.

    Bad input raises ValidationFailed (field "into" for the target, "ticket_id" for the duplicate) before anything
    is written. The duplicate is closed whatever its status: the one status change outside workflow's table.
    """
    if duplicate_id == target_id:
        raise ValidationFailed({"into": "A ticket can't be merged into itself."})
    duplicate, target = _lock_pair(session, actor, duplicate_id, target_id)
    if not (tickets.can_work(actor, duplicate) and tickets.can_work(actor, target)):
        raise PermissionDenied("You can only merge tickets you can work on.")
    _check_mergeable(duplicate, target)

    now = now or utcnow()
    # Moved as they are: authors, visibility and original times stay, so the target's timeline interleaves them.
    moved_comment_ids = list(session.exec(
        update(Comment).where(Comment.ticket_id == duplicate.id).values(ticket_id=target.id).returning(Comment.id)
    ).scalars())
    moved_attachment_ids = list(session.exec(
        update(Attachment).where(Attachment.ticket_id == duplicate.id).values(ticket_id=target.id)
        .returning(Attachment.id)
    ).scalars())
    # The duplicate's description is not a comment, so it is kept on the target in the note.
    note_body = (f"Merged #{duplicate.number} into this ticket.\n\n"
                 f"Original request: {duplicate.title}\n\n{duplicate.description}")[:MAX_COMMENT_LENGTH]
    note = Comment(ticket_id=target.id, author_id=actor.user_id, body=note_body, is_internal=True, created_at=now)
    session.add(note)
    session.flush()

    previous_status = duplicate.status
    tickets.apply_status(duplicate, Status.CLOSED.value, now)
    duplicate.merged_into_id = target.id
    duplicate.updated_at = now
    sla.recompute(session, duplicate, now)
    target.updated_at = now
    session.add_all([duplicate, target])

    earlier_followers = set(tickets.follower_ids(session, duplicate.id))
    new_follower_ids = _follow(session, target, {duplicate.requester_id} | earlier_followers)

    session.add(TicketEvent(ticket_id=duplicate.id, actor_id=actor.user_id, kind="merged", field="merged_into_id",
                            new_value=str(target.id), created_at=now))
    if previous_status != Status.CLOSED:
        session.add(TicketEvent(ticket_id=duplicate.id, actor_id=actor.user_id, kind="changed", field="status",
                                old_value=previous_status, new_value=Status.CLOSED.value, created_at=now))
    session.add(TicketEvent(ticket_id=target.id, actor_id=actor.user_id, kind="merged", field="merged_from_id",
                            new_value=str(duplicate.id), created_at=now))
    session.add(TicketEvent(ticket_id=target.id, actor_id=actor.user_id, kind="note", new_value=str(note.id),
                            created_at=now))
    audit.record(session, "ticket.merge", actor_id=actor.user_id, entity_type="ticket", entity_id=str(duplicate.id),
                 details={"into": target.id, "comments": len(moved_comment_ids),
                          "attachments": len(moved_attachment_ids), "new_followers": new_follower_ids})
    events.publish(session, TicketsMerged(duplicate, target))
    tickets.mark_changed(session, duplicate, "merged")
    tickets.mark_changed(session, target, "merged")
    return MergeResult(duplicate, target, moved_comment_ids, moved_attachment_ids, new_follower_ids)


def merged_duplicates(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, int | str]]:
    """The duplicates merged into a ticket that the actor may read ({id, number, title})."""
    ticket = tickets.get_for(session, actor, ticket_id)
    rows = session.exec(
        select(Ticket.id, Ticket.number, Ticket.title)
        .where(Ticket.merged_into_id == ticket.id, tickets.visible_to(actor))
        .order_by(Ticket.number)
    ).all()
    return [{"id": row.id, "number": row.number, "title": row.title} for row in rows]
