"""The numbers behind every report page, from the rollups and the monthly view (never from ticket rows).

A report is a JSON-ready dict: a title, headline figures, and charts. Each chart carries its title, unit, axis
labels and series, and the same numbers as a table, so the page, the CSV and the PDF all show one thing.
Results are cached in Redis for five minutes (the spec's aggregate TTL) under `report:<name>:<filters>`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core import app_settings, cache
from helpdesk.core.errors import NotFound, PermissionDenied
from helpdesk.core.settings import get_settings
from helpdesk.identity import directory, policy
from helpdesk.identity.actor import Actor
from helpdesk.models import OPEN_STATUSES
from helpdesk.models.reports import FIRST_RESPONSE_BUCKETS_H, RESOLUTION_BUCKETS_H
from helpdesk.reports.filters import ReportFilters
from helpdesk.reports.rollups import day_bounds, local_zone

REPORT_CACHE_TTL_SECONDS = 300  # spec 4.3.3: aggregates, 5 minutes
BREACH_LIST_LIMIT = 100
AGE_BUCKETS = (("under 1 day", 0, 1), ("1-3 days", 1, 3), ("3-7 days", 3, 7), ("7-30 days", 7, 30),
               ("over 30 days", 30, None))

Report = dict[str, Any]
Chart = dict[str, Any]


def ensure_can_view_reports(actor: Actor) -> None:
    if not policy.reads_reports(actor):
        raise PermissionDenied("Reports are for managers and admins.")


# ---------------------------------------------------------------- building blocks


def _bucket_labels(bounds: tuple[float, ...]) -> list[str]:
    def fmt(hours: float) -> str:
        return f"{hours:g} h" if hours < 24 else f"{hours / 24:g} d"

    def span(low: float, high: float) -> str:
        if (low < 24) == (high < 24):  # same unit: "4-8 h", "1-3 d"
            return f"{fmt(low).split()[0]}-{fmt(high)}"
        return f"{fmt(low)}-{fmt(high)}"

    labels = [f"under {fmt(bounds[0])}"]
    labels += [span(low, high) for low, high in zip(bounds, bounds[1:], strict=False)]
    labels.append(f"over {fmt(bounds[-1])}")
    return labels


FIRST_RESPONSE_BUCKET_LABELS = _bucket_labels(FIRST_RESPONSE_BUCKETS_H)
RESOLUTION_BUCKET_LABELS = _bucket_labels(RESOLUTION_BUCKETS_H)


def grain_for(filters: ReportFilters) -> str:
    if filters.days <= 62:
        return "day"
    if filters.days <= 370:
        return "week"
    return "month"


def periods(filters: ReportFilters, grain: str) -> list[date]:
    """Every period start in the range, so quiet periods show as zero rather than vanish."""
    result, day = [], _period_start(filters.start, grain)
    while day <= filters.end:
        result.append(day)
        if grain == "day":
            day += timedelta(days=1)
        elif grain == "week":
            day += timedelta(days=7)
        else:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return result


def period_label(day: date, grain: str) -> str:
    """Months read as "Mar 2026"; days and weeks (by their Monday) as ISO dates, drawn on a date axis."""
    return day.strftime("%b %Y") if grain == "month" else day.isoformat()


def period_title(grain: str) -> str:
    return {"day": "Day", "week": "Week starting", "month": "Month"}[grain]


def _period_sql(grain: str, column: str = "day") -> str:
    return column if grain == "day" else f"date_trunc('{grain}', {column})::date"


def pct(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def hours(seconds: float, count: float) -> float | None:
    return round(seconds / count / 3600.0, 1) if count else None


def chart(key: str, title: str, unit: str, x_title: str, x: list[Any], series: list[dict[str, Any]], *,
          kind: str = "bar", note: str = "", stacked: bool = False) -> Chart:
    """A chart and the table of the same numbers (one row per x value, one column per series)."""
    columns = [x_title, *(s["name"] for s in series)]
    rows = [[label, *(s["values"][i] for s in series)] for i, label in enumerate(x)]
    empty = not any(v for s in series for v in s["values"] if v)
    x_type = "date" if x_title in ("Day", "Week starting") else "category"
    return {"key": key, "title": title, "unit": unit, "x_title": x_title, "x_type": x_type, "x": x,
            "series": series, "kind": kind,
            "stacked": stacked, "note": note, "columns": columns, "rows": rows, "empty": empty}


def plotted_series(chart: Chart) -> list[dict[str, Any]]:
    """The series drawn on the chart's one axis: those in the chart's unit. The others (a percentage next to
    counts, counts next to hours) stay in the table below it."""
    def unit_of(series: dict[str, Any]) -> str:
        # A report shown in another language (labels.localise) carries each series' English unit along.
        name = series.get("axis_unit") or series["name"]
        return name if "axis_unit" in series else "%" if "%" in name else "hours" if "(h)" in name else "count"

    unit = chart.get("axis_unit", chart["unit"])
    axis = "%" if unit in ("%", "% met") else "hours" if unit == "hours" else "count"
    return [s for s in chart["series"] if unit_of(s) == axis]


def table_chart(key: str, title: str, columns: list[str], rows: list[list[Any]], note: str = "") -> Chart:
    return {"key": key, "title": title, "unit": "", "x_title": "", "x_type": "category", "x": [], "series": [],
            "kind": "table",
            "stacked": False, "note": note, "columns": columns, "rows": rows, "empty": not rows}


class _Lookup:
    """Names for ids in the rollups (0 = none)."""

    def __init__(self, session: Session) -> None:
        self.categories = {c["id"]: c["label"] for c in directory.category_options(session)}
        self.teams = {t["id"]: t["label"] for t in directory.team_options(session)}
        self._session = session

    def category(self, category_id: int) -> str:
        return self.categories.get(category_id, "Uncategorised" if not category_id else f"Category {category_id}")

    def team(self, team_id: int) -> str:
        return self.teams.get(team_id, "No team" if not team_id else f"Team {team_id}")

    def users(self, ids: Iterable[int]) -> dict[int, str]:
        ids = [i for i in ids if i]
        if not ids:
            return {}
        rows = self._session.execute(text("SELECT id, full_name FROM users WHERE id = ANY(:ids)"), {"ids": ids})
        return {row.id: row.full_name for row in rows}


def expand_categories(session: Session, category_ids: tuple[int, ...]) -> list[int]:
    """A chosen category covers its sub-categories too."""
    if not category_ids:
        return []
    children: dict[int, list[int]] = {}
    for option in directory.category_options(session):
        if option["parent_id"]:
            children.setdefault(option["parent_id"], []).append(option["id"])
    result, pending = set(), list(category_ids)
    while pending:
        current = pending.pop()
        if current not in result:
            result.add(current)
            pending.extend(children.get(current, []))
    return sorted(result)


def _where(session: Session, filters: ReportFilters, *, alias: str = "",
           dated: str | None = "day") -> tuple[str, dict[str, Any]]:
    """SQL conditions for the filters (on a rollup's `day`, or with `dated=None` on ticket rows)."""
    prefix = f"{alias}." if alias else ""
    conditions, params = ["TRUE"], {}
    if dated:
        conditions.append(f"{prefix}{dated} BETWEEN :start AND :end")
        params.update(start=filters.start, end=filters.end)
    if filters.team_ids:
        conditions.append(f"{prefix}team_id = ANY(:team_ids)")
        params["team_ids"] = list(filters.team_ids)
    if filters.category_ids:
        conditions.append(f"{prefix}category_id = ANY(:category_ids)")
        params["category_ids"] = expand_categories(session, filters.category_ids)
    if filters.priorities:
        conditions.append(f"{prefix}priority = ANY(:priorities)")
        params["priorities"] = list(filters.priorities)
    return " AND ".join(conditions), params


def _series_by_period(session: Session, filters: ReportFilters, grain: str, measures: dict[str, str],
                      table: str = "report_daily_metrics") -> tuple[list[date], dict[str, list[float]]]:
    return _fold_periods(_cube(session, filters, measures, grain, table=table), filters, grain, measures)


def _cube(session: Session, filters: ReportFilters, measures: dict[str, str], grain: str | None,
          dims: tuple[str, ...] = (), table: str = "report_daily_metrics") -> list[dict[str, Any]]:
    """Sums of `measures` per period (at `grain`) and per value of the rollup columns `dims`, in ONE pass.

    A 12-month range is ~190k rollup rows at a million tickets and every pass over them costs ~40 ms, so each
    report reads the rollup once at the finest grouping it needs (a few hundred to a few thousand rows) and
    folds periods, per-team/category figures and totals from that in Python. A plain GROUP BY, not GROUPING
    SETS: PostgreSQL 15 aggregates the former in parallel and the latter on one core.
    """
    where, params = _where(session, filters)
    keys = [*([f"{_period_sql(grain)} AS period"] if grain else []), *dims]
    select_list = ", ".join(f"{expr} AS {name}" for name, expr in measures.items())
    rows = session.execute(text(
        f"SELECT {', '.join(keys)}, {select_list} FROM {table} WHERE {where} "
        f"GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}"
    ), params).mappings().all()
    return [{"period": r["period"] if grain else None, **{d: r[d] for d in dims},
             **{name: float(r[name] or 0) for name in measures}} for r in rows]


def _period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())  # ISO weeks, like date_trunc('week')
    if grain == "month":
        return day.replace(day=1)
    return day


