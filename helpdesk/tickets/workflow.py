"""The ticket life cycle: which status may follow which. Every status change in the services is checked here.

One deliberate exception: merging a duplicate (services/merging.py) closes it from any status, because its
conversation continues on another ticket.
"""

from __future__ import annotations

from helpdesk.core.errors import ValidationFailed
from helpdesk.models import Status

_WORKING = frozenset({Status.OPEN, Status.IN_PROGRESS, Status.WAITING_ON_CUSTOMER})

ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    # A new ticket may be closed outright (spam, duplicate); later ones are resolved first.
    Status.NEW: _WORKING | {Status.RESOLVED, Status.CLOSED},
    Status.OPEN: (_WORKING - {Status.OPEN}) | {Status.RESOLVED},
    Status.IN_PROGRESS: (_WORKING - {Status.IN_PROGRESS}) | {Status.RESOLVED},
    Status.WAITING_ON_CUSTOMER: (_WORKING - {Status.WAITING_ON_CUSTOMER}) | {Status.RESOLVED},
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    # Closed is final: the requester files a new ticket instead.
    Status.CLOSED: frozenset(),
}

_LABELS = {
    Status.NEW: "new",
    Status.OPEN: "open",
    Status.IN_PROGRESS: "in progress",
    Status.WAITING_ON_CUSTOMER: "waiting on customer",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "closed",
}


def can_move(current: str, target: str) -> bool:
    return Status(target) in ALLOWED_TRANSITIONS[Status(current)]


def check_transition(current: str, target: str) -> None:
    """Raises ValidationFailed({"status": ...}) unless `target` may follow `current`."""
    if current == target or can_move(current, target):
        return
    current_status = Status(current)
    if current_status == Status.CLOSED:
        message = "This ticket is closed and can't change status. File a new ticket instead."
    else:
        allowed = sorted(ALLOWED_TRANSITIONS[current_status], key=list(Status).index)
        choices = ", ".join(_LABELS[s] for s in allowed)
        message = (f"A ticket that is {_LABELS[current_status]} can't move to {_LABELS[Status(target)]}; "
                   f"it can move to: {choices}.")
    raise ValidationFailed({"status": message})
