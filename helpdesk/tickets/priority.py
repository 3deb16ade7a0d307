"""How a new ticket's priority is chosen, and who may choose "critical".

Requesters do not pick a priority: they say how many people are affected (impact) and how soon it hurts
(urgency), and this matrix gives the priority. A requester can never reach "critical" - it selects the tightest
SLA (60 minutes), so only IT staff set it, after looking:

    impact \\ urgency |  low    medium  high
    -----------------+-----------------------
    low (just me)    |  low    low     medium
    medium (my team) |  low    medium  high
    high (many/all)  |  medium high    high

A ticket filed without either is medium/medium: "medium". An explicit `priority` (REST clients written before
impact and urgency) is taken from staff as it is and from requesters up to "high"; "critical" from a requester is
refused with a reason. Staff filing on someone's behalf may give impact and urgency too, or the priority itself.
"""

from __future__ import annotations

from helpdesk.core.errors import ValidationFailed
from helpdesk.identity.actor import Actor
from helpdesk.models import Level, Priority

L, M, H = Level.LOW, Level.MEDIUM, Level.HIGH
MATRIX: dict[tuple[Level, Level], Priority] = {
    (L, L): Priority.LOW, (L, M): Priority.LOW, (L, H): Priority.MEDIUM,
    (M, L): Priority.LOW, (M, M): Priority.MEDIUM, (M, H): Priority.HIGH,
    (H, L): Priority.MEDIUM, (H, M): Priority.HIGH, (H, H): Priority.HIGH,
}
STAFF_ONLY = Priority.CRITICAL
CRITICAL_REFUSED = ("Only the IT team sets critical priority. Tell us the impact and urgency instead; an agent "
                    "raises it to critical when many people are stopped.")


def from_impact_and_urgency(impact: Level | None, urgency: Level | None) -> Priority:
    return MATRIX[(Level(impact or M), Level(urgency or M))]


def for_new_ticket(actor: Actor, impact: Level | None, urgency: Level | None,
                   explicit: Priority | None) -> Priority:
    """The priority a ticket filed by `actor` gets; ValidationFailed when a requester asks for critical."""
    if explicit is not None:
        if Priority(explicit) == STAFF_ONLY and not actor.is_staff:
            raise ValidationFailed({"priority": CRITICAL_REFUSED})
        return Priority(explicit)
    return from_impact_and_urgency(impact, urgency)
