"""A person's notifications: the latest first, the unread count, mark one or all read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, select

from helpdesk.core import live_bus, on_commit
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import NotFound, ValidationFailed
from helpdesk.identity.actor import Actor
from helpdesk.models import Notification, Ticket
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


_PENDING = "notified_user_ids"


def announce(session: Session, user_ids: set[int] | list[int]) -> None:
    """After the commit, tell the web processes that these people's bells changed (one bus entry per commit)."""
    pending: set[int] = session.info.setdefault(_PENDING, set())
    pending.update(user_ids)

    def publish() -> None:
        live_bus.publish_notifications(tuple(session.info.pop(_PENDING, set()) or pending))

    on_commit.after_commit(session, publish, key="notifications-live")


@dataclass
class NotificationPage:
    rows: list[dict[str, Any]]
    unread: int
    next_cursor: str | None


def _visible(actor: Actor):  # noqa: ANN202 - a SQL condition, on a query outer-joined to the ticket
    """Only notifications about tickets the person may still read (a ticket moved away takes its news with it)."""
    return or_(Notification.ticket_id.is_(None), tickets.visible_to(actor))


def unread_count(session: Session, actor: Actor) -> int:
    return session.exec(select(func.count()).select_from(Notification)
                        .join(Ticket, Ticket.id == Notification.ticket_id, isouter=True)
                        .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None),
                               _visible(actor))).one()


def _parse_cursor(cursor: str) -> int:
    number = as_id(cursor, big=True)  # past the column's range would fail in SQL rather than find nothing
    if number is None:
        raise ValidationFailed({"cursor": "That page link is invalid; start from the first page."})
    return number


def list_notifications(session: Session, actor: Actor, *, unread_only: bool = False, cursor: str | None = None,
                       limit: int = PAGE_SIZE) -> NotificationPage:
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = (select(Notification, Ticket.number)
             .join(Ticket, Ticket.id == Notification.ticket_id, isouter=True)
             .where(Notification.user_id == actor.user_id, _visible(actor)))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if cursor:
        # Ids grow with time, so the id alone orders the list (newest first) and is the cursor.
        query = query.where(Notification.id < _parse_cursor(cursor))
    found = session.exec(query.order_by(Notification.id.desc()).limit(limit + 1)).all()
    rows = [{"id": n.id, "kind": n.kind, "ticket_id": n.ticket_id, "ticket_number": number, "title": n.title,
             "excerpt": n.excerpt, "created_at": n.created_at, "read": n.read_at is not None}
            for n, number in found[:limit]]
    next_cursor = str(rows[-1]["id"]) if len(found) > limit else None
    return NotificationPage(rows=rows, unread=unread_count(session, actor), next_cursor=next_cursor)


def mark_read(session: Session, actor: Actor, notification_id: int) -> dict[str, Any]:
    """Marks one of the person's own notifications read; NotFound for anyone else's."""
    row = session.get(Notification, notification_id)
    if row is None or row.user_id != actor.user_id:
        raise NotFound("Notification not found.")
    if row.read_at is None:
        row.read_at = utcnow()
        session.add(row)
        session.flush()
        announce(session, {actor.user_id})  # the person's other tabs lower their count too
    return {"id": row.id, "ticket_id": row.ticket_id}


def mark_all_read(session: Session, actor: Actor) -> int:
    """Marks every unread notification of the person read; returns how many."""
    result = session.exec(update(Notification)
                          .where(Notification.user_id == actor.user_id, Notification.read_at.is_(None))
                          .values(read_at=utcnow()))
    if result.rowcount:
        announce(session, {actor.user_id})
    return result.rowcount or 0


def mark_ticket_read(session: Session, actor: Actor, ticket_id: int) -> int:
    """Opening a ticket reads its news: the person's unread notifications about it are marked read."""
    result = session.exec(update(Notification)
                          .where(Notification.user_id == actor.user_id, Notification.ticket_id == ticket_id,
                                 Notification.read_at.is_(None))
                          .values(read_at=utcnow()))
    if result.rowcount:
        announce(session, {actor.user_id})
    return result.rowcount or 0
