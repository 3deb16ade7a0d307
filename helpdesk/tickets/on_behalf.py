"""An agent files a ticket for someone who phoned or walked up to the desk.

The requester is that person (an existing account, or a new requester account without a password made from the
name and e-mail the agent typed); the ticket's source is the channel, and the audit log says which agent filed it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from helpdesk.core import audit
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.identity import accounts
from helpdesk.identity.actor import Actor
from helpdesk.models import Ticket, User
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketDraft

CHANNELS = {"phone": "Phone call", "walk_in": "Walk-up"}


@dataclass(frozen=True)
class NewRequester:
    full_name: str
    email: str


def problems(session: Session, actor: Actor, *, channel: str, requester_id: int | None = None,
             new_requester: NewRequester | None = None) -> dict[str, str]:
    """What is wrong with the channel and the requester (empty when nothing): a form shows these together with the
    problem's own field errors, before anything is written. For IT staff only (it says which addresses exist)."""
    if not actor.is_staff:
        raise PermissionDenied("Only agents can file tickets for someone else.")
    errors: dict[str, str] = {}
    if channel not in CHANNELS:
        errors["channel"] = "Choose how the person reached you: phone or walk-up."
    if (requester_id is None) == (new_requester is None):
        errors["requester"] = "Choose the person from the search, or enter a new requester's name and e-mail."
    elif requester_id is not None:
        person = session.get(User, requester_id)
        if person is None or not person.is_active or person.is_service_account:
            errors["requester"] = "Choose an active person as the requester."
    else:
        errors |= accounts.requester_problems(session, email=new_requester.email, full_name=new_requester.full_name)
    return errors


def file_on_behalf(session: Session, actor: Actor, draft: TicketDraft, *, channel: str,
                   requester_id: int | None = None, new_requester: NewRequester | None = None) -> Ticket:
    errors = problems(session, actor, channel=channel, requester_id=requester_id,
                      new_requester=new_requester)
    if errors:
        raise ValidationFailed(errors)
    created = new_requester is not None
    if new_requester is not None:
        requester_id = accounts.create_requester(session, actor, email=new_requester.email,
                                                 full_name=new_requester.full_name,
                                                 via=f"ticket on behalf ({channel})").id
    ticket = tickets.create_ticket(session, actor, draft, source=channel, requester_id=requester_id)
    audit.record(session, "ticket.file_on_behalf", actor_id=actor.user_id, entity_type="ticket",
                 entity_id=str(ticket.id),
                 details={"requester_id": requester_id, "channel": channel, "new_requester": created})
    return ticket
