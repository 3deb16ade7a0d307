"""Every cross-context reaction in one place: which handler runs when a domain event is published.

Handlers run inside the publishing transaction, in the order listed (see helpdesk/core/events.py). This module
sits above the contexts: it is the only one that knows both sides of each reaction.
"""

from __future__ import annotations

from helpdesk.ai import triage
from helpdesk.core.events import subscribe
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets import live_updates, notifications
from helpdesk.tickets.events import CommentAdded, TicketCreated, TicketFieldsChanged, TicketsMerged, TicketTouched


def wire() -> None:
    # A new ticket: the requester's acknowledgement e-mail, then AI triage (suggested category, team, priority).
    subscribe(TicketCreated, notifications.queue_acknowledgement)
    subscribe(TicketCreated, triage.on_ticket_created)
    # A person set category, team or priority: feedback on the AI's suggestion for that field.
    subscribe(TicketFieldsChanged, triage.on_fields_changed)
    # A public reply: e-mail to the other side of the conversation.
    subscribe(CommentAdded, notifications.queue_comment_notification)
    # A merge: the duplicate's requester learns where the conversation continues.
    subscribe(TicketsMerged, notifications.queue_merge_notice)
    # Anything changed: cached counts move on and every page showing the ticket is pushed the change.
    subscribe(TicketTouched, live_updates.announce_change)
    # The SLA scan flagged a ticket at risk or breached, or its deadlines moved: the same refresh and push.
    subscribe(SlaStateChanged, live_updates.announce_change)
