"""The "how did we do?" e-mail sent when a ticket is resolved, with one-click signed rating links."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.core import i18n, jobs
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.email.preferences import wants
from helpdesk.models import Status, Ticket, User
from helpdesk.tickets import csat, notifications
from helpdesk.tickets.events import TicketFieldsChanged

TASK = "email.csat_request"


def on_fields_changed(session: Session, event: TicketFieldsChanged) -> None:
    status = event.changed.get("status")
    # A requester who marked it solved themselves is asked on the page they are looking at, not by e-mail too.
    if status and status[1] == Status.RESOLVED.value and event.actor.user_id != event.ticket.requester_id:
        jobs.enqueue(session, TASK, "email", {"ticket_id": event.ticket.id, "ref": f"{event.now.timestamp():.0f}"})


def csat_request(session: Session, ticket_id: int) -> OutgoingMail | None:
    """Nothing when the ticket was reopened (or went away) before the job ran, or the requester opted out."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.deleted_at is not None or ticket.status != Status.RESOLVED:
        return None
    requester = session.get(User, ticket.requester_id)
    # The requester may have switched "my request is resolved" e-mails off (the portal still asks for a rating).
    if requester is None or not requester.is_active or not wants(session, requester.id, "request_resolved"):
        return None
    body, html = notifications.render(
        "csat_request", requester.language, requester_name=requester.full_name, ticket=ticket,
        good_url=csat.rating_link(ticket, "good"), bad_url=csat.rating_link(ticket, "bad"),
        organisation=get_settings().organisation_name)
    subject = f"[#{ticket.number}] " + i18n.translate_format(requester.language, "Resolved: {title} - how did we do?",
                                                             title=ticket.title)
    return OutgoingMail([requester.email], subject, body, html=html, ticket_id=ticket.id, recipient_id=requester.id)
