"""Every cross-context reaction in one place: which handler runs when a domain event is published.

Handlers run inside the publishing transaction, in the order listed (see helpdesk/core/events.py). This module
sits above the contexts: it is the only one that knows both sides of each reaction.
"""

from __future__ import annotations

from helpdesk.ai import triage
from helpdesk.core.events import subscribe
from helpdesk.email import agent_notifications, csat_mail
from helpdesk.notifications import reactions as notification_centre
from helpdesk.sla.events import SlaStateChanged
from helpdesk.tickets import live_updates, notifications
from helpdesk.tickets.events import (
    CommentAdded,
    PersonCopiedIn,
    TicketCreated,
    TicketFieldsChanged,
    TicketsMerged,
    TicketTouched,
)


def wire() -> None:
    # A new ticket: the requester's acknowledgement e-mail, then AI triage (suggested category, team, priority).
    subscribe(TicketCreated, notifications.queue_acknowledgement)
    subscribe(TicketCreated, triage.on_ticket_created)
    # ... and e-mail to the agent it was assigned to and to the team whose queue it landed in (their preferences).
    subscribe(TicketCreated, agent_notifications.on_ticket_created)
    # A person set category, team or priority: feedback on the AI's suggestion for that field.
    subscribe(TicketFieldsChanged, triage.on_fields_changed)
    # Assigned to someone else: tell them. Resolved: ask the requester how we did (one-click rating).
    subscribe(TicketFieldsChanged, agent_notifications.on_fields_changed)
    subscribe(TicketFieldsChanged, csat_mail.on_fields_changed)
    # A public reply: e-mail to the other side of the conversation.
    subscribe(CommentAdded, notifications.queue_comment_notification)
    # An internal note mentioning @someone: tell them.
    subscribe(CommentAdded, agent_notifications.on_comment_added)
    # A merge: the duplicate's requester learns where the conversation continues.
    subscribe(TicketsMerged, notifications.queue_merge_notice)
    # Anything changed: cached counts move on and every page showing the ticket is pushed the change.
    subscribe(TicketTouched, live_updates.announce_change)
    # The SLA scan flagged a ticket at risk or breached, or its deadlines moved: the same refresh and push.
    subscribe(SlaStateChanged, live_updates.announce_change)
    # At risk: the assignee hears about it while there is still time.
    subscribe(SlaStateChanged, agent_notifications.on_sla_flagged)
    # The notification centre (the bell) hears the same events: the people concerned each get an entry, checked
    # against the reading rule, and their bells update live.
    subscribe(TicketCreated, notification_centre.on_ticket_created)
    subscribe(TicketFieldsChanged, notification_centre.on_fields_changed)
    subscribe(CommentAdded, notification_centre.on_comment_added)
    subscribe(SlaStateChanged, notification_centre.on_sla_flagged)
    subscribe(PersonCopiedIn, notification_centre.on_person_copied_in)
