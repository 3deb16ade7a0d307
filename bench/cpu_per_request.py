"""Server CPU time per REST request (create, list, detail), read from /proc for every web process.

Throughput on a fixed number of cores is bounded by CPU per request, and unlike latency this figure hardly moves
when other work shares the machine, so it compares two versions fairly even on a busy box. Starts the stack
(loadtests/stack.py) from this checkout or --server-root, sends N requests of each kind from 8 concurrent clients,
and prints one JSON line.

    python bench/cpu_per_request.py [--server-root /tmp/ced5f9b] [--requests 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import uuid
from contextlib import nullcontext
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadtests.stack import LOAD_DOMAIN, LOAD_PASSWORD, Stack, running_stack  # noqa: E402

CLIENTS = 8
TICKS = os.sysconf("SC_CLK_TCK")


def web_pids(port: int) -> list[int]:
    """The web server's processes: every process whose command line serves this port, and their children."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if f"--backend-port {port}" in command:
            found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime of the process itself
    return total / TICKS


async def drive(url: str, kind: str, count: int, headers: dict[str, dict[str, str]], visible: list[int]) -> None:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        remaining = iter(range(count))

        async def one_client() -> None:
            for n in remaining:
                if kind == "create":
                    response = await client.post("/api/v1/tickets", headers=headers["requester"] | {
                        "Idempotency-Key": uuid.uuid4().hex}, json={
                        "title": f"CPU bench ticket {n}", "description": "Measuring server CPU per request."})
                elif kind == "list":
                    response = await client.get("/api/v1/tickets", params={"limit": 25}, headers=headers["agent"])
                else:
                    response = await client.get(f"/api/v1/tickets/{random.choice(visible)}", headers=headers["agent"])
                if response.status_code >= 400:
                    raise RuntimeError(f"{kind}: {response.status_code} {response.text[:200]}")

        await asyncio.gather(*(one_client() for _ in range(CLIENTS)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-root", type=Path)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--url", help="a stack already started by loadtests/stack.py (else one is started here)")
    args = parser.parse_args()
    results: dict[str, float | str] = {}
    started = nullcontext(Stack(args.url, 250, Path())) if args.url else running_stack(server_root=args.server_root)
    with started as stack:
        port = int(stack.url.rsplit(":", 1)[1])
        pids = web_pids(port)
        with httpx.Client(base_url=stack.url, timeout=30) as client:
            def token(email: str, password: str) -> dict[str, str]:
                response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
                response.raise_for_status()
                return {"Authorization": f"Bearer {response.json()['access_token']}"}

            headers = {"agent": token("ayesha.khan@acme.example.com", "agent-demo-pass"),
                       "requester": token(f"load0@{LOAD_DOMAIN}", LOAD_PASSWORD)}
            visible = [t["id"] for t in client.get("/api/v1/tickets", params={"limit": 100},
                                                    headers=headers["agent"]).json()["items"]]
        for kind in ("list", "detail", "create"):
            asyncio.run(drive(stack.url, kind, 200, headers, visible))  # warm-up
            before = cpu_seconds(pids)
            asyncio.run(drive(stack.url, kind, args.requests, headers, visible))
            results[f"{kind}_cpu_ms"] = round((cpu_seconds(pids) - before) / args.requests * 1000, 3)
            print(f"{kind}: {results[f'{kind}_cpu_ms']} ms CPU per request", file=sys.stderr, flush=True)
    mix = 0.6 * results["list_cpu_ms"] + 0.25 * results["detail_cpu_ms"] + 0.15 * results["create_cpu_ms"]
    results["mix_cpu_ms"] = round(mix, 3)
    results["server"] = args.url or str(args.server_root or ROOT)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