def _fold_periods(rows: list[dict[str, Any]], filters: ReportFilters, grain: str,
                  measures: dict[str, str]) -> tuple[list[date], dict[str, list[float]]]:
    """Sums per period of `grain` (the rows' periods are that grain or finer); every period of the range is
    present, quiet ones as zero."""
    all_periods = periods(filters, grain)
    sums = {p: dict.fromkeys(measures, 0.0) for p in all_periods}
    for row in rows:
        bucket = sums.get(_period_start(row["period"], grain))
        if bucket is not None:
            for name in measures:
                bucket[name] += row[name]
    return all_periods, {name: [sums[p][name] for p in all_periods] for name in measures}


def _sum_rows(rows: Iterable[dict[str, Any]], measures: dict[str, str]) -> dict[str, float]:
    totals = dict.fromkeys(measures, 0.0)
    for row in rows:
        for name in measures:
            totals[name] += row[name]
    return totals


def _grouped_rows(rows: list[dict[str, Any]], dim: str, measures: dict[str, str]) -> list[dict[str, Any]]:
    """Sums per value of one dimension, as [{"grp": value, measure: sum, ...}]."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[dim], []).append(row)
    return [{"grp": key, **_sum_rows(members, measures)} for key, members in groups.items()]


def figure(label: str, value: Any, unit: str = "") -> dict[str, Any]:
    shown = "–" if value is None else (f"{value:,.0f}" if isinstance(value, int | float) and unit == "" else
                                       f"{value:,.1f}{unit}" if isinstance(value, float) else f"{value}{unit}")
    return {"label": label, "value": shown}


# ---------------------------------------------------------------- the reports


def volume_report(session: Session, filters: ReportFilters) -> Report:
    grain = grain_for(filters)
    all_periods, values = _series_by_period(session, filters, grain,
                                            {"created": "SUM(created)", "resolved": "SUM(resolved)"})
    labels = [period_label(p, grain) for p in all_periods]
    created, resolved = sum(values["created"]), sum(values["resolved"])
    charts = [chart("volume", f"Tickets created and resolved per {grain}", "tickets", period_title(grain), labels,
                    [{"name": "Created", "values": values["created"]},
                     {"name": "Resolved", "values": values["resolved"]}], kind="line")]
    charts.append(_monthly_status_chart(session, filters))
    charts.extend(backlog_charts(session, filters))
    return {"name": "volume", "title": "Volume and backlog", "grain": grain, "figures": [
        figure("Created", created), figure("Resolved", resolved), figure("Net change", created - resolved),
        figure("Open now", sum(sum(s["values"]) for s in charts[-2]["series"])),
    ], "charts": charts}


def _monthly_status_chart(session: Session, filters: ReportFilters) -> Chart:
    """From the spec's materialized view: how each month's tickets stand today, by status."""
    where, params = _where(session, filters, dated=None)
    params.update(first_month=filters.start.replace(day=1), end=filters.end)
    rows = session.execute(text(
        f"SELECT month, status, SUM(ticket_count) AS n FROM monthly_ticket_metrics "
        f"WHERE {where} AND month BETWEEN :first_month AND :end GROUP BY 1, 2"
    ), params).all()
    months = periods(ReportFilters(filters.start.replace(day=1), filters.end), "month")
    statuses = sorted({r.status for r in rows}, key=_status_order)
    counts = {(r.month, r.status): float(r.n) for r in rows}
    series = [{"name": _status_label(s), "values": [counts.get((m, s), 0.0) for m in months]} for s in statuses]
    return chart("monthly_status", "Tickets filed per month, by status today", "tickets", "Month",
                 [period_label(m, "month") for m in months], series, stacked=True,
                 note="From the monthly metrics view, refreshed every hour.")


_STATUS_ORDER = ("new", "open", "in_progress", "waiting_on_customer", "resolved", "closed")


def _status_order(status: str) -> int:
    return _STATUS_ORDER.index(status) if status in _STATUS_ORDER else len(_STATUS_ORDER)


def _status_label(status: str) -> str:
    return status.replace("_", " ").capitalize()


def backlog_charts(session: Session, filters: ReportFilters) -> list[Chart]:
    """Open tickets as they stand now (the date range does not apply: a backlog is a snapshot)."""
    where, params = _where(session, filters, alias="t", dated=None)
    age_cases = " ".join(
        f"WHEN now() - t.created_at < interval '{high} days' THEN {index}"
        for index, (_label, _low, high) in enumerate(AGE_BUCKETS) if high is not None
    )
    params["open_statuses"] = list(OPEN_STATUSES)
    rows = session.execute(text(
        f"SELECT t.status, CASE {age_cases} ELSE {len(AGE_BUCKETS) - 1} END AS age, COUNT(*) AS n "
        f"FROM tickets t WHERE t.deleted_at IS NULL AND t.status = ANY(:open_statuses) AND {where} GROUP BY 1, 2"
    ), params).all()
    statuses = [s for s in _STATUS_ORDER if s in OPEN_STATUSES]
    counts = {(r.status, r.age): float(r.n) for r in rows}
    by_status = chart("backlog_status", "Open tickets now, by status", "tickets", "Status",
                      [_status_label(s) for s in statuses],
                      [{"name": "Open tickets", "values": [sum(counts.get((s, a), 0.0) for a in range(len(AGE_BUCKETS)))
                                                           for s in statuses]}],
                      note="A snapshot of now; the date range does not apply.")
    by_age = chart("backlog_age", "Open tickets now, by age and status", "tickets", "Age",
                   [label for label, _low, _high in AGE_BUCKETS],
                   [{"name": _status_label(s), "values": [counts.get((s, a), 0.0) for a in range(len(AGE_BUCKETS))]}
                    for s in statuses], stacked=True, note="Age is the time since the ticket was filed.")
    return [by_status, by_age]


def sla_report(session: Session, filters: ReportFilters) -> Report:
    measures = {"fr_sla": "SUM(first_response_sla)", "fr_met": "SUM(first_response_met)",
                "res_sla": "SUM(resolution_sla)", "res_met": "SUM(resolution_met)"}
    by_day = _cube(session, filters, measures, "day")
    charts = []
    for grain in ("day", "week"):
        all_periods, v = _fold_periods(by_day, filters, grain, measures)
        labels = [period_label(p, grain) for p in all_periods]
        charts.append(chart(
            f"sla_{grain}", f"SLA compliance per {grain}", "% met", period_title(grain), labels,
            [{"name": "First response met (%)",
              "values": [pct(m, n) for m, n in zip(v["fr_met"], v["fr_sla"], strict=True)]},
             {"name": "Resolution met (%)",
              "values": [pct(m, n) for m, n in zip(v["res_met"], v["res_sla"], strict=True)]},
             {"name": "Resolution targets due", "values": v["res_sla"]}],
            kind="line",
            note="A ticket counts on the day it was answered or resolved, or the day it breached while still open."
                 " Time waiting on the customer does not count against the target."))
    totals = _sum_rows(by_day, measures)
    breaches, breach_total = breach_list(session, filters, limit=BREACH_LIST_LIMIT)
    charts.append(table_chart(
        "breaches", f"Breached tickets ({breach_total:,} in the range)", BREACH_COLUMNS, breaches,
        note=f"The {BREACH_LIST_LIMIT} most recent; the CSV export has all of them." if breach_total > len(breaches)
        else ""))
    return {"name": "sla", "title": "SLA compliance", "grain": "day", "figures": [
        figure("First response met", pct(totals["fr_met"], totals["fr_sla"]), " %"),
        figure("Resolution met", pct(totals["res_met"], totals["res_sla"]), " %"),
        figure("First-response breaches", totals["fr_sla"] - totals["fr_met"]),
        figure("Resolution breaches", totals["res_sla"] - totals["res_met"]),
    ], "charts": charts, "breach_total": breach_total}


BREACH_COLUMNS = ["Ticket", "Title", "Team", "Priority", "Target missed", "Breached at", "Status"]


def _breach_branches(session: Session, filters: ReportFilters, columns: str,
                     each: str = "") -> tuple[str, dict[str, Any]]:
    """Breaches during the range, one SELECT per clock joined by UNION ALL (`each` ends every branch).

    Each branch is a range on its own breach index (moment and id, covering the filter columns), so the newest
    rows come from two backward index scans and the count from index-only scans; a single OR over both columns
    made PostgreSQL fetch every breached ticket of the range from the heap (~60k at a million tickets).
    """
    where, params = _where(session, filters, alias="t", dated=None)
    start, end = day_bounds(filters.start, filters.end)
    params.update(start_at=start, end_at=end)
    branches = [
        f"(SELECT {columns.format(clock=clock, column=column)} FROM tickets t WHERE t.deleted_at IS NULL "
        f"AND t.{column} >= :start_at AND t.{column} < :end_at AND {where} {each})"
        for clock, column in (("First response", "sla_first_response_breached_at"),
                              ("Resolution", "sla_resolution_breached_at"))
    ]
    return " UNION ALL ".join(branches), params


def breach_query(session: Session, filters: ReportFilters,
                 limit: int | None = None) -> tuple[str, dict[str, Any]]:
    """Tickets that missed a target during the range, newest first (SQL and parameters, for pages and exports).

    With a limit, each branch stops at `limit` rows too: PostgreSQL does not merge the two ordered index scans
    through the UNION on its own, and would sort every breach of the range to keep the newest 100.
    """
    newest = "ORDER BY at DESC, id DESC" + (" LIMIT :limit" if limit is not None else "")
    union, params = _breach_branches(
        session, filters,
        "t.id, t.number, t.title, t.team_id, t.priority, t.status, '{clock}' AS clock, t.{column} AS at",
        each=newest if limit is not None else "")
    if limit is not None:
        params["limit"] = limit
    return f"SELECT * FROM ({union}) AS b {newest}", params


def breach_count(session: Session, filters: ReportFilters) -> int:
    union, params = _breach_branches(session, filters, "1")
    return int(session.execute(text(f"SELECT COUNT(*) FROM ({union}) AS b"), params).scalar() or 0)


def breach_rows(session: Session, rows: Iterable[Any]) -> list[list[Any]]:
    lookup = _Lookup(session)
    tz = local_zone()
    return [[f"#{r.number or r.id}", r.title, lookup.team(r.team_id or 0), r.priority, r.clock,
             r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"), _status_label(r.status)] for r in rows]


def breach_list(session: Session, filters: ReportFilters, limit: int) -> tuple[list[list[Any]], int]:
    sql, params = breach_query(session, filters, limit)
    rows = session.execute(text(sql), params).all()
    return breach_rows(session, rows), breach_count(session, filters)


def times_report(session: Session, filters: ReportFilters) -> Report:
    res_buckets = {f"b{i}": f"SUM(res_b{i})" for i in range(len(RESOLUTION_BUCKET_LABELS))}
    fr_buckets = {f"b{i}": f"SUM(fr_b{i})" for i in range(len(FIRST_RESPONSE_BUCKET_LABELS))}
    averages = {"resolved": "SUM(resolved)", "res_s": "SUM(resolution_seconds)",
                "answered": "SUM(first_responses)", "fr_s": "SUM(first_response_seconds)"}
    res_measures = {f"res_{name}": expr for name, expr in res_buckets.items()}
    fr_measures = {f"fr_{name}": expr for name, expr in fr_buckets.items()}
    cube = _cube(session, filters, {**res_measures, **fr_measures, **averages}, "month", ("category_id", "team_id"))
    months, by_month = _fold_periods(cube, filters, "month", {**res_measures, **fr_measures})
    res_by_month = {name: by_month[f"res_{name}"] for name in res_buckets}
    fr_by_month = {name: by_month[f"fr_{name}"] for name in fr_buckets}
    month_labels = [period_label(m, "month") for m in months]
    charts = [
        chart("resolution_by_month", "Resolution time by month", "tickets resolved", "Month", month_labels,
              [{"name": label, "values": res_by_month[f"b{i}"]} for i, label in enumerate(RESOLUTION_BUCKET_LABELS)],
              stacked=True, note="Calendar time from filing to resolution."),
        chart("first_response_by_month", "First-response time by month", "tickets answered", "Month", month_labels,
              [{"name": label, "values": fr_by_month[f"b{i}"]}
               for i, label in enumerate(FIRST_RESPONSE_BUCKET_LABELS)],
              stacked=True, note="Calendar time from filing to the first public agent reply."),
    ]
    lookup = _Lookup(session)
    for group, name, label_of in (("category_id", "category", lookup.category), ("team_id", "team", lookup.team)):
        rows = sorted(_grouped_rows(cube, group, averages), key=lambda r: label_of(r["grp"]))
        rows = [r for r in rows if r["resolved"] or r["answered"]]
        charts.append(chart(
            f"times_by_{name}", f"Average resolution and first-response time by {name}", "hours",
            name.capitalize(), [label_of(r["grp"]) for r in rows],
            [{"name": "Resolution (h)", "values": [hours(r["res_s"], r["resolved"]) for r in rows]},
             {"name": "First response (h)", "values": [hours(r["fr_s"], r["answered"]) for r in rows]},
             {"name": "Resolved", "values": [float(r["resolved"]) for r in rows]}]))
    totals = _sum_rows(cube, averages)
    return {"name": "times", "title": "Resolution and response times", "grain": "month", "figures": [
        figure("Average resolution", hours(totals["res_s"], totals["resolved"]), " h"),
        figure("Average first response", hours(totals["fr_s"], totals["answered"]), " h"),
        figure("Resolved", totals["resolved"]), figure("Answered", totals["answered"]),
    ], "charts": charts}


def agents_report(session: Session, filters: ReportFilters) -> Report:
    measures = {"resolved": "SUM(resolved)", "res_s": "SUM(resolution_seconds)", "res_sla": "SUM(resolution_sla)",
                "res_met": "SUM(resolution_met)", "answered": "SUM(first_responses)",
                "fr_s": "SUM(first_response_seconds)"}
    done = {r["grp"]: r for r in _grouped_rows(
        _cube(session, filters, measures, None, ("assignee_id",), "report_daily_agent_metrics"), "assignee_id",
        measures)}
    where, params = _where(session, filters, alias="t", dated=None)
    params["open_statuses"] = list(OPEN_STATUSES)
    open_now = {r.assignee_id: int(r.n) for r in session.execute(text(
        f"SELECT t.assignee_id, COUNT(*) AS n FROM tickets t WHERE t.deleted_at IS NULL AND t.assignee_id IS NOT NULL "
        f"AND t.status = ANY(:open_statuses) AND {where} GROUP BY 1"), params)}
    lookup = _Lookup(session)
    names = lookup.users(set(done) | set(open_now))
    agents = sorted(set(done) | set(open_now), key=lambda a: names.get(a, ""))
    labels = [names.get(a, f"User {a}") for a in agents]

    def measure(agent: int, name: str) -> float:
        return float(done[agent][name]) if agent in done else 0.0

    charts = [
        chart("agent_workload", "Workload and throughput per agent", "tickets", "Agent", labels,
              [{"name": "Resolved in range", "values": [measure(a, "resolved") for a in agents]},
               {"name": "Open now", "values": [float(open_now.get(a, 0)) for a in agents]}],
              note="Resolved tickets count for the agent assigned when they were resolved."),
        chart("agent_speed", "Average times per agent", "hours", "Agent", labels,
              [{"name": "Resolution (h)", "values": [hours(measure(a, "res_s"), measure(a, "resolved"))
                                                     for a in agents]},
               {"name": "First response (h)", "values": [hours(measure(a, "fr_s"), measure(a, "answered"))
                                                         for a in agents]},
               {"name": "Resolution SLA met (%)", "values": [pct(measure(a, "res_met"), measure(a, "res_sla"))
                                                             for a in agents]}]),
    ]
    total_resolved = sum(measure(a, "resolved") for a in agents)
    return {"name": "agents", "title": "Agent workload and throughput", "grain": "", "figures": [
        figure("Agents", len(agents)), figure("Resolved", total_resolved),
        figure("Open assigned now", sum(open_now.values())),
        figure("Resolved per agent", round(total_resolved / len(agents), 1) if agents else None),
    ], "charts": charts}


def ai_report(session: Session, filters: ReportFilters) -> Report:
    threshold = float(app_settings.value(session, "ai_auto_apply_threshold"))
    measures = {"suggested": "SUM(ai_suggested)", "correct": "SUM(ai_suggestion_correct)",
                "confident": "SUM(ai_confident)", "confident_correct": "SUM(ai_confident_correct)",
                "decisions": "SUM(ai_decisions)", "accepted": "SUM(ai_accepted)"}
    lookup = _Lookup(session)
    grain = grain_for(filters)
    cube = _cube(session, filters, measures, grain, ("ai_category_id",))
    rows = [r for r in _grouped_rows(cube, "ai_category_id", measures) if r["grp"]]
    rows.sort(key=lambda r: lookup.category(r["grp"]))
    labels = [lookup.category(r["grp"]) for r in rows]
    all_periods, trend = _fold_periods(cube, filters, grain, measures)
    totals = _sum_rows(cube, measures)
    charts = [
        chart("ai_by_category", f"Suggestion precision and coverage at confidence {threshold:.2f}, by suggested "
              "category", "%", "Suggested category", labels,
              [{"name": "Precision above threshold (%)", "values": [pct(r["confident_correct"], r["confident"])
                                                                   for r in rows]},
               {"name": "Coverage above threshold (%)", "values": [pct(r["confident"], r["suggested"]) for r in rows]},
               {"name": "Agreement, all suggestions (%)", "values": [pct(r["correct"], r["suggested"])
                                                                    for r in rows]},
               {"name": "Suggestions", "values": [float(r["suggested"]) for r in rows]}],
              note="A suggestion is right when the ticket's final category is the suggested one."),
        chart("ai_trend", f"Suggestions accepted per {grain}", "%", period_title(grain),
              [period_label(p, grain) for p in all_periods],
              [{"name": "Accepted by agents (%)", "values": [pct(a, d) for a, d in
                                                             zip(trend["accepted"], trend["decisions"], strict=True)]},
               {"name": "Right above threshold (%)",
                "values": [pct(c, n) for c, n in zip(trend["confident_correct"], trend["confident"], strict=True)]}],
              kind="line", note="Acceptance counts agents' one-click decisions on category suggestions."),
    ]
    charts.append(_applied_vs_suggested_chart(session, filters))
    return {"name": "ai", "title": "AI triage", "grain": grain, "figures": [
        figure("Tickets with a suggestion", totals["suggested"]),
        figure("Acceptance rate", pct(totals["accepted"], totals["decisions"]), " %"),
        figure("Precision above threshold", pct(totals["confident_correct"], totals["confident"]), " %"),
        figure("Coverage above threshold", pct(totals["confident"], totals["suggested"]), " %"),
    ], "charts": charts}


def _applied_vs_suggested_chart(session: Session, filters: ReportFilters) -> Chart:
    """Categories the AI set by itself apart from those it only suggested: the share a person confirmed, and how
    many judged tickets each figure rests on (people's verdicts recorded by AI triage in `ai_judgements`)."""
    start, end = day_bounds(filters.start, filters.end)
    conditions, params = ["j.field = 'category'", "j.judged_at >= :start", "j.judged_at < :end"], {
        "start": start, "end": end}
    if filters.category_ids:
        conditions.append("t.category_id = ANY(:category_ids)")
        params["category_ids"] = expand_categories(session, filters.category_ids)
    if filters.team_ids:
        conditions.append("t.team_id = ANY(:team_ids)")
        params["team_ids"] = list(filters.team_ids)
    if filters.priorities:
        conditions.append("t.priority = ANY(:priorities)")
        params["priorities"] = list(filters.priorities)
    counts = {row.auto_applied: (row.n, row.correct) for row in session.execute(text(
        "SELECT j.auto_applied, COUNT(*) AS n, COUNT(*) FILTER (WHERE j.correct) AS correct FROM ai_judgements j "
        f"JOIN tickets t ON t.id = j.ticket_id WHERE {' AND '.join(conditions)} GROUP BY j.auto_applied"
    ), params)}
    labels, judged, precision = [], [], []
    for auto, label in ((True, "Set by the AI"), (False, "Only suggested")):
        n, correct = counts.get(auto, (0, 0))
        labels.append(label)
        judged.append(float(n))
        precision.append(pct(correct, n))
    return chart("ai_applied_vs_suggested", "Categories set by the AI vs only suggested: confirmed by people", "%",
                 "Category", labels,
                 [{"name": "Right (%)", "values": precision}, {"name": "Judged tickets", "values": judged}],
                 note="Judged tickets: a person set, confirmed, corrected or rejected the category. Few judged tickets "
                      "make a wide margin of error.")


def kb_report(session: Session, filters: ReportFilters) -> Report:
    """Deflection on the new-ticket form (team, category and priority do not apply: no ticket exists)."""
    grain = grain_for(filters)
    start, end = day_bounds(filters.start, filters.end)
    tz = get_settings().timezone
    rows = session.execute(text(
        f"SELECT {_period_sql(grain, '(created_at AT TIME ZONE :tz)::date')} AS period, outcome, COUNT(*) AS n "
        "FROM kb_deflections WHERE created_at >= :start AND created_at < :end GROUP BY 1, 2"
    ), {"start": start, "end": end, "tz": tz}).all()
    counts = {(r.period, r.outcome): float(r.n) for r in rows}
    all_periods = periods(filters, grain)
    solved = [counts.get((p, "solved"), 0.0) for p in all_periods]
    filed = [counts.get((p, "filed_anyway"), 0.0) for p in all_periods]
    top = session.execute(text(
        "SELECT a.title, COUNT(*) AS n FROM kb_deflections d JOIN kb_articles a ON a.id = d.article_id "
        "WHERE d.outcome = 'solved' AND d.created_at >= :start AND d.created_at < :end "
        "GROUP BY a.title ORDER BY n DESC, a.title LIMIT 10"), {"start": start, "end": end}).all()
    charts = [
        chart("deflection", f"Self-service outcomes per {grain}", "requests", period_title(grain),
              [period_label(p, grain) for p in all_periods],
              [{"name": "Solved by an article", "values": solved}, {"name": "Filed anyway", "values": filed},
               {"name": "Deflection rate (%)", "values": [pct(s, s + f) for s, f in zip(solved, filed, strict=True)]}],
              note="Only requests where the form showed articles count. Team, category and priority filters do not "
                   "apply."),
        chart("deflection_articles", "Articles that solved the most requests", "requests", "Article",
              [r.title for r in top], [{"name": "Solved", "values": [float(r.n) for r in top]}]),
    ]
    total_solved, total_filed = sum(solved), sum(filed)
    return {"name": "kb", "title": "Knowledge base deflection", "grain": grain, "figures": [
        figure("Solved by an article", total_solved), figure("Filed anyway", total_filed),
        figure("Deflection rate", pct(total_solved, total_solved + total_filed), " %"),
    ], "charts": charts}


def csat_report(session: Session, filters: ReportFilters) -> Report:
    """Requesters' good/bad ratings of resolved tickets, by the local day they rated, grouped by the team, agent
    and category the ticket had when rated. Read from `csat_ratings` itself: one small row per rated ticket."""
    grain = "week" if filters.days <= 370 else "month"
    start, end = day_bounds(filters.start, filters.end)
    where, params = _where(session, filters, alias="c", dated=None)
    params.update(start=start, end=end, tz=get_settings().timezone)
    rows = session.execute(text(
        f"SELECT {_period_sql(grain, '(c.rated_at AT TIME ZONE :tz)::date')} AS period, c.team_id, c.assignee_id, "
        "c.category_id, COUNT(*) FILTER (WHERE c.rating = 'good') AS good, COUNT(*) AS rated "
        f"FROM csat_ratings c WHERE c.rated_at >= :start AND c.rated_at < :end AND {where} GROUP BY 1, 2, 3, 4"
    ), params).mappings().all()
    cube = [{"period": r["period"], "team_id": r["team_id"] or 0, "assignee_id": r["assignee_id"] or 0,
             "category_id": r["category_id"] or 0, "good": float(r["good"]), "rated": float(r["rated"])} for r in rows]
    measures = {"good": "", "rated": ""}
    lookup = _Lookup(session)
    all_periods, trend = _fold_periods(cube, filters, grain, measures)
    totals = _sum_rows(cube, measures)

    def by(dim: str, name_of: Callable[[int], str], key: str, title: str, x_title: str) -> Chart:
        groups = sorted(_grouped_rows(cube, dim, measures), key=lambda r: name_of(r["grp"]))
        return chart(key, title, "%", x_title, [name_of(g["grp"]) for g in groups],
                     [{"name": "Good (%)", "values": [pct(g["good"], g["rated"]) for g in groups]},
                      {"name": "Ratings", "values": [g["rated"] for g in groups]},
                      {"name": "Bad", "values": [g["rated"] - g["good"] for g in groups]}])

    agents = lookup.users({r["assignee_id"] for r in cube})
    comments = session.execute(text(
        "SELECT t.number, c.rating, c.comment, (c.rated_at AT TIME ZONE :tz)::date AS day FROM csat_ratings c "
        f"JOIN tickets t ON t.id = c.ticket_id WHERE c.comment <> '' AND c.rated_at >= :start AND c.rated_at < :end "
        f"AND {where} ORDER BY c.rated_at DESC LIMIT 50"), params).all()
    charts = [
        chart("csat_trend", f"Satisfaction per {grain}", "%", period_title(grain),
              [period_label(p, grain) for p in all_periods],
              [{"name": "Good (%)", "values": [pct(g, n) for g, n in zip(trend["good"], trend["rated"], strict=True)]},
               {"name": "Ratings", "values": trend["rated"]}], kind="line"),
        by("team_id", lookup.team, "csat_by_team", "Satisfaction by team", "Team"),
        by("assignee_id", lambda a: agents.get(a, "Unassigned" if not a else f"User {a}"), "csat_by_agent",
           "Satisfaction by agent", "Agent"),
        by("category_id", lookup.category, "csat_by_category", "Satisfaction by category", "Category"),
        table_chart("csat_comments", "Latest comments", ["Ticket", "Rating", "Comment", "Day"],
                    [[f"#{r.number}", r.rating, r.comment, r.day.isoformat()] for r in comments]),
    ]
    return {"name": "csat", "title": "Customer satisfaction", "grain": grain, "figures": [
        figure("Ratings", totals["rated"]), figure("Good", totals["good"]),
        figure("Bad", totals["rated"] - totals["good"]),
        figure("Satisfaction", pct(totals["good"], totals["rated"]), " %"),
    ], "charts": charts}


REPORTS: dict[str, tuple[str, Callable[[Session, ReportFilters], Report]]] = {
    "volume": ("Volume and backlog", volume_report),
    "sla": ("SLA compliance", sla_report),
    "times": ("Resolution times", times_report),
    "agents": ("Agents", agents_report),
    "ai": ("AI triage", ai_report),
    "kb": ("Deflection", kb_report),
    "csat": ("Satisfaction", csat_report),
}


def report_cache_key(name: str, filters: ReportFilters) -> str:
    return cache.key("report", name, filters.fingerprint())


def build_report(session: Session, actor: Actor, name: str, filters: ReportFilters, *,
                 use_cache: bool = True) -> Report:
    ensure_can_view_reports(actor)
    if name not in REPORTS:
        raise NotFound("No such report.")
    builder = REPORTS[name][1]

    def compute() -> Report:
        report = builder(session, filters)
        report["filters"] = filters.to_dict()
        return report

    if not use_cache:
        return compute()
    return cache.cached_json(report_cache_key(name, filters), REPORT_CACHE_TTL_SECONDS, compute)
