"""Throughput under concurrent load (issue #12): the REST mix, a spike past capacity, and the spec's scenario.

Starts its own stack (loadtests/stack.py: a database with 20,000 tickets, the real web server with its default
settings), drives it with Locust on the same machine and prints, last, one JSON line:

- mixed_rps / mixed_p95_ms / mixed_errors: the highest offered rate of the REST mix (60 % queue list, 25 % ticket
  detail, 15 % create, reused bearer tokens) whose 60-second run keeps p95 <= 150 ms with no errors;
- shed_p95_ms: at twice that rate, the p95 latency of the requests answered 503 (shed);
- recovery_s: after that spike stops, seconds until the server serves normally again (ten list requests in a row
  under 150 ms);
- seed50_* / seed200_*: the spec's k6 journey (sign in, file a ticket, think 1 s) at 50 users signing in on every
  iteration, and at 200 users signing in once;
- logins_per_s_per_core: from the 50-user run (sign-ins per second / cores used by the server);
- mixed_speedup: mixed_rps over the same search run against an older checkout (--baseline-root, e.g. a git
  worktree of commit ced5f9b), measured in the same session on the same machine, when given.

    python bench/load.py [--baseline-root /tmp/ced5f9b] [--steps 100,150,...] [--step-seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests.run import run_locust  # noqa: E402
from loadtests.stack import running_stack  # noqa: E402

P95_TARGET_MS = 150
RATE_PER_USER = 3  # requests per second each RestMixUser offers


def mixed(url: str, rate: int, seconds: float, tag: str) -> dict:
    users = max(1, round(rate / RATE_PER_USER))
    stats = run_locust(url, "mixed", tag=tag, env={
        "MIX_USERS": str(users), "MIX_RATE_PER_USER": str(RATE_PER_USER), "MIX_SECONDS": str(seconds)})
    total = stats.get("Aggregated", {})
    shed = stats.get("shed", {})
    figures = {"offered_rps": users * RATE_PER_USER, "rps": total.get("rps", 0.0), "p95_ms": total.get("p95_ms"),
               "errors": total.get("failures", 0), "requests": total.get("requests", 0),
               "shed": shed.get("requests", 0), "shed_p95_ms": shed.get("p95_ms")}
    print(f"mixed {tag}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    return figures


def passes(figures: dict) -> bool:
    return figures["errors"] == 0 and figures["p95_ms"] is not None and figures["p95_ms"] <= P95_TARGET_MS


def search_sustained_rate(url: str, steps: list[int], step_seconds: float, label: str) -> dict:
    """The highest step that passes for `step_seconds` (a failed step is tried once more), confirmed by a 60-second
    run (stepping down if it fails)."""
    best = None
    for rate in steps:
        figures = mixed(url, rate, step_seconds, f"-{label}-step{rate}")
        if not passes(figures):
            # One more try before the search stops: on a shared 2-core machine a single 30-second step now and then
            # runs slow throughout (p50 four times its neighbours'), and one such step ended a search early.
            figures = mixed(url, rate, step_seconds, f"-{label}-step{rate}-again")
        if not passes(figures):
            break
        best = rate
    candidates = [r for r in steps if best is not None and r <= best][::-1]
    for rate in candidates:
        confirmed = mixed(url, rate, 60, f"-{label}-confirm{rate}")
        if passes(confirmed):
            return confirmed | {"rate": rate}
    return {"rate": 0, "rps": 0.0, "p95_ms": None, "errors": None}


def recovery_seconds(url: str, token: str) -> float:
    started = time.monotonic()
    in_a_row = 0
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        while in_a_row < 10 and time.monotonic() - started < 120:
            t = time.monotonic()
            response = client.get("/api/v1/tickets", params={"limit": 25})
            ok = response.status_code == 200 and (time.monotonic() - t) * 1000 < P95_TARGET_MS
            in_a_row = in_a_row + 1 if ok else 0
    return round(time.monotonic() - started, 2)


def journey(url: str, users: int, login_each_iteration: bool, seconds: float, tag: str) -> dict:
    stages = [(20, users, max(users / 10, 5)), (20 + seconds, users, 50)]  # ramp up, then hold
    stats = run_locust(url, "custom", tag=tag, env={
        "JOURNEY": "requester", "LOGIN_EACH_ITERATION": "1" if login_each_iteration else "0",
        "CUSTOM_STAGES": json.dumps(stages)})
    total = stats.get("Aggregated", {})
    logins = stats.get("auth: login", {})
    figures = {"p95_ms": total.get("p95_ms"), "rps": total.get("rps"),
               "error_rate": round(total.get("failures", 0) / max(total.get("requests", 1), 1), 4),
               "logins_per_s": logins.get("rps", 0.0), "login_p95_ms": logins.get("p95_ms")}
    print(f"journey {tag}: {json.dumps(figures)}", file=sys.stderr, flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="60,90,120,150,180,210,240,270,300,330,360,420")
    parser.add_argument("--step-seconds", type=float, default=30)
    parser.add_argument("--baseline-root", type=Path, help="an older checkout to compare the REST mix with")
    parser.add_argument("--skip-journeys", action="store_true")
    args = parser.parse_args()
    steps = [int(s) for s in args.steps.split(",")]
    summary: dict = {}

    with running_stack() as stack:
        token = httpx.post(f"{stack.url}/api/v1/auth/login", timeout=30, json={
            "email": "ayesha.khan@acme.example.com", "password": "agent-demo-pass"}).json()["access_token"]
        best = search_sustained_rate(stack.url, steps, args.step_seconds, "current")
        summary |= {"mixed_rps": best["rps"], "mixed_offered_rps": best.get("offered_rps"),
                    "mixed_p95_ms": best["p95_ms"], "mixed_errors": best["errors"]}
        spike = mixed(stack.url, max(2 * best["rate"], steps[0]), 30, "-spike")
        summary |= {"spike_offered_rps": spike["offered_rps"], "spike_served_rps": round(spike["rps"] - 0, 1),
                    "shed_requests": spike["shed"], "shed_p95_ms": spike["shed_p95_ms"],
                    "spike_errors_other_than_shed": spike["errors"] - spike["shed"]}
        summary["recovery_s"] = recovery_seconds(stack.url, token)
        if not args.skip_journeys:
            seed50 = journey(stack.url, 50, True, 60, "-seed50")
            seed200 = journey(stack.url, 200, False, 60, "-seed200")
            summary |= {"seed50_p95_ms": seed50["p95_ms"], "seed50_error_rate": seed50["error_rate"],
                        "seed200_p95_ms": seed200["p95_ms"], "seed200_error_rate": seed200["error_rate"],
                        "seed50_logins_per_s": seed50["logins_per_s"], "seed50_login_p95_ms": seed50["login_p95_ms"],
                        "logins_per_s_per_core": round(seed50["logins_per_s"] / (os.cpu_count() or 1), 1)}

    if args.baseline_root:
        with running_stack(server_root=args.baseline_root) as stack:
            baseline = search_sustained_rate(stack.url, steps, args.step_seconds, "baseline")
        summary |= {"baseline_mixed_rps": baseline["rps"], "baseline_mixed_p95_ms": baseline["p95_ms"],
                    "mixed_speedup": round(summary["mixed_rps"] / baseline["rps"], 2) if baseline["rps"] else None}
    summary["machine"] = f"{platform.node()} {os.cpu_count()} cpu"
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
