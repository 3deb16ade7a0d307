"""Turns service data into the strings a page shows (times in the organisation's time zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk.core import app_settings
from helpdesk.models.base import utcnow

STATUS_LABELS = {
    "new": "New",
    "open": "Open",
    "in_progress": "In progress",
    "waiting_on_customer": "Waiting on you",
    "resolved": "Resolved",
    "closed": "Closed",
}
STAFF_STATUS_LABELS = STATUS_LABELS | {"waiting_on_customer": "Waiting on customer"}
PRIORITY_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "critical": "Critical"}


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(app_settings.value(None, "timezone"))).strftime("%d %b %Y, %H:%M")


def relative(moment: datetime | None) -> str:
    if moment is None:
        return ""
    seconds = (utcnow() - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            amount = f"{int(seconds // size)}{unit}"
            return f"in {amount}" if future else f"{amount} ago"
    return "just now"


def overdue_by(moment: datetime) -> str:
    """How long ago `moment` passed, as "3h" ("1m" at least: a deadline that just passed is overdue)."""
    seconds = max((utcnow() - moment).total_seconds(), 60)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "1m"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 ticket", "2 tickets"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def sla_badge(row: dict[str, Any]) -> tuple[str, str]:
    """(state, label) of a ticket's resolution clock: paused, breached, at_risk, running or "" when done."""
    if row["status"] in ("resolved", "closed"):
        return "", ""
    if row.get("sla_paused_at") or row["status"] == "waiting_on_customer":
        return "paused", "Paused"
    due = row.get("sla_resolution_due")
    if row.get("sla_resolution_breached_at") or row.get("sla_first_response_breached_at") or (due and due < utcnow()):
        # A breached first response can come before the resolution deadline: then that deadline is still ahead.
        if due is None:
            return "breached", "Breached"
        return "breached", f"Overdue by {overdue_by(due)}" if due <= utcnow() else f"Due {relative(due)}"
    if due is None:
        return "", ""
    warn_at = row.get("sla_resolution_warn_at")
    state = "at_risk" if warn_at and warn_at <= utcnow() else "running"
    return state, f"Due {relative(due)}"


def ticket_row(row: dict[str, Any], *, staff: bool) -> dict[str, str]:
    labels = STAFF_STATUS_LABELS if staff else STATUS_LABELS
    sla_state, sla_label = sla_badge(row)
    return {
        "id": str(row["id"]),
        "number": f"#{row['number']}",
        "title": row["title"],
        "status": row["status"],
        "status_label": labels[row["status"]],
        "priority": row["priority"],
        "priority_label": PRIORITY_LABELS[row["priority"]],
        "category": row.get("category") or "Uncategorised",
        "team": row.get("team") or "Unrouted",
        "assignee": row.get("assignee") or "Unassigned",
        "requester": row.get("requester") or "",
        "created": local_time(row["created_at"]),
        "created_ago": relative(row["created_at"]),
        "updated_ago": relative(row["updated_at"]),
        "sla": sla_state,
        "sla_label": sla_label,
        # Comma-separated (a tag never holds a comma); staff lists only: requesters never see tags.
        "tags": ",".join(row.get("tags") or []) if staff else "",
        "sort_key": row["created_at"].isoformat(),
    }
