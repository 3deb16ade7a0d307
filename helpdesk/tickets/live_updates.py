"""Reaction to every ticket change: after commit, cached counts move on and the live bus tells every page."""

from __future__ import annotations

from sqlmodel import Session

from helpdesk.core import cache, on_commit
from helpdesk.core import live_bus as live
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets.events import TicketTouched
from helpdesk.tickets.tickets import follower_ids


def announce_change(session: Session, event: TicketTouched | SlaStateChanged) -> None:
    on_commit.after_commit(session, lambda: cache.bump_version("tickets"), key="tickets-version")
    ticket_id, requester_id, kind = event.ticket.id, event.ticket.requester_id, event.kind
    # Read now, inside the transaction: the portal tabs of people following the ticket are told too.
    followers = tuple(follower_ids(session, ticket_id))
    on_commit.after_commit(session, lambda: live.publish(ticket_id, requester_id, kind, followers),
                           key=f"live-{ticket_id}")
