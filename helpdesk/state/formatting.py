"""Turns service data into the strings a page shows (times in the organisation's time zone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk.models.base import utcnow
from helpdesk.settings import get_settings

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
    return moment.astimezone(ZoneInfo(get_settings().timezone)).strftime("%d %b %Y, %H:%M")


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


def ticket_row(row: dict[str, Any], *, staff: bool) -> dict[str, str]:
    labels = STAFF_STATUS_LABELS if staff else STATUS_LABELS
    due = row.get("sla_resolution_due")
    overdue = bool(due and due < utcnow() and row["status"] not in ("resolved", "closed"))
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
        "due": relative(due) if due and row["status"] not in ("resolved", "closed") else "",
        "overdue": "yes" if overdue else "",
        "sort_key": row["created_at"].isoformat(),
    }
