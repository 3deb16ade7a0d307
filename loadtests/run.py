"""`make loadtest SCENARIO=...`: starts the stack (or targets --url), runs Locust headless with a scenario, writes
Locust's CSV and HTML report into test-artifacts/, and prints one JSON line with the aggregate figures.

    python loadtests/run.py --scenario baseline|load|stress|spike|endurance|mixed [--url URL] [--scale 0.1]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARTIFACTS = ROOT / "test-artifacts"


def run_locust(url: str, scenario: str, *, env: dict[str, str] | None = None, tag: str = "") -> dict:
    """Runs one scenario against `url`; returns the aggregate row and per-request rows of Locust's stats."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = ARTIFACTS / f"loadtest-{scenario}{tag}"
    command = [sys.executable, "-m", "locust", "-f", str(ROOT / "loadtests" / "locustfile.py"), "--headless",
               "--host", url, "--csv", str(prefix), "--html", f"{prefix}.html", "--only-summary",
               "--loglevel", "WARNING", "--stop-timeout", "10"]
    subprocess.run(command, env=os.environ | {"SCENARIO": scenario} | (env or {}), check=False, cwd=ROOT)
    return read_stats(prefix)


def read_stats(prefix: Path) -> dict:
    rows = _csv_rows(Path(f"{prefix}_stats.csv"))
    figures: dict = {}
    for row in rows:
        current = {
            "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1), "p50_ms": _num(row["50%"]), "p95_ms": _num(row["95%"]),
            "p99_ms": _num(row["99%"]), "max_ms": _num(row["Max Response Time"]),
        }
        earlier = figures.get(row["Name"])
        if earlier is not None:  # one name, several methods (a GET and a POST "shed"): counts add up; for the
            # percentiles, the worse of the two is kept (Locust's CSV has no combined distribution).
            current = {key: earlier[key] + value if key in ("requests", "failures", "rps")
                       else max(earlier[key], value) for key, value in current.items()}
        figures[row["Name"]] = current
    failures = _csv_rows(Path(f"{prefix}_failures.csv"))
    figures["failure_kinds"] = {f"{r['Name']}: {r['Error'][:80]}": int(r["Occurrences"]) for r in failures}
    return figures


def _csv_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open() as handle:
        return list(csv.DictReader(handle))


def _num(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=os.environ.get("SCENARIO", "baseline"))
    parser.add_argument("--url", help="an already running helpdesk (else the stack is started here)")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCENARIO_SCALE", "1.0")),
                        help="shortens every stage, e.g. 0.1 for a smoke run")
    parser.add_argument("--tickets", type=int, default=20_000)
    args = parser.parse_args()
    env = {"SCENARIO_SCALE": str(args.scale)}
    if args.url:
        stats = run_locust(args.url, args.scenario, env=env)
    else:
        from loadtests.stack import running_stack

        with running_stack(tickets=args.tickets, worker=True) as stack:
            stats = run_locust(stack.url, args.scenario, env=env)
    total = stats.get("Aggregated", {})
    print(json.dumps({"scenario": args.scenario, "requests": total.get("requests"), "failures": total.get("failures"),
                      "rps": total.get("rps"), "p50_ms": total.get("p50_ms"), "p95_ms": total.get("p95_ms"),
                      "p99_ms": total.get("p99_ms"), "failure_kinds": stats["failure_kinds"],
                      "report": f"test-artifacts/loadtest-{args.scenario}.html"}))


if __name__ == "__main__":
    main()
