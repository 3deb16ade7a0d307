"""Turns service data into the strings a page shows (times in the organisation's time zone), in the page's language
(`language`, 'en' by default; helpdesk/core/i18n.py)."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from helpdesk.core import app_settings, i18n
from helpdesk.core.i18n import N_
from helpdesk.models.base import utcnow

# English msgids: `i18n.translate(language, label)` where a label is shown.
STATUS_LABELS = {
    "new": N_("New"),
    "open": N_("Open"),
    "in_progress": N_("In progress"),
    "waiting_on_customer": N_("Waiting on you"),
    "resolved": N_("Resolved"),
    "closed": N_("Closed"),
}
STAFF_STATUS_LABELS = STATUS_LABELS | {"waiting_on_customer": N_("Waiting on customer")}
PRIORITY_LABELS = {"low": N_("Low"), "medium": N_("Medium"), "high": N_("High"), "critical": N_("Critical")}


def organisation_zone() -> str:
    return app_settings.value(None, "timezone")


def local_time(moment: datetime | None, language: str = i18n.DEFAULT_LANGUAGE, zone: str | None = None) -> str:
    """"06 Dec 2026, 20:17" in the organisation's time zone (Urdu month names in Urdu).

    A list passes `zone` read once (organisation_zone()): reading it costs a Redis round trip."""
    if moment is None:
        return ""
    return i18n.format_moment(moment, language, zone or organisation_zone())


def relative(moment: datetime | None, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """"3h ago" / "in 2d"; in Urdu Babel's words ("3 گھنٹے پہلے"): Urdu has no such compact forms."""
    if moment is None:
        return ""
    if language != i18n.DEFAULT_LANGUAGE:
        return i18n.format_relative(utcnow() - moment, language)
    seconds = (utcnow() - moment).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            amount = f"{int(seconds // size)}{unit}"
            return f"in {amount}" if future else f"{amount} ago"
    return "just now"


def overdue_by(moment: datetime, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """How long ago `moment` passed, as "3h" ("1m" at least: a deadline that just passed is overdue)."""
    seconds = max((utcnow() - moment).total_seconds(), 60)
    if language != i18n.DEFAULT_LANGUAGE:
        return i18n.format_duration(timedelta(seconds=seconds), language)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "1m"


def plural(count: int, one: str, many: str | None = None) -> str:
    """ "1 ticket", "2 tickets"."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def sla_badge(row: dict[str, Any], language: str = i18n.DEFAULT_LANGUAGE) -> tuple[str, str]:
    """(state, label) of a ticket's resolution clock: paused, breached, at_risk, running or "" when done."""
    if row["status"] in ("resolved", "closed"):
        return "", ""
    if row.get("sla_paused_at") or row["status"] == "waiting_on_customer":
        return "paused", i18n.translate(language, "Paused")
    due = row.get("sla_resolution_due")
    if row.get("sla_resolution_breached_at") or row.get("sla_first_response_breached_at") or (due and due < utcnow()):
        # A breached first response can come before the resolution deadline: then that deadline is still ahead.
        if due is None:
            return "breached", i18n.translate(language, "Breached")
        if due <= utcnow():
            return "breached", i18n.translate_format(language, "Overdue by {time}", time=overdue_by(due, language))
        return "breached", i18n.translate_format(language, "Due {when}", when=relative(due, language))
    if due is None:
        return "", ""
    warn_at = row.get("sla_resolution_warn_at")
    state = "at_risk" if warn_at and warn_at <= utcnow() else "running"
    return state, i18n.translate_format(language, "Due {when}", when=relative(due, language))


def ticket_rows(rows: list[dict[str, Any]], *, staff: bool,
                language: str = i18n.DEFAULT_LANGUAGE) -> list[dict[str, str]]:
    """A page of rows with the time zone read once, not once per row (a live push renders one for many tabs)."""
    zone = organisation_zone()
    return [ticket_row(row, staff=staff, language=language, zone=zone) for row in rows]


def ticket_row(row: dict[str, Any], *, staff: bool, language: str = i18n.DEFAULT_LANGUAGE,
               zone: str | None = None) -> dict[str, str]:
    labels = STAFF_STATUS_LABELS if staff else STATUS_LABELS
    sla_state, sla_label = sla_badge(row, language)
    tr = functools.partial(i18n.translate, language)
    return {
        "id": str(row["id"]),
        "number": f"#{row['number']}",
        "title": row["title"],
        "status": row["status"],
        "status_label": tr(labels[row["status"]]),
        "priority": row["priority"],
        "priority_label": tr(PRIORITY_LABELS[row["priority"]]),
        "category": row.get("category") or tr("Uncategorised"),
        "team": row.get("team") or tr("Unrouted"),
        "assignee": row.get("assignee") or tr("Unassigned"),
        "unassigned": "" if row.get("assignee") else "yes",
        "requester": row.get("requester") or "",
        "created": local_time(row["created_at"], language, zone),
        "created_ago": relative(row["created_at"], language),
        "updated_ago": relative(row["updated_at"], language),
        "sla": sla_state,
        "sla_label": sla_label,
        # Comma-separated (a tag never holds a comma); staff lists only: requesters never see tags.
        "tags": ",".join(row.get("tags") or []) if staff else "",
        "sort_key": row["created_at"].isoformat(),
    }
