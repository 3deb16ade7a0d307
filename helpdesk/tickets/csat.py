"""Customer satisfaction: the requester rates a resolved ticket good or bad, with an optional comment.

Two ways in: the one-click link in the "resolved" e-mail (signed for that ticket and requester, so it works without
signing in) and the prompt on the portal's ticket page. One rating per ticket; a later click changes it.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from helpdesk.core import audit, signing
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.settings import get_settings
from helpdesk.identity.actor import Actor
from helpdesk.models import CsatRating, Status, Ticket
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets

RATINGS = ("good", "bad")
MAX_COMMENT = 2000
PURPOSE = "csat"
RATE_PATH = "/satisfaction"


def link_signature(ticket_id: int, requester_id: int) -> str:
    return signing.sign(PURPOSE, ticket_id, requester_id)


def rating_link(ticket: Ticket, rating: str) -> str:
    signature = link_signature(ticket.id, ticket.requester_id)
    return (f"{get_settings().public_url.rstrip('/')}{RATE_PATH}?ticket={ticket.id}&rating={rating}"
            f"&sig={signature}")


def _check(rating: str, comment: str) -> str:
    errors = {}
    if rating not in RATINGS:
        errors["rating"] = "Choose good or bad."
    if len(comment) > MAX_COMMENT:
        errors["comment"] = f"Keep the comment under {MAX_COMMENT} characters."
    if errors:
        raise ValidationFailed(errors)
    return comment.strip()


def _record(session: Session, ticket: Ticket, rating: str, comment: str | None) -> CsatRating:
    if ticket.status not in (Status.RESOLVED, Status.CLOSED) and ticket.resolved_at is None:
        raise ValidationFailed({"rating": "You can rate a ticket once it is resolved."})
    row = session.get(CsatRating, ticket.id, with_for_update=True)
    if row is None:
        row = CsatRating(ticket_id=ticket.id, requester_id=ticket.requester_id, rating=rating)
    row.rating = rating
    if comment is not None:
        row.comment = comment
    # Who solved it, as it stands now: the report groups by these.
    row.team_id, row.assignee_id, row.category_id, row.priority = (ticket.team_id, ticket.assignee_id,
                                                                   ticket.category_id, ticket.priority)
    row.rated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(session, "ticket.csat", actor_id=ticket.requester_id, entity_type="ticket",
                 entity_id=str(ticket.id), details={"rating": rating})
    return row


def rate_by_link(session: Session, ticket_id: int, rating: str, signature: str, comment: str | None = None) -> dict:
    """The e-mail's link: the signature stands for the requester, so no sign-in is needed."""
    comment = None if comment is None else _check(rating, comment)
    _check(rating, "")
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.deleted_at is not None or not signing.verify(
            signature, PURPOSE, ticket.id, ticket.requester_id):
        raise NotFound("This rating link is not valid.")
    return _as_dict(_record(session, ticket, rating, comment), ticket)


def rate(session: Session, actor: Actor, ticket_id: int, rating: str, comment: str = "") -> dict:
    """The portal's prompt: only the ticket's requester rates it."""
    comment = _check(rating, comment)
    ticket = tickets.get_for(session, actor, ticket_id)
    if ticket.requester_id != actor.user_id:
        raise PermissionDenied("Only the person who asked can rate the answer.")
    return _as_dict(_record(session, ticket, rating, comment), ticket)


def rating_for(session: Session, actor: Actor, ticket_id: int) -> dict[str, Any] | None:
    ticket = tickets.get_for(session, actor, ticket_id)
    row = session.get(CsatRating, ticket.id)
    return _as_dict(row, ticket) if row else None


def may_rate(actor: Actor, ticket: Ticket) -> bool:
    return ticket.requester_id == actor.user_id and ticket.status in (Status.RESOLVED, Status.CLOSED)


def _as_dict(row: CsatRating, ticket: Ticket) -> dict[str, Any]:
    return {"ticket_id": ticket.id, "number": ticket.number, "title": ticket.title, "rating": row.rating,
            "comment": row.comment}
