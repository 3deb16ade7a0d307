"""Soak (issue #12): the spec's endurance scenario - 100 users on the journeys (requester, agent, KB, manager) for
an hour - while the web server's and the worker's memory are sampled every minute.

Starts its own stack (loadtests/stack.py, with a Celery worker so filed tickets are triaged as in service), runs
Locust's `endurance` scenario against it, and prints, last, one JSON line:

- rss_growth_pct: growth of the web server's resident memory (all its processes) from the end of the warm-up to the
  end of the run; the spec's limit is 5 %;
- error_rate: failed requests / requests over the whole run; the limit is 0.1 %;
- web_rss_mb / worker_rss_mb: the samples, one a minute, for the record.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60)
    parser.add_argument("--warmup-minutes", type=float, default=5,
                        help="memory grows while caches and pools fill; growth is measured from this point on")
    args = parser.parse_args()

    with running_stack(worker=True) as stack:
        port = int(stack.url.rsplit(":", 1)[1])
        samples: list[tuple[float, float, float]] = []  # (minutes since start, web MB, worker MB)
        done = threading.Event()
        started = time.monotonic()

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
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
