"""SLA targets per priority and the deadlines they give a ticket.

Targets are wall-clock durations here; business-hours calendars replace this module's
arithmetic when the SLA engine lands, behind the same `deadlines_for` function.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from helpdesk.models import Priority


@dataclass(frozen=True)
class SlaTarget:
    first_response: timedelta
    resolution: timedelta


DEFAULT_TARGETS: dict[str, SlaTarget] = {
    Priority.CRITICAL: SlaTarget(timedelta(hours=1), timedelta(hours=4)),
    Priority.HIGH: SlaTarget(timedelta(hours=4), timedelta(days=1)),
    Priority.MEDIUM: SlaTarget(timedelta(hours=8), timedelta(days=3)),
    Priority.LOW: SlaTarget(timedelta(days=1), timedelta(days=5)),
}


def deadlines_for(priority: str, created_at: datetime) -> tuple[datetime, datetime]:
    target = DEFAULT_TARGETS[Priority(priority)]
    return created_at + target.first_response, created_at + target.resolution
