"""Keeps the daily rollups in step with the tickets, so reports never count ticket rows.

A day's rows are always rebuilt whole from the tickets (delete + insert in one transaction), which makes every
refresh idempotent: the beat job recomputes the local days touched by tickets that changed since its watermark
(with an overlap for transactions that committed late), and `rebuild()` recomputes any range from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core.db import session_scope
from helpdesk.core.settings import get_settings
from helpdesk.models import RollupState
from helpdesk.models.base import utcnow
from helpdesk.models.reports import BUCKET_COUNT, FIRST_RESPONSE_BUCKETS_H, RESOLUTION_BUCKETS_H

ROLLUP_NAME = "daily"
# Transactions can commit a little after the `updated_at` they wrote; re-reading this much of the past is cheap.
WATERMARK_OVERLAP = timedelta(minutes=5)
MONTHLY_VIEW = "monthly_ticket_metrics"

# Every measure of report_daily_metrics, in table order; each SELECT branch below gives a value for all of them.
DAILY_MEASURES = (
    "created", "resolved", "first_responses", "first_response_seconds", "first_response_sla", "first_response_met",
    "resolution_seconds", "resolution_sla", "resolution_met",
    *(f"fr_b{i}" for i in range(BUCKET_COUNT)), *(f"res_b{i}" for i in range(BUCKET_COUNT)),
    "ai_suggested", "ai_suggestion_correct", "ai_confident", "ai_confident_correct", "ai_decisions", "ai_accepted",
)
DAILY_DIMENSIONS = ("team_id", "category_id", "priority", "ai_category_id")
AGENT_MEASURES = ("resolved", "resolution_seconds", "resolution_sla", "resolution_met", "first_responses",
                  "first_response_seconds")
AGENT_DIMENSIONS = ("assignee_id", "team_id", "category_id", "priority")

_DIMENSION_SQL = {
    "team_id": "COALESCE(t.team_id, 0)",
    "category_id": "COALESCE(t.category_id, 0)",
    "priority": "t.priority",
    "ai_category_id": "COALESCE(t.ai_suggested_category_id, 0)",
    "assignee_id": "t.assignee_id",
}

FIRST_RESPONSE_SECONDS = "EXTRACT(EPOCH FROM (t.first_responded_at - t.created_at))"
RESOLUTION_SECONDS = "EXTRACT(EPOCH FROM (t.resolved_at - t.created_at))"
# Merged duplicates were never worked on their own: they count as filed, not against the SLA.
HAS_FIRST_RESPONSE_SLA = ("(t.merged_into_id IS NULL AND (t.sla_policy_id IS NOT NULL "
                          "OR t.sla_first_response_due IS NOT NULL OR t.sla_first_response_breached_at IS NOT NULL))")
HAS_RESOLUTION_SLA = ("(t.merged_into_id IS NULL AND (t.sla_policy_id IS NOT NULL "
                      "OR t.sla_resolution_due IS NOT NULL OR t.sla_resolution_breached_at IS NOT NULL))")
# Met = never flagged by the scan and not late against the deadline it kept (paused time already moved it).
FIRST_RESPONSE_MET = (f"({HAS_FIRST_RESPONSE_SLA} AND t.sla_first_response_breached_at IS NULL AND "
                      "(t.sla_first_response_due IS NULL OR t.first_responded_at <= t.sla_first_response_due))")
RESOLUTION_MET = (f"({HAS_RESOLUTION_SLA} AND t.sla_resolution_breached_at IS NULL AND "
                  "(t.sla_resolution_due IS NULL OR t.resolved_at <= t.sla_resolution_due))")


def _bucket_sql(seconds_sql: str, bounds_hours: tuple[float, ...], prefix: str) -> dict[str, str]:
    """One 0/1 column per bucket: the bucket the duration falls in."""
    columns: dict[str, str] = {}
    lower: float | None = None
    for index, upper in enumerate((*bounds_hours, None)):
        conditions = []
        if lower is not None:
            conditions.append(f"{seconds_sql} >= {lower * 3600}")
        if upper is not None:
            conditions.append(f"{seconds_sql} < {upper * 3600}")
        columns[f"{prefix}{index}"] = f"({' AND '.join(conditions)})::int"
        lower = upper
    return columns


def _branch(day_column: str, where: str, values: dict[str, str], dimensions: tuple[str, ...],
            measures: tuple[str, ...], joins: str = "") -> str:
    """One SELECT giving, per ticket, its day, its dimensions and a value (default 0) for every measure."""
    select_list = [f"(t.{day_column} AT TIME ZONE :tz)::date AS day"]
    select_list += [f"{_DIMENSION_SQL[d]} AS {d}" for d in dimensions]
    select_list += [f"{values.get(m, '0')} AS {m}" for m in measures]
    return (f"SELECT {', '.join(select_list)} FROM tickets t {joins} "
            f"WHERE t.deleted_at IS NULL AND t.{day_column} >= :start AND t.{day_column} < :end AND ({where})")


def _insert_sql(table: str, branches: list[str], dimensions: tuple[str, ...], measures: tuple[str, ...]) -> str:
    keys = ("day", *dimensions)
    sums = ", ".join(f"SUM({m})" for m in measures)
    return (f"INSERT INTO {table} ({', '.join((*keys, *measures))}) "
            f"SELECT {', '.join(keys)}, {sums} FROM ({' UNION ALL '.join(branches)}) AS facts "
            f"GROUP BY {', '.join(keys)}")


def _daily_sql() -> str:
    latest_category_decision = (
        "LEFT JOIN LATERAL (SELECT f.accepted FROM ai_feedback f WHERE f.ticket_id = t.id AND f.field = 'category' "
        "ORDER BY f.created_at DESC, f.id DESC LIMIT 1) AS decision ON TRUE "
        "LEFT JOIN categories category ON category.id = t.category_id"
    )
    suggested = "t.ai_suggested_category_id IS NOT NULL"
    # The model names top-level categories; a ticket filed under one of its sub-categories agrees with it.
    correct = f"({suggested} AND COALESCE(t.ai_suggested_category_id IN (t.category_id, category.parent_id), FALSE))"
    confident = f"({suggested} AND COALESCE(t.ai_confidence, 0) >= :threshold)"
    created = {
        "created": "1",
        "ai_suggested": f"({suggested})::int",
        "ai_suggestion_correct": f"{correct}::int",
        "ai_confident": f"{confident}::int",
        "ai_confident_correct": f"({confident} AND {correct})::int",
        "ai_decisions": "(decision.accepted IS NOT NULL)::int",
        "ai_accepted": "COALESCE(decision.accepted, FALSE)::int",
    }
    first_response = {
        "first_responses": "1",
        "first_response_seconds": f"{FIRST_RESPONSE_SECONDS}::bigint",
        "first_response_sla": f"{HAS_FIRST_RESPONSE_SLA}::int",
        "first_response_met": f"{FIRST_RESPONSE_MET}::int",
        **_bucket_sql(FIRST_RESPONSE_SECONDS, FIRST_RESPONSE_BUCKETS_H, "fr_b"),
    }
    resolved = {
        "resolved": "1",
        "resolution_seconds": f"{RESOLUTION_SECONDS}::bigint",
        "resolution_sla": f"{HAS_RESOLUTION_SLA}::int",
        "resolution_met": f"{RESOLUTION_MET}::int",
        **_bucket_sql(RESOLUTION_SECONDS, RESOLUTION_BUCKETS_H, "res_b"),
    }
    dims, measures = DAILY_DIMENSIONS, DAILY_MEASURES
    branches = [
        _branch("created_at", "TRUE", created, dims, measures, latest_category_decision),
        _branch("first_responded_at", "TRUE", first_response, dims, measures),
        # Unanswered tickets that missed the first-response target count as misses on the day they breached.
        _branch("sla_first_response_breached_at", f"t.first_responded_at IS NULL AND {HAS_FIRST_RESPONSE_SLA}",
                {"first_response_sla": "1"}, dims, measures),
        _branch("resolved_at", "TRUE", resolved, dims, measures),
        _branch("sla_resolution_breached_at", f"t.resolved_at IS NULL AND {HAS_RESOLUTION_SLA}",
                {"resolution_sla": "1"}, dims, measures),
    ]
    return _insert_sql("report_daily_metrics", branches, dims, measures)


def _agent_sql() -> str:
    dims, measures = AGENT_DIMENSIONS, AGENT_MEASURES
    branches = [
        _branch("resolved_at", "t.assignee_id IS NOT NULL", {
            "resolved": "1", "resolution_seconds": f"{RESOLUTION_SECONDS}::bigint",
            "resolution_sla": f"{HAS_RESOLUTION_SLA}::int", "resolution_met": f"{RESOLUTION_MET}::int",
        }, dims, measures),
        _branch("first_responded_at", "t.assignee_id IS NOT NULL", {
            "first_responses": "1", "first_response_seconds": f"{FIRST_RESPONSE_SECONDS}::bigint",
        }, dims, measures),
    ]
    return _insert_sql("report_daily_agent_metrics", branches, dims, measures)


DAILY_INSERT = _daily_sql()
AGENT_INSERT = _agent_sql()


def local_zone() -> ZoneInfo:
    return ZoneInfo(get_settings().timezone)


def local_today() -> date:
    return datetime.now(local_zone()).date()


def day_bounds(first_day: date, last_day: date, zone: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """The instants where local `first_day` starts and local `last_day` ends."""
    zone = zone or local_zone()
    return (datetime.combine(first_day, time.min, zone), datetime.combine(last_day + timedelta(days=1), time.min, zone))


def contiguous_runs(days: Iterable[date]) -> list[tuple[date, date]]:
    runs: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if runs and day == runs[-1][1] + timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def refresh_days(session: Session, first_day: date, last_day: date) -> None:
    """Rebuilds both rollups for local days first_day..last_day (inclusive) in the caller's transaction."""
    start, end = day_bounds(first_day, last_day)
    params = {"start": start, "end": end, "tz": get_settings().timezone,
              "threshold": get_settings().ai_auto_apply_threshold, "first": first_day, "last": last_day}
    for table in ("report_daily_metrics", "report_daily_agent_metrics"):
        session.execute(text(f"DELETE FROM {table} WHERE day BETWEEN :first AND :last"), params)
    session.execute(text(DAILY_INSERT), params)
    session.execute(text(AGENT_INSERT), params)


