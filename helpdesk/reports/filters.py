"""The filters every chart on a report page shares: a local date range, teams, categories, priorities."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from helpdesk.core.errors import ValidationFailed
from helpdesk.models import Priority

MAX_RANGE_DAYS = 5 * 366
DEFAULT_RANGE_DAYS = 90
PRIORITIES = tuple(p.value for p in Priority)


@dataclass(frozen=True)
class ReportFilters:
    start: date
    end: date
    team_ids: tuple[int, ...] = ()
    category_ids: tuple[int, ...] = ()
    priorities: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        data["team_ids"], data["category_ids"], data["priorities"] = (
            list(self.team_ids), list(self.category_ids), list(self.priorities))
        return data

    def fingerprint(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:24]


def default_filters(today: date) -> ReportFilters:
    return ReportFilters(start=today - timedelta(days=DEFAULT_RANGE_DAYS - 1), end=today)


def _parse_date(value: Any, field: str, errors: dict[str, str]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[field] = "Use a date like 2026-01-31."
        return None


def _parse_ids(value: Any, field: str, errors: dict[str, str]) -> tuple[int, ...]:
    if value in (None, "", []):
        return ()
    items = value.split(",") if isinstance(value, str) else list(value)
    try:
        ids = tuple(sorted({int(item) for item in items if str(item).strip()}))
    except (TypeError, ValueError):
        errors[field] = "Choose from the list."
        return ()
    if len(ids) > 200 or any(i <= 0 for i in ids):
        errors[field] = "Choose from the list."
        return ()
    return ids


def parse_filters(data: Mapping[str, Any], today: date) -> ReportFilters:
    """Validated filters from a form or a query string; a bad value raises with a message per field."""
    errors: dict[str, str] = {}
    defaults = default_filters(today)
    start = _parse_date(data.get("start") or defaults.start, "start", errors)
    end = _parse_date(data.get("end") or defaults.end, "end", errors)
    if start and end:
        if end < start:
            errors["end"] = "The end date is before the start date."
        elif (end - start).days + 1 > MAX_RANGE_DAYS:
            errors["end"] = "Choose a range of at most five years."
    priorities_raw = data.get("priorities") or ()
    if isinstance(priorities_raw, str):
        priorities_raw = [p for p in priorities_raw.split(",") if p.strip()]
    priorities = tuple(sorted({str(p).strip() for p in priorities_raw}))
    if any(p not in PRIORITIES for p in priorities):
        errors["priorities"] = f"Priorities are {', '.join(PRIORITIES)}."
    team_ids = _parse_ids(data.get("team_ids"), "team_ids", errors)
    category_ids = _parse_ids(data.get("category_ids"), "category_ids", errors)
    if errors:
        raise ValidationFailed(errors)
    assert start is not None and end is not None
    return ReportFilters(start, end, team_ids, category_ids, priorities)
