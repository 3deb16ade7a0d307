"""Report speed with a large history: each report's data for a 12-month range, cold and cached.

Builds its own database (bench/reports_dataset.py: --tickets tickets over three years), rebuilds the daily
rollups for the whole history and refreshes the monthly view (timed: a one-off cost), then renders every report
in `REPORTS` for the 12 months ending today through `build_report`, in a fresh request-sized session each time:

* cold: the Redis cache bypassed (`use_cache=False`), for four filter sets (none, one team, one top-level
  category with its sub-categories, one priority), --repeats times each; worst and p50 reported;
* cached: the second call through the five-minute cache;
* the CSV export of the SLA report (every breach in the range, streamed).

The last line is one JSON object with the figures.

    python bench/reports.py [--tickets 1000000] [--repeats 3] [--keep] [--reuse-database NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, percentile  # noqa: E402

TARGET_COLD_MS = 200.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3, help="cold runs per report and filter set")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse-database", default="",
                        help="measure an existing database kept by an earlier --keep run (no build)")
    args = parser.parse_args()

    if args.reuse_database:
        # Same servers as the harness picks; a prefix of our own so the cache starts empty.
        os.environ.update({"DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{args.reuse_database}",
                           "REDIS_URL": "redis://127.0.0.1:6379/0", "REDIS_PREFIX": f"rbench-{os.getpid()}:",
                           "HELPDESK_ENV": "test", "DATA_DIR": tempfile.mkdtemp(prefix="rbench-")})
        try:
            run(args, build=False)
        finally:
            _clear_prefix(os.environ["REDIS_PREFIX"])
        return
    with bench_environment("rbench", keep=args.keep):
        run(args, build=True)


def _clear_prefix(prefix: str) -> None:
    from helpdesk.core import cache

    client = cache.get_redis()
    for key in client.scan_iter(f"{prefix}*", count=1000):
        client.delete(key)


def build_database(tickets: int) -> dict[str, Any]:
    from bench import reports_dataset
    from helpdesk.reports import rollups
    from helpdesk.runtime.bootstrap import migrate_database

    started = time.perf_counter()
    migrate_database()
    print(f"migrated in {time.perf_counter() - started:.1f} s", flush=True)
    started = time.perf_counter()
    steps = reports_dataset.build(tickets)
    generate_seconds = time.perf_counter() - started
    print(f"generated {tickets:,} tickets in {generate_seconds:.1f} s", flush=True)

    today = rollups.local_today()
    started = time.perf_counter()
    rollups.rebuild(today - timedelta(days=3 * 365 + 2), today)
    rollup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rollups.refresh_monthly_view()
    view_seconds = time.perf_counter() - started
    print(f"rollups rebuilt for 3 years in {rollup_seconds:.1f} s; monthly view refreshed in {view_seconds:.1f} s",
          flush=True)
    return {"generate_seconds": round(generate_seconds, 1), "generate_steps": steps,
            "rollup_build_seconds": round(rollup_seconds, 1), "monthly_view_refresh_seconds": round(view_seconds, 1)}


def database_facts() -> dict[str, Any]:
    from sqlalchemy import text

    from helpdesk.core.db import session_scope

    with session_scope() as session:
        for table in ("report_daily_metrics", "report_daily_agent_metrics", "monthly_ticket_metrics"):
            session.execute(text(f"ANALYZE {table}"))

        def count(sql: str) -> int:
            return int(session.execute(text(sql)).scalar() or 0)

        return {
            "tickets": count("SELECT COUNT(*) FROM tickets"),
            "open_tickets": count("SELECT COUNT(*) FROM tickets WHERE status IN "
                                  "('new','open','in_progress','waiting_on_customer')"),
            "agents": count("SELECT COUNT(*) FROM users WHERE role = 'agent'"),
            "requesters": count("SELECT COUNT(*) FROM users WHERE role = 'requester'"),
            "teams": count("SELECT COUNT(*) FROM teams"),
            "categories": count("SELECT COUNT(*) FROM categories"),
            "ai_predictions": count("SELECT COUNT(*) FROM ai_predictions"),
            "ai_feedback": count("SELECT COUNT(*) FROM ai_feedback"),
            "kb_deflections": count("SELECT COUNT(*) FROM kb_deflections"),
            "rollup_rows": {
                "report_daily_metrics": count("SELECT COUNT(*) FROM report_daily_metrics"),
                "report_daily_agent_metrics": count("SELECT COUNT(*) FROM report_daily_agent_metrics"),
                "monthly_ticket_metrics": count("SELECT COUNT(*) FROM monthly_ticket_metrics"),
            },
        }


def filter_sets(end: date) -> list[tuple[str, Any]]:
    from sqlalchemy import text

    from helpdesk.core.db import session_scope
    from helpdesk.reports.filters import ReportFilters

    start = end.replace(year=end.year - 1) + timedelta(days=1)
    with session_scope() as session:
        # The busiest team and the busiest top-level category (it covers its sub-categories).
        team = session.execute(text("SELECT team_id FROM tickets GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
        category = session.execute(text(
            "SELECT coalesce(c.parent_id, c.id) FROM tickets t JOIN categories c ON c.id = t.category_id "
            "GROUP BY 1 ORDER BY COUNT(*) DESC LIMIT 1")).scalar()
    return [
        ("no filter", ReportFilters(start, end)),
        (f"team {team}", ReportFilters(start, end, team_ids=(int(team),))),
        (f"category {category}", ReportFilters(start, end, category_ids=(int(category),))),
        ("priority high", ReportFilters(start, end, priorities=("high",))),
    ]


def manager_actor() -> Any:
    from sqlmodel import select

    from helpdesk.core.db import session_scope
    from helpdesk.identity.actor import Actor
    from helpdesk.models import Role, User

    with session_scope() as session:
        user = session.exec(select(User).where(User.role == Role.MANAGER.value).order_by(User.id)).first()
        assert user is not None and user.id is not None
        return Actor(user.id, user.role, user.full_name, user.email)


def timed_report(actor: Any, name: str, filters: Any, *, use_cache: bool) -> tuple[float, Any]:
    """One report in its own session, as one page request would build it."""
    from helpdesk.core.db import read_session
    from helpdesk.reports.data import build_report

    started = time.perf_counter()
    with read_session() as session:
        report = build_report(session, actor, name, filters, use_cache=use_cache)
    return (time.perf_counter() - started) * 1000, report


def measure_reports(repeats: int) -> dict[str, dict[str, Any]]:
    from helpdesk.core import cache
    from helpdesk.reports.data import REPORTS, report_cache_key
    from helpdesk.reports.rollups import local_today

    actor = manager_actor()
    sets = filter_sets(local_today())
    for name in REPORTS:  # warm connections and code paths once, so the first sample is not a Python import
        timed_report(actor, name, sets[0][1], use_cache=False)
    results: dict[str, dict[str, Any]] = {}
    for name in REPORTS:
        cold: list[float] = []
        cold_by_set: dict[str, float] = {}
        cached: list[float] = []
        for label, filters in sets:
            runs = [timed_report(actor, name, filters, use_cache=False)[0] for _ in range(repeats)]
            cold += runs
            cold_by_set[label] = round(max(runs), 1)
            cache.get_redis().delete(report_cache_key(name, filters))
            timed_report(actor, name, filters, use_cache=True)  # fills the cache
            cached += [timed_report(actor, name, filters, use_cache=True)[0] for _ in range(repeats)]
        results[name] = {"cold_p50_ms": round(percentile(cold, 50), 1), "cold_worst_ms": round(max(cold), 1),
                         "cached_p50_ms": round(percentile(cached, 50), 1), "cached_worst_ms": round(max(cached), 1),
                         "cold_worst_by_filter_ms": cold_by_set}
        figures = results[name]
        print(f"{name:<8} cold p50 {figures['cold_p50_ms']:8.1f} ms  worst {figures['cold_worst_ms']:8.1f} ms   "
              f"cached p50 {figures['cached_p50_ms']:6.1f} ms  worst {figures['cached_worst_ms']:6.1f} ms   "
              f"worst by filter {cold_by_set}", flush=True)
    return results


def measure_export() -> dict[str, Any]:
    from helpdesk.reports.exports import write_export
    from helpdesk.reports.rollups import local_today

    filters = filter_sets(local_today())[0][1]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sla.csv"
        started = time.perf_counter()
        rows = write_export("sla", "csv", filters, path, lambda _pct: None)
        seconds = time.perf_counter() - started
        size = path.stat().st_size
    print(f"SLA CSV export, 12 months, no filter: {rows:,} rows, {size / 1e6:.1f} MB in {seconds:.2f} s", flush=True)
    return {"sla_csv_export_seconds": round(seconds, 2), "sla_csv_export_rows": rows,
            "sla_csv_export_mb": round(size / 1e6, 1)}


def run(args: argparse.Namespace, *, build: bool) -> None:
    build_figures = build_database(args.tickets) if build else {}
    facts = database_facts()
    print(f"database: {json.dumps(facts)}", flush=True)
    results = measure_reports(args.repeats)
    export = measure_export()

    print()
    print(f"| report | cold p50 ms | cold worst ms | cached p50 ms | cached worst ms "
          f"| ≤ {TARGET_COLD_MS:.0f} ms cold |")
    print("|---|---|---|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['cold_p50_ms']} | {figures['cold_worst_ms']} | {figures['cached_p50_ms']} | "
              f"{figures['cached_worst_ms']} | {'yes' if figures['cold_worst_ms'] <= TARGET_COLD_MS else 'NO'} |")
    print()
    summary = {
        "tickets": facts["tickets"],
        "worst_cold_ms": max(f["cold_worst_ms"] for f in results.values()),
        "worst_cached_ms": max(f["cached_worst_ms"] for f in results.values()),
        "cold_worst_ms": {name: f["cold_worst_ms"] for name, f in results.items()},
        "cold_p50_ms": {name: f["cold_p50_ms"] for name, f in results.items()},
        "cached_p50_ms": {name: f["cached_p50_ms"] for name, f in results.items()},
        **build_figures,
        "rollup_rows": facts["rollup_rows"],
        "open_tickets": facts["open_tickets"],
        **export,
        "repeats": args.repeats,
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