# Local days a changed ticket can have rows on: filed, answered, resolved, breached.
DIRTY_DAYS_SQL = """
WITH changed AS (
    SELECT id FROM tickets WHERE updated_at > :since
    UNION SELECT id FROM tickets WHERE sla_first_response_breached_at > :since
    UNION SELECT id FROM tickets WHERE sla_resolution_breached_at > :since
    UNION SELECT ticket_id FROM ai_predictions WHERE created_at > :since
    UNION SELECT ticket_id FROM ai_feedback WHERE created_at > :since
)
SELECT DISTINCT (moment AT TIME ZONE :tz)::date AS day
FROM tickets t JOIN changed c ON c.id = t.id
CROSS JOIN LATERAL (VALUES (t.created_at), (t.first_responded_at), (t.resolved_at),
                           (t.sla_first_response_breached_at), (t.sla_resolution_breached_at)) AS m(moment)
WHERE moment IS NOT NULL
"""


def refresh_changed(now: datetime | None = None) -> int:
    """Brings the rollups up to date with every ticket changed since the last run; returns the days rebuilt.

    One run at a time (a transaction-scoped advisory lock); a second caller returns 0 at once.
    """
    now = now or utcnow()
    with session_scope() as session:
        if not session.execute(text("SELECT pg_try_advisory_xact_lock(hashtext('report-rollups'))")).scalar():
            return 0
        state = session.get(RollupState, ROLLUP_NAME, with_for_update=True)
        if state is None:
            state = RollupState(name=ROLLUP_NAME)
        since = (state.watermark - WATERMARK_OVERLAP) if state.watermark else datetime(1970, 1, 1, tzinfo=now.tzinfo)
        days = session.execute(text(DIRTY_DAYS_SQL), {"since": since, "tz": get_settings().timezone}).scalars().all()
        for first_day, last_day in contiguous_runs(days):
            refresh_days(session, first_day, last_day)
        state.watermark, state.refreshed_at = now, utcnow()
        session.add(state)
    return len(days)


def rebuild(first_day: date, last_day: date, *, chunk_days: int = 31) -> None:
    """Recomputes a whole range (after an import or a time-zone change), a month per transaction."""
    day = first_day
    while day <= last_day:
        chunk_end = min(last_day, day + timedelta(days=chunk_days - 1))
        with session_scope() as session:
            refresh_days(session, day, chunk_end)
        day = chunk_end + timedelta(days=1)


def refresh_monthly_view() -> None:
    """REFRESH ... CONCURRENTLY: readers keep the old contents until the new ones are ready."""
    with session_scope() as session:
        populated = session.execute(
            text("SELECT ispopulated FROM pg_matviews WHERE matviewname = :name"), {"name": MONTHLY_VIEW}
        ).scalar()
        concurrently = "CONCURRENTLY " if populated else ""
        session.execute(text(f"REFRESH MATERIALIZED VIEW {concurrently}{MONTHLY_VIEW}"))
