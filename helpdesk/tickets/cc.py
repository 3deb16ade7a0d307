"""CC: colleagues copied in on a ticket. They read it as its requester does (public conversation only), get its
public updates and may reply. The reading rule itself is tickets.can_read (a CC is a TicketFollower row).

The requester and the agents working the ticket copy people in by e-mail address; the address must belong to an
active account (anyone else would have no way to sign in and read it). Either may take a CC off, and a CC may take
themselves off.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core import audit, events
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.identity.actor import Actor
from helpdesk.models import FollowerReason, TicketFollower, User
from helpdesk.tickets import tickets
from helpdesk.tickets.events import PersonCopiedIn

MAX_CC_PER_TICKET = 20


def list_cc(session: Session, actor: Actor, ticket_id: int) -> list[dict[str, Any]]:
    """The CCs as this reader may see them (addresses for IT only)."""
    return tickets.cc_people(session, actor, tickets.get_for(session, actor, ticket_id))


def add_cc(session: Session, actor: Actor, ticket_id: int, email: str) -> User:
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    if not tickets.can_manage_cc(actor, ticket):
        raise PermissionDenied("Only the requester and the agents working this ticket can copy people in.")
    address = (email or "").strip().lower()
    if "@" not in address or " " in address or len(address) > 254:
        raise ValidationFailed({"email": "Enter a colleague's e-mail address."})
    person = session.exec(select(User).where(func.lower(User.email) == address, User.is_active,
                                             User.is_service_account.is_(False))).first()
    if person is None:
        # Said the same way whether or not a deactivated account exists: nothing about other people leaks.
        raise ValidationFailed({"email": "Nobody with that e-mail address can sign in to the helpdesk."})
    if person.id == ticket.requester_id:
        raise ValidationFailed({"email": "That is the ticket's requester; they follow it already."})
    existing = session.get(TicketFollower, (ticket.id, person.id))
    if existing is not None:
        raise ValidationFailed({"email": NF_("{name} is already copied in.", name=person.full_name)})
    count = session.exec(select(func.count()).select_from(TicketFollower)
                         .where(TicketFollower.ticket_id == ticket.id)).one()
    if count >= MAX_CC_PER_TICKET:
        raise ValidationFailed({"email": NF_("A ticket can have at most {count} people copied in.",
                                             count=MAX_CC_PER_TICKET)})
    session.add(TicketFollower(ticket_id=ticket.id, user_id=person.id, reason=FollowerReason.CC.value,
                               added_by_id=actor.user_id))
    session.flush()
    audit.record(session, "ticket.cc_add", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"user_id": person.id})
    events.publish(session, PersonCopiedIn(ticket, actor, person.id))
    tickets.mark_changed(session, ticket, "cc")
    return person


def remove_cc(session: Session, actor: Actor, ticket_id: int, user_id: int) -> None:
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    row = session.get(TicketFollower, (ticket.id, user_id))
    if row is None or row.reason != FollowerReason.CC.value:
        raise NotFound("That person is not copied in on this ticket.")
    if user_id != actor.user_id and not tickets.can_manage_cc(actor, ticket):
        raise PermissionDenied("Only the requester and the agents working this ticket can take people off.")
    session.delete(row)
    session.flush()
    audit.record(session, "ticket.cc_remove", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"user_id": user_id})
    tickets.mark_changed(session, ticket, "cc")
