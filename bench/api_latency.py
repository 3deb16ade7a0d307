"""REST API latency with a large database: create ticket, list tickets, ticket detail (p50/p95/p99).

Builds its own database (demo organisation + --tickets generated tickets) on the local PostgreSQL
(or embedded), starts the real web server (`helpdesk web`) against it, and measures sequential
requests over keep-alive connections. The last line is one JSON object with the figures.

    python bench/api_latency.py [--tickets 100000] [--requests 400]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import bench_environment, percentile  # noqa: E402


def timed(call) -> float:  # noqa: ANN001
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.request.url} -> {response.status_code}: "
                           f"{response.text[:300]}")
    return elapsed


def summarise(name: str, samples: list[float]) -> dict[str, float]:
    figures = {"p50": percentile(samples, 50), "p95": percentile(samples, 95), "p99": percentile(samples, 99),
               "mean": statistics.fmean(samples)}
    print(f"{name:<16} n={len(samples):<5} p50={figures['p50']:7.2f} ms  p95={figures['p95']:7.2f} ms  "
          f"p99={figures['p99']:7.2f} ms  mean={figures['mean']:7.2f} ms", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="measured requests per operation")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    with bench_environment("hdbench", keep=args.keep) as env:
        run(args, env.database_url, env.redis_url, env.redis_prefix, env.scratch)


def run(args: argparse.Namespace, database_url: str, redis_url: str, prefix: str, scratch: Path) -> None:
    from bench.dataset import add_tickets
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import free_port
    from helpdesk.runtime.launcher import reflex_environment, web_command
    from helpdesk.seed.demo import DEMO_DOMAIN, DEMO_PASSWORDS, seed_demo
    from tests.processes import ROOT as PROJECT
    from tests.processes import http_ok, running

    started = time.perf_counter()
    migrate_database()
    seed_demo(ticket_count=50)
    add_tickets(args.tickets - 50)
    print(f"database ready with {args.tickets} tickets in {time.perf_counter() - started:.1f}s", flush=True)

    port = free_port(3300)
    url = f"http://localhost:{port}"
    env = reflex_environment() | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "WEB_PORT": str(port),
        "PUBLIC_URL": url, "CORS_ORIGINS": f'["{url}"]', "HELPDESK_ENV": "test", "DATA_DIR": str(scratch / "data"),
        "REFLEX_WEB_WORKDIR": str(PROJECT / ".web-bench"), "REFLEX_STATES_WORKDIR": str(PROJECT / ".states-bench"),
    }
    with running(web_command(port), env, scratch / "web.log", lambda: http_ok(f"{url}/ready"), timeout=600):
        measure(url, args, DEMO_DOMAIN, DEMO_PASSWORDS)


def measure(url: str, args: argparse.Namespace, domain: str, passwords: dict[str, str]) -> None:
    rng = random.Random(42)
    with httpx.Client(base_url=url, timeout=30) as http:
        def token(email: str, password: str) -> dict[str, str]:
            response = http.post("/api/v1/auth/login", json={"email": email, "password": password})
            response.raise_for_status()
            return {"Authorization": f"Bearer {response.json()['access_token']}"}

        requester = token(f"employee@{domain}", passwords["requester"])
        agent = token(f"ayesha.khan@{domain}", passwords["agent"])
        visible = [t["id"] for t in http.get("/api/v1/tickets", params={"limit": 100}, headers=agent).json()["items"]]
        cursor = http.get("/api/v1/tickets", params={"limit": 100}, headers=agent).json()["next_cursor"]
        visible += [t["id"] for t in http.get("/api/v1/tickets", params={"limit": 100, "cursor": cursor},
                                               headers=agent).json()["items"]]

        def create() -> httpx.Response:
            return http.post("/api/v1/tickets", headers=requester | {"Idempotency-Key": uuid.uuid4().hex}, json={
                "title": "Bench: laptop will not connect to Wi-Fi",
                "description": "Since the update the laptop sees the network but cannot connect.",
                "priority": rng.choice(["low", "medium", "high"]),
            })

        def list_queue() -> httpx.Response:
            params = rng.choice([{}, {"status": ["new", "open", "in_progress"]}, {"priority": ["high"]},
                                 {"sort": "updated"}, {"q": "printer"}, {"with_counts": True}])
            return http.get("/api/v1/tickets", params=params | {"limit": 25}, headers=agent)

        def detail() -> httpx.Response:
            return http.get(f"/api/v1/tickets/{rng.choice(visible)}", headers=agent)

        operations = {"create_ticket": create, "list_tickets": list_queue, "ticket_detail": detail}
        for call in operations.values():  # warm connections, caches and the server's code paths
            for _ in range(30):
                timed(call)
        results = {}
        for name, call in operations.items():
            results[name] = summarise(name, [timed(call) for _ in range(args.requests)])

    summary = {
        "tickets": args.tickets,
        "requests_per_operation": args.requests,
        "create_p95_ms": round(results["create_ticket"]["p95"], 2),
        "list_p95_ms": round(results["list_tickets"]["p95"], 2),
        "detail_p95_ms": round(results["ticket_detail"]["p95"], 2),
        "create_p50_ms": round(results["create_ticket"]["p50"], 2),
        "list_p50_ms": round(results["list_tickets"]["p50"], 2),
        "detail_p50_ms": round(results["ticket_detail"]["p50"], 2),
        "create_p99_ms": round(results["create_ticket"]["p99"], 2),
        "list_p99_ms": round(results["list_tickets"]["p99"], 2),
        "detail_p99_ms": round(results["ticket_detail"]["p99"], 2),
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
