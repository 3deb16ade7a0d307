"""Soak (issue #12): the spec's endurance scenario - 100 users on the journeys (requester, agent, KB, manager) for
an hour - while the web server's and the worker's memory are sampled every minute.

Starts its own stack (loadtests/stack.py, with a Celery worker so filed tickets are triaged as in service), runs
Locust's `endurance` scenario against it, and prints, last, one JSON line:

- rss_growth_pct: growth of the web server's resident memory (all its processes) from the end of the warm-up to the
  end of the run; the spec's limit is 5 %;
- error_rate: failed requests / requests over the whole run; the limit is 0.1 %;
- web_rss_mb / worker_rss_mb: the samples, one a minute, for the record;
- ai_jobs_unfinished_at_end / ai_jobs_drained_after_s: AI jobs (triage) the worker still owed when the load
  stopped, and how long it then took to finish them (None: not within --drain-minutes).

    python bench/soak.py [--minutes 60] [--warmup-minutes 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests.run import run_locust  # noqa: E402
from loadtests.stack import running_stack  # noqa: E402

SAMPLE_EVERY_SECONDS = 60


def stack_rss_mb(port: int) -> tuple[float, float]:
    """Resident memory of the web server's processes and of the Celery worker's, found by the port they were
    started for (every process of the stack has it in its environment)."""
    web = worker = 0
    for process in psutil.process_iter(["cmdline"]):
        try:
            if process.environ().get("WEB_PORT") != str(port):
                continue
            rss = process.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
        if "celery" in " ".join(process.info["cmdline"] or []):
            worker += rss
        else:
            web += rss
    return round(web / 2**20, 1), round(worker / 2**20, 1)


def unfinished_jobs(database_url: str, since: datetime) -> int:
    """AI jobs (triage and the like) the run committed that have not finished yet: what the worker still owes.
    (E-mail jobs are left out: the stack has no mail server, so they wait for their retries.)"""
    import psycopg

    from helpdesk.core.db import libpq_url

    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        return connection.execute("SELECT count(*) FROM job_outbox WHERE queue = 'ai' AND finished_at IS NULL"
                                  " AND created_at >= %s",
                                  (since,)).fetchone()[0]


def wait_for_drain(database_url: str, since: datetime, limit_seconds: float) -> float | None:
    """Seconds until every job of the run had finished (None: not within the limit)."""
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        if unfinished_jobs(database_url, since) == 0:
            return round(time.monotonic() - started, 1)
        time.sleep(5)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--warmup-minutes", type=float, default=5,
                        help="memory grows while caches and pools fill; growth is measured from this point on")
    parser.add_argument("--drain-minutes", type=float, default=10,
                        help="after the load, how long to wait for the worker to finish the jobs still queued")
    args = parser.parse_args()

    with running_stack(worker=True) as stack:
        port = int(stack.url.rsplit(":", 1)[1])
        samples: list[tuple[float, float, float]] = []  # (minutes since start, web MB, worker MB)
        done = threading.Event()
        started = time.monotonic()
        load_started = datetime.now(UTC)

        def sample() -> None:
            while not done.is_set():
                samples.append((round((time.monotonic() - started) / 60, 1), *stack_rss_mb(port)))
                print(f"soak sample: {samples[-1]}", file=sys.stderr, flush=True)
                done.wait(SAMPLE_EVERY_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        # The scenario's first minute ramps up to 100 users; the hold then lasts --minutes.
        stats = run_locust(stack.url, "endurance", tag="-soak", env={"ENDURANCE_MINUTES": str(args.minutes)})
        done.set()
        sampler.join()
        samples.append((round((time.monotonic() - started) / 60, 1), *stack_rss_mb(port)))
        backlog = unfinished_jobs(stack.database_url, load_started)
        drain_s = wait_for_drain(stack.database_url, load_started, args.drain_minutes * 60)

    warm = [s for s in samples if s[0] >= args.warmup_minutes + 1] or samples
    total = stats.get("Aggregated", {})
    summary = {
        "minutes": args.minutes, "users": 100,
        "requests": total.get("requests", 0), "rps": total.get("rps"), "p95_ms": total.get("p95_ms"),
        "error_rate": round(total.get("failures", 0) / max(total.get("requests", 1), 1), 5),
        "failure_kinds": stats.get("failure_kinds", {}),
        "rss_warm_mb": warm[0][1], "rss_end_mb": warm[-1][1],
        "rss_growth_pct": round((warm[-1][1] / warm[0][1] - 1) * 100, 2) if warm[0][1] else None,
        "web_rss_mb": [s[1] for s in samples], "worker_rss_mb": [s[2] for s in samples],
        "ai_jobs_unfinished_at_end": backlog, "ai_jobs_drained_after_s": drain_s,
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
