"""Reading the audit log: filter by who, what, entity and date; keyset pages; CSV export safe for spreadsheets.

`audit_logs` is partitioned by month on occurred_at and grows without end, so every query is bounded by a date range
(PostgreSQL then reads only the partitions in it) and pages by (occurred_at, id) descending through the
idx_audit_logs_occurred index: page 1,000 costs what page 1 costs, with no OFFSET and no COUNT over the table.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, tuple_
from sqlmodel import Session, select

from helpdesk.core import app_settings
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.spreadsheet import SafeCsvWriter
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import AuditLog, User

PAGE_SIZE = 50
MAX_RANGE_DAYS = 366
MAX_EXPORT_ROWS = 100_000
CSV_HEADER = ["occurred_at", "actor_id", "actor", "action", "entity_type", "entity_id", "ip_address", "details"]


@dataclass(frozen=True)
class AuditFilter:
    start: date
    end: date  # inclusive, in the organisation's time zone
    who: str = ""  # name or e-mail fragment; "system" for entries without a person
    action: str = ""  # exact action, or a prefix ending in "." (e.g. "user.")
    entity_type: str = ""
    entity_id: str = ""


def _require_admin(by: Actor) -> None:
    if not policy.is_admin(by) or by.scopes is not None:
        raise PermissionDenied("Only administrators read the audit log.")


def parse_filter(start: str, end: str, who: str = "", action: str = "", entity_type: str = "",
                 entity_id: str = "") -> AuditFilter:
    """Checks the filter form; a bad date or a too-long range is a field error."""
    errors, dates = {}, {}
    for name, raw in (("start", start), ("end", end)):
        try:
            dates[name] = date.fromisoformat(str(raw).strip())
        except ValueError:
            errors[name] = N_("Enter a date as YYYY-MM-DD.")
    if not errors:
        if dates["end"] < dates["start"]:
            errors["end"] = N_("The end is before the start.")
        elif (dates["end"] - dates["start"]).days > MAX_RANGE_DAYS:
            errors["end"] = f"Choose at most {MAX_RANGE_DAYS} days."
    if errors:
        raise ValidationFailed(errors)
    return AuditFilter(dates["start"], dates["end"], who.strip()[:120], action.strip()[:100],
                       entity_type.strip()[:40], entity_id.strip()[:64])


def default_filter(session: Session, days: int = 7) -> AuditFilter:
    today = datetime.now(ZoneInfo(app_settings.value(session, "timezone"))).date()
    return AuditFilter(today - timedelta(days=days - 1), today)


def _bounds(session: Session, f: AuditFilter) -> tuple[datetime, datetime]:
    zone = ZoneInfo(app_settings.value(session, "timezone"))
    start = datetime.combine(f.start, time(0), zone).astimezone(UTC)
    end = datetime.combine(f.end + timedelta(days=1), time(0), zone).astimezone(UTC)
    return start, end


def _conditions(session: Session, f: AuditFilter) -> list[Any]:
    start, end = _bounds(session, f)
    conditions: list[Any] = [AuditLog.occurred_at >= start, AuditLog.occurred_at < end]
    if f.who.lower() == "system":
        conditions.append(AuditLog.actor_id.is_(None))
    elif f.who:
        pattern = "%" + f.who.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        people = select(User.id).where(or_(func.lower(User.email).like(pattern),
                                           func.lower(User.full_name).like(pattern)))
        conditions.append(AuditLog.actor_id.in_(people))
    if f.action.endswith("."):
        conditions.append(AuditLog.action.startswith(f.action, autoescape=True))
    elif f.action:
        conditions.append(AuditLog.action == f.action)
    if f.entity_type:
        conditions.append(AuditLog.entity_type == f.entity_type)
    if f.entity_id:
        conditions.append(AuditLog.entity_id == f.entity_id)
    return conditions


def encode_cursor(row: AuditLog) -> str:
    return f"{row.occurred_at.isoformat()}|{row.id}"


def _decode_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    if not cursor:
        return None
    try:
        at, row_id = cursor.split("|")
        return datetime.fromisoformat(at), int(row_id)
    except ValueError as exc:
        raise ValidationFailed({"cursor": N_("Unknown page.")}) from exc


def _rows(session: Session, f: AuditFilter, after: tuple[datetime, int] | None, limit: int) -> list[AuditLog]:
    query = select(AuditLog).where(*_conditions(session, f))
    if after is not None:
        query = query.where(tuple_(AuditLog.occurred_at, AuditLog.id) < tuple_(after[0], after[1]))
    return list(session.exec(query.order_by(AuditLog.occurred_at.desc(), AuditLog.id.desc()).limit(limit)).all())


def _names(session: Session, rows: list[AuditLog]) -> dict[int, str]:
    ids = {r.actor_id for r in rows if r.actor_id is not None}
    if not ids:
        return {}
    return {uid: f"{name} <{email}>" for uid, name, email in
            session.exec(select(User.id, User.full_name, User.email).where(User.id.in_(ids))).all()}


def _as_dict(row: AuditLog, names: dict[int, str]) -> dict[str, Any]:
    return {"id": row.id, "occurred_at": row.occurred_at, "actor_id": row.actor_id,
            "actor": names.get(row.actor_id, "") if row.actor_id is not None else "system",
            "action": row.action, "entity_type": row.entity_type, "entity_id": row.entity_id,
            "ip_address": row.ip_address, "details": row.details or {}}


def page(session: Session, by: Actor, f: AuditFilter, cursor: str | None = None,
         limit: int = PAGE_SIZE) -> tuple[list[dict[str, Any]], str | None]:
    """One page, newest first, and the cursor of the next page (None on the last)."""
    _require_admin(by)
    limit = max(1, min(limit, 500))
    rows = _rows(session, f, _decode_cursor(cursor), limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    names = _names(session, rows)
    return [_as_dict(r, names) for r in rows], encode_cursor(rows[-1]) if more and rows else None


def actions(session: Session, by: Actor) -> list[str]:
    """The action names seen in the last 90 days, for the filter's choices (one pruned, index-only scan)."""
    _require_admin(by)
    since = datetime.now(UTC) - timedelta(days=90)
    return list(session.exec(select(AuditLog.action).where(AuditLog.occurred_at >= since).distinct()
                             .order_by(AuditLog.action)).all())


def export_csv(session: Session, by: Actor, f: AuditFilter) -> Iterator[str]:
    """The filtered entries as CSV text chunks, newest first, fetched in keyset batches (bounded memory)."""
    _require_admin(by)
    zone = ZoneInfo(app_settings.value(session, "timezone"))
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)  # a cell a spreadsheet would run as a formula is written as text
    writer.writerow(CSV_HEADER)
    after, sent = None, 0
    while sent < MAX_EXPORT_ROWS:
        rows = _rows(session, f, after, min(1000, MAX_EXPORT_ROWS - sent))
        if not rows:
            break
        names = _names(session, rows)
        for row in rows:
            item = _as_dict(row, names)
            writer.writerow((
                item["occurred_at"].astimezone(zone).isoformat(timespec="seconds"), item["actor_id"] or "",
                item["actor"], item["action"], item["entity_type"], item["entity_id"], item["ip_address"],
                json.dumps(item["details"], sort_keys=True, default=str) if item["details"] else ""))
        sent += len(rows)
        after = (rows[-1].occurred_at, rows[-1].id)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.getvalue():
        yield buffer.getvalue()
