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

from helpdesk.core import i18n
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import N_
from helpdesk.email.agent_notifications import mentioned_staff
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.models import Notification, Ticket, User
from helpdesk.notifications.inbox import announce
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets import following, tickets
from helpdesk.tickets.events import CommentAdded, PersonCopiedIn, TicketCreated, TicketFieldsChanged

EXCERPT = 200
_REQUESTER_STATUS = {"new": N_("New"), "open": N_("Open"), "in_progress": N_("In progress"),
                     "waiting_on_customer": N_("Waiting on you"), "resolved": N_("Resolved"), "closed": N_("Closed")}
_STAFF_STATUS = _REQUESTER_STATUS | {"waiting_on_customer": N_("Waiting on customer")}
_FIELD_NAMES = {"title": N_("title"), "priority": N_("priority"), "category_id": N_("category"), "team_id": N_("team")}


def tr(msgid: str, reader: Actor, **values: object) -> str:
    """The entry's words in the reader's language: written once, when the entry is made, for that one person."""
    return i18n.translate_format(reader.language, msgid, **values)


@dataclass(frozen=True)
class _Item:
    kind: str
    # The words depend on who reads them (a requester and an agent name a status differently).
    title: Callable[[Actor], str]
    excerpt: str = ""
    internal: bool = False  # only for those who see the ticket's internal notes


def _name(session: Session, user_id: int | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


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
        items[ticket.assignee_id] = _Item("assigned", lambda r: tr("{ticket} is assigned to you", r,
                                                                     ticket=_ref(ticket)))
    if ticket.requester_id != actor.user_id:  # filed on their behalf (a phone call, a walk-up)
        items.setdefault(ticket.requester_id, _Item(
            "filed_for_you",
            lambda r: tr("{name} filed {ticket} for you", r, name=actor.full_name, ticket=_ref(ticket)),
            _excerpt(ticket.description)))
    _deliver(session, ticket, actor.user_id, items)


def on_comment_added(session: Session, event: CommentAdded) -> None:
    ticket, comment = event.ticket, event.comment
    author_name = _name(session, comment.author_id)

    def author(reader: Actor) -> str:
        return author_name or tr("Someone", reader)
    excerpt = _excerpt(comment.body)
    items: dict[int, _Item] = {}
    watchers = following.watcher_ids(session, ticket.id)
    if event.internal:
        _add(items, mentioned_staff(session, comment.body),
             _Item("mention", lambda r: tr("{name} mentioned you on {ticket}", r, name=author(r), ticket=_ref(ticket)),
                   excerpt, internal=True))
        _add(items, [ticket.assignee_id, *watchers],
             _Item("note", lambda r: tr("{name} added an internal note on {ticket}", r, name=author(r),
                                        ticket=_ref(ticket)), excerpt, internal=True))
    else:
        _add(items, [ticket.requester_id, *tickets.follower_ids(session, ticket.id), ticket.assignee_id, *watchers],
             _Item("reply", lambda r: tr("{name} replied on {ticket}", r, name=author(r), ticket=_ref(ticket)),
                   excerpt))
    _deliver(session, ticket, comment.author_id, items)


def on_fields_changed(session: Session, event: TicketFieldsChanged) -> None:
    ticket, actor, changed = event.ticket, event.actor, event.changed
    items: dict[int, _Item] = {}
    watchers = following.watcher_ids(session, ticket.id)
    new_assignee = changed.get("assignee_id", (None, None))[1]
    if new_assignee is not None:
        items[new_assignee] = _Item("assigned", lambda r: tr("{name} assigned {ticket} to you", r,
                                                                name=actor.full_name, ticket=_ref(ticket)))
    if "status" in changed:
        status = changed["status"][1]
        if status == "resolved" and actor.user_id == ticket.requester_id:
            item = _Item("solved", lambda r: tr("{name} marked {ticket} solved", r, name=actor.full_name,
                                                  ticket=_ref(ticket)))
        else:
            def title(recipient: Actor, status: str = status) -> str:
                labels = _STAFF_STATUS if tickets.sees_internal_notes(recipient, ticket) else _REQUESTER_STATUS
                return tr("{name} changed {ticket} to {status}", recipient, name=actor.full_name, ticket=_ref(ticket),
                          status=i18n.translate(recipient.language, labels.get(status, status)))
            item = _Item("status", title)
        # A status is public: the requester and the CCs hear of it, as do the assignee and the followers.
        _add(items, [ticket.requester_id, *tickets.follower_ids(session, ticket.id), ticket.assignee_id, *watchers],
             item)
    other = [_FIELD_NAMES[name] for name in changed if name in _FIELD_NAMES]
    if other:
        def changed_title(reader: Actor) -> str:
            words = tr(" and ", reader).join(i18n.translate(reader.language, name) for name in other)
            return tr("{name} changed the {fields} of {ticket}", reader, name=actor.full_name, fields=words,
                      ticket=_ref(ticket))
        _add(items, watchers, _Item("changed", changed_title, internal=True))
    _deliver(session, ticket, actor.user_id, items)


def on_sla_flagged(session: Session, event: SlaStateChanged) -> None:
    if event.flag not in ("sla_at_risk", "sla_breached"):
        return
    ticket = event.ticket
    words = (N_("{ticket} is at risk of missing its SLA") if event.flag == "sla_at_risk"
             else N_("{ticket} breached its SLA"))
    items: dict[int, _Item] = {}
    _add(items, [ticket.assignee_id, *following.watcher_ids(session, ticket.id)],
         _Item("sla", lambda r: tr(words, r, ticket=_ref(ticket)), internal=True))  # SLA clocks are IT's business
    _deliver(session, ticket, None, items)


def on_person_copied_in(session: Session, event: PersonCopiedIn) -> None:
    ticket, actor = event.ticket, event.actor
    _deliver(session, ticket, actor.user_id, {event.user_id: _Item(
        "cc", lambda r: tr("{name} copied you in on {ticket}", r, name=actor.full_name, ticket=_ref(ticket)),
        _excerpt(ticket.description))})
