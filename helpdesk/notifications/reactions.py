"""Who hears what: notification-centre entries written in reaction to the domain events (the same events that send
the e-mail notifications; wired in helpdesk/subscriptions.py).

Every recipient is checked against the reading rule as it stands in the same transaction: someone who may not read
the ticket hears nothing, and an internal note reaches only those who see internal notes. The person who made the
change is never told about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from helpdesk.core.errors import DomainError
from helpdesk.email.agent_notifications import mentioned_staff
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.models import Notification, Ticket, User
from helpdesk.notifications.inbox import announce
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets import following, tickets
from helpdesk.tickets.events import CommentAdded, PersonCopiedIn, TicketCreated, TicketFieldsChanged

EXCERPT = 200
_REQUESTER_STATUS = {"new": "New", "open": "Open", "in_progress": "In progress",
                     "waiting_on_customer": "Waiting on you", "resolved": "Resolved", "closed": "Closed"}
_STAFF_STATUS = _REQUESTER_STATUS | {"waiting_on_customer": "Waiting on customer"}
_FIELD_NAMES = {"title": "title", "priority": "priority", "category_id": "category", "team_id": "team"}


@dataclass(frozen=True)
class _Item:
    kind: str
    # The words depend on who reads them (a requester and an agent name a status differently).
    title: Callable[[Actor], str]
    excerpt: str = ""
    internal: bool = False  # only for those who see the ticket's internal notes


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else "Someone"


def _ref(ticket: Ticket) -> str:
    return f"#{ticket.number} {ticket.title}"


def _deliver(session: Session, ticket: Ticket, author_id: int | None, items: dict[int, _Item]) -> None:
    told: set[int] = set()
    for user_id, item in items.items():
        if user_id is None or user_id == author_id:
            continue
        try:
            recipient = load_actor(session, user_id)
        except DomainError:  # deactivated
            continue
        if not tickets.can_read(recipient, ticket):
            continue
        if item.internal and not tickets.sees_internal_notes(recipient, ticket):
            continue
        session.add(Notification(user_id=user_id, ticket_id=ticket.id, kind=item.kind, actor_id=author_id,
                                 title=item.title(recipient)[:300], excerpt=item.excerpt[:300]))
        told.add(user_id)
    if told:
        announce(session, told)


def _add(items: dict[int, _Item], user_ids: object, item: _Item) -> None:
    """Adds `item` for each person not already told something more specific about the same event."""
    for user_id in user_ids:  # type: ignore[attr-defined]
        if user_id is not None:
            items.setdefault(user_id, item)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT - 1] + "…"


def on_ticket_created(session: Session, event: TicketCreated) -> None:
    ticket, actor = event.ticket, event.actor
    items: dict[int, _Item] = {}
    if ticket.assignee_id is not None:
        items[ticket.assignee_id] = _Item("assigned", lambda r: f"{_ref(ticket)} is assigned to you")
    if ticket.requester_id != actor.user_id:  # filed on their behalf (a phone call, a walk-up)
        items.setdefault(ticket.requester_id, _Item(
            "filed_for_you", lambda r: f"{actor.full_name} filed {_ref(ticket)} for you", _excerpt(ticket.description)))
    _deliver(session, ticket, actor.user_id, items)


def on_comment_added(session: Session, event: CommentAdded) -> None:
    ticket, comment = event.ticket, event.comment
    author = _name(session, comment.author_id)
    excerpt = _excerpt(comment.body)
    items: dict[int, _Item] = {}
    watchers = following.watcher_ids(session, ticket.id)
    if event.internal:
        _add(items, mentioned_staff(session, comment.body),
             _Item("mention", lambda r: f"{author} mentioned you on {_ref(ticket)}", excerpt, internal=True))
        _add(items, [ticket.assignee_id, *watchers],
             _Item("note", lambda r: f"{author} added an internal note on {_ref(ticket)}", excerpt, internal=True))
    else:
        _add(items, [ticket.requester_id, *tickets.follower_ids(session, ticket.id), ticket.assignee_id, *watchers],
             _Item("reply", lambda r: f"{author} replied on {_ref(ticket)}", excerpt))
    _deliver(session, ticket, comment.author_id, items)


def on_fields_changed(session: Session, event: TicketFieldsChanged) -> None:
    ticket, actor, changed = event.ticket, event.actor, event.changed
    items: dict[int, _Item] = {}
    watchers = following.watcher_ids(session, ticket.id)
    new_assignee = changed.get("assignee_id", (None, None))[1]
    if new_assignee is not None:
        items[new_assignee] = _Item("assigned", lambda r: f"{actor.full_name} assigned {_ref(ticket)} to you")
    if "status" in changed:
        status = changed["status"][1]
        if status == "resolved" and actor.user_id == ticket.requester_id:
            item = _Item("solved", lambda r: f"{actor.full_name} marked {_ref(ticket)} solved")
        else:
            def title(recipient: Actor, status: str = status) -> str:
                labels = _STAFF_STATUS if tickets.sees_internal_notes(recipient, ticket) else _REQUESTER_STATUS
                return f"{actor.full_name} changed {_ref(ticket)} to {labels.get(status, status)}"
            item = _Item("status", title)
        # A status is public: the requester and the CCs hear of it, as do the assignee and the followers.
        _add(items, [ticket.requester_id, *tickets.follower_ids(session, ticket.id), ticket.assignee_id, *watchers],
             item)
    other = [_FIELD_NAMES[name] for name in changed if name in _FIELD_NAMES]
    if other:
        words = " and ".join(other)
        _add(items, watchers, _Item("changed", lambda r: f"{actor.full_name} changed the {words} of {_ref(ticket)}",
                                    internal=True))
    _deliver(session, ticket, actor.user_id, items)


def on_sla_flagged(session: Session, event: SlaStateChanged) -> None:
    if event.flag not in ("sla_at_risk", "sla_breached"):
        return
    ticket = event.ticket
    words = "is at risk of missing its SLA" if event.flag == "sla_at_risk" else "breached its SLA"
    items: dict[int, _Item] = {}
    _add(items, [ticket.assignee_id, *following.watcher_ids(session, ticket.id)],
         _Item("sla", lambda r: f"{_ref(ticket)} {words}", internal=True))  # SLA clocks are IT's business
    _deliver(session, ticket, None, items)


def on_person_copied_in(session: Session, event: PersonCopiedIn) -> None:
    ticket, actor = event.ticket, event.actor
    _deliver(session, ticket, actor.user_id, {event.user_id: _Item(
        "cc", lambda r: f"{actor.full_name} copied you in on {_ref(ticket)}", _excerpt(ticket.description))})
