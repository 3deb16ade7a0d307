"""Live-update latency: N agent queue pages connected over Reflex's websocket while tickets are created.

Builds its own database (demo organisation + --tickets generated tickets) and Redis prefix, starts ONE real web
server (`helpdesk web`: Reflex production build + REST API, GRANIAN_WORKERS=--workers) and, for each step of
--clients, connects that many simulated browser tabs to /queue. Each tab speaks the browser's Socket.IO frames
(bench/live_wire.py; the frames were copied from Chromium, and --browser-check re-captures them from a real
Chromium on this server and compares): the hydrate_and_load boot event in the CONNECT packet (the `hd_session`
cookie rides on the websocket's upgrade request, as the browser sends it), the page's on_load events the server
hands back, and, like the page's VersionWatcher, `QueueState.apply_change(version, ticket_id)` whenever a delta
moves the QueueFeed version.

The tabs run in --client-procs processes of their own (default 2), apart from the process that files the tickets,
so one tab parsing its frame delays the others less (real tabs are separate browsers).

While the tabs are connected, tickets are created through the REST API (one every --create-every seconds) and,
per tab and per ticket, two delays are measured from the ticket's commit (the `committed_at` the server wrote into
the live stream entry, read back from Redis; same machine clock as the tabs' receive times):
  push: until the tab receives the QueueFeed delta whose version carries that ticket id;
  rows: until the tab receives the QueueState delta whose rows contain the new ticket.
The last line is one JSON object with the figures.

    python bench/live_latency.py [--clients 200,500,1000] [--workers 2] [--client-procs 2] [--tickets 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import multiprocessing
import os
import platform
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import percentile  # noqa: E402
from bench.live_wire import SocketIOClient  # noqa: E402

STATE = "reflex___state____state"
QUEUE_STATE = f"{STATE}.helpdesk___state___session____session_state.helpdesk___state___queue____queue_state"
# The substate a live push updates (helpdesk/state/live.py LiveState: version, ticket_id).
QUEUE_FEED = f"{STATE}.helpdesk___state___live____live_state"
HYDRATE = f"{STATE}.hydrate_and_load"
APPLY_CHANGE = f"{QUEUE_STATE}.apply_change"
ROUTER_DATA = {"pathname": "/queue/", "asPath": "/queue/"}  # what Chromium sends (trailing slash)
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def figures(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50": round(percentile(samples, 50), 1), "p95": round(percentile(samples, 95), 1),
            "p99": round(percentile(samples, 99), 1), "max": round(max(samples), 1) if samples else float("nan"),
            "mean": round(statistics.fmean(samples), 1) if samples else float("nan")}


# -- one simulated tab ------------------------------------------------------------------------------------------


@dataclass
class Tab:
    token: str
    cookie: str
    boot: dict  # the CONNECT auth payload (hydrate_and_load + state schema)
    version: int | None = None
    ticket_id: int = 0
    hydrated: bool = False
    loaded: bool = False
    row_ids: set[str] = field(default_factory=set)
    push_at: dict[int, float] = field(default_factory=dict)  # ticket id -> wall time the feed delta arrived
    rows_at: dict[int, float] = field(default_factory=dict)  # ticket id -> wall time rows holding it arrived
    sent: list[str] = field(default_factory=list)  # names of the events this tab sent (for the browser check)
    applies_sent: int = 0
    seen: int = -1  # QueueState.seen_version as the browser holds it
    versions: list[tuple[int, float]] = field(default_factory=list)  # (QueueFeed version, wall time received)
    frames: int = 0  # "event" frames received
    errors: list[str] = field(default_factory=list)
    client: SocketIOClient | None = None

    def send(self, name: str, payload: dict | None = None) -> None:
        event: dict = {"name": name}
        if payload:
            event["payload"] = payload
        event["router_data"] = dict(ROUTER_DATA)
        self.sent.append(name)
        self.client.emit("event", event)

    def on_event(self, update: dict, received_at: float) -> None:
        self.frames += 1
        delta = update.get("delta") or {}
        # React applies the whole frame before effects run, so the queue part (rows, seen_version) counts first.
        queue = delta.get(QUEUE_STATE)
        if queue is not None:
            if "rows_rx_state_" in queue:
                self.row_ids = {row["id"] for row in queue["rows_rx_state_"]}
                for raw in self.row_ids:
                    self.rows_at.setdefault(int(raw), received_at)
            if queue.get("loaded_rx_state_"):
                self.loaded = True
            if "seen_version_rx_state_" in queue:
                self.seen = queue["seen_version_rx_state_"]
        feed = delta.get(QUEUE_FEED)
        if feed is not None:
            if "ticket_id_rx_state_" in feed:
                self.ticket_id = feed["ticket_id_rx_state_"]
            if "version_rx_state_" in feed and feed["version_rx_state_"] != self.version:
                self.version = feed["version_rx_state_"]
                self.versions.append((self.version, received_at))
                self._watch()
        root = delta.get(STATE)
        if root is not None and root.get("is_hydrated_rx_state_"):
            self.hydrated = True
        # The browser queues the events an update carries and sends the backend ones back (frontend-only
        # events start with "_": redirects, cookies, scripts).
        for event in update.get("events") or []:
            name = event.get("name", "")
            if name and not name.startswith("_"):
                self.send(name, event.get("payload"))
            elif name == "_redirect":
                self.errors.append(f"redirected to {event.get('payload', {}).get('path')}")

    def report(self) -> dict:
        """What the parent process needs of this tab (it cannot pickle the socket)."""
        errors = [*self.errors, *([self.client.error] if self.client and self.client.error else [])]
        return {"version": self.version, "versions": self.versions, "rows_at": self.rows_at, "frames": self.frames,
                "applies_sent": self.applies_sent, "errors": errors}

    @classmethod
    def from_report(cls, report: dict) -> Tab:
        tab = cls(token="", cookie="", boot={})
        tab.version, tab.versions, tab.rows_at = report["version"], report["versions"], report["rows_at"]
        tab.frames, tab.applies_sent, tab.errors = report["frames"], report["applies_sent"], report["errors"]
        return tab

    def _watch(self) -> None:
        """The VersionWatcher's useEffect: after every change of QueueFeed.version, apply_change(version, id), unless
        the page already shows that version (the push carried its rows)."""
        if 0 <= self.seen >= self.version:
            return
        self.applies_sent += 1
        self.send(APPLY_CHANGE, {"version": self.version, "ticket_id": self.ticket_id})


# -- set-up -----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default="200,500,1000", help="comma-separated connected tabs per step")
    parser.add_argument("--workers", type=int, default=2, help="GRANIAN_WORKERS of the web server")
    parser.add_argument("--tickets", type=int, default=3000, help="tickets in the database")
    parser.add_argument("--creates", type=int, default=30, help="tickets created per step")
    parser.add_argument("--create-every", type=float, default=0.35, help="seconds between creates")
    parser.add_argument("--step-seconds", type=float, default=60, help="time limit of a step's creates and drain")
    parser.add_argument("--connect-seconds", type=float, default=120, help="time limit of a step's connects")
    parser.add_argument("--connect-concurrency", type=int, default=5, help="tabs opening at the same time")
    parser.add_argument("--sessions", type=int, default=10, help="sign-in sessions shared by the tabs")
    parser.add_argument("--client-procs", type=int, default=2,
                        help="processes the simulated tabs are spread over (1 = all tabs in one event loop)")
    parser.add_argument("--browser-check", action=argparse.BooleanOptionalAction, default=True,
                        help="capture a real Chromium's frames on /queue and compare with the simulated tab")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    args.steps = [int(n) for n in args.clients.split(",") if n.strip()]

    from tests.servers import create_database, drop_database, find_servers

    scratch = Path(tempfile.mkdtemp(prefix="hdbench-live-"))
    servers = find_servers(scratch)
    name, database_url = create_database(servers.admin_database_url)
    prefix = f"hdbench-live-{uuid.uuid4().hex[:8]}:"
    os.environ.update({"DATABASE_URL": database_url, "REDIS_URL": servers.redis_url, "REDIS_PREFIX": prefix,
                       "DATA_DIR": str(scratch / "data"), "HELPDESK_ENV": "test",
                       # One requester files every step's tickets, far faster than a person: the per-person limit
                       # (20 an hour) refused all but the first 20 (the web server inherits this environment).
                       "RATE_LIMIT_TICKETS_PER_HOUR": "1000000"})
    tokens: set[str] = set()
    try:
        run(args, database_url, servers.redis_url, prefix, scratch, tokens)
    finally:
        from helpdesk.core import cache, db

        db.dispose_engines()
        removed = cleanup_redis(cache.get_redis(), prefix, tokens)
        # On stderr, like the web log summary: the last line on stdout stays the JSON figures.
        print(f"cleanup: deleted {removed} Redis keys (prefix {prefix!r}, shared tokens, {len(tokens)} tab tokens)",
              file=sys.stderr, flush=True)
        if not args.keep:
            drop_database(servers.admin_database_url, name)
        servers.stop()


def cleanup_redis(client, prefix: str, tokens: set[str]) -> int:  # noqa: ANN001
    """Our prefix, the Reflex keys of the shared tokens (their idents start with the prefix, dashed, see
    helpdesk/state/live.py _channel) and the Reflex keys of every tab token we made."""
    channel_prefix = prefix.replace(":", "-").replace("_", "-")
    doomed = []
    for raw in client.scan_iter(count=5000):
        key = raw.decode() if isinstance(raw, bytes) else raw
        if key.startswith(prefix) or channel_prefix in key or any(t in tokens for t in UUID_RE.findall(key)):
            doomed.append(key)
    for start in range(0, len(doomed), 500):
        client.delete(*doomed[start:start + 500])
    return len(doomed)


def run(args: argparse.Namespace, database_url: str, redis_url: str, prefix: str, scratch: Path,
        tokens: set[str]) -> None:
    from bench.dataset import add_tickets
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import free_port
    from helpdesk.runtime.launcher import reflex_environment
    from helpdesk.seed.demo import seed_demo

    started = time.perf_counter()
    migrate_database()
    seed_demo(ticket_count=50)
    add_tickets(max(args.tickets - 50, 0))
    print(f"database ready with {args.tickets} tickets in {time.perf_counter() - started:.1f}s", flush=True)

    port = free_port(3400)
    url = f"http://localhost:{port}"
    web_dir = ROOT / ".web-bench-live"
    env = reflex_environment() | {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url, "REDIS_PREFIX": prefix, "WEB_PORT": str(port),
        "PUBLIC_URL": url, "CORS_ORIGINS": f'["{url}"]', "HELPDESK_ENV": "test", "DATA_DIR": str(scratch / "data"),
        "REFLEX_WEB_WORKDIR": str(web_dir), "REFLEX_STATES_WORKDIR": str(ROOT / ".states-bench-live"),
        "GRANIAN_WORKERS": str(args.workers), "WEB_WORKERS": str(args.workers),
    }
    started = time.perf_counter()
    log_path = scratch / "web.log"
    with start_web(port, env, log_path, url) as process:
        print(f"web server up on {url} (GRANIAN_WORKERS={args.workers}) in {time.perf_counter() - started:.1f}s; "
              f"log {log_path}", flush=True)
        asyncio.run(measure(args, url, port, web_dir, process.pid, prefix, tokens))
        lines = log_path.read_text(errors="replace").splitlines()
        kinds: dict[str, int] = {}
        for line in lines:
            if "Error" in line or "Traceback" in line or "held too long" in line:
                kinds[line.strip()[:90]] = kinds.get(line.strip()[:90], 0) + 1
        print(f"web log: {sum(kinds.values())} error/warning lines; most frequent:", file=sys.stderr, flush=True)
        for text, n in sorted(kinds.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {n:>7} x {text}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def start_web(port: int, env: dict[str, str], log_path: Path, url: str):  # noqa: ANN201
    """`helpdesk web` (web_command) until /ready and /queue answer; one retry if it exits early while building."""
    from helpdesk.runtime.launcher import web_command
    from tests.processes import http_ok, running

    for attempt in (1, 2):
        try:
            context = running(web_command(port), env, log_path,
                              lambda: http_ok(f"{url}/ready") and http_ok(f"{url}/queue"), timeout=600)
            process = context.__enter__()
        except RuntimeError as exc:
            if attempt == 2 or "exited early" not in str(exc):
                raise
            print(f"web server exited early, retrying once:\n{str(exc)[-500:]}", flush=True)
            continue
        try:
            yield process
        except BaseException:
            if not context.__exit__(*sys.exc_info()):
                raise
        else:
            context.__exit__(None, None, None)
        return


def compiled_boot_constants(web_dir: Path) -> tuple[list[str], str, str]:
    """What the compiled bundle sends in its first CONNECT: the initial state hashes and the state schema."""
    context = (web_dir / "utils" / "context.jsx").read_text()
    hashes = json.loads(re.search(r"initialStateHashes = (\[.*?\])", context).group(1))
    schema = re.search(r'stateSchema = "([0-9a-f]+)"', context).group(1)
    version = json.loads((web_dir / "reflex.json").read_text())["version"]
    return hashes, schema, version


def boot_auth(cookie: str, hashes: list[str], schema: str) -> dict:  # noqa: ARG001 (the cookie goes in the headers)
    return {"event": {"name": HYDRATE, "payload": {"vars": {}, "hashes": hashes},
                      "router_data": dict(ROUTER_DATA)},
            "state_schema": schema}


def server_rss_mb(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]) / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def server_cpu_seconds(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        total = 0.0
        for p in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = p.cpu_times()
                total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return float("nan")


# -- measurement ------------------------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, url: str, port: int, web_dir: Path, pid: int, prefix: str,
                  tokens: set[str]) -> None:
    from helpdesk.seed.demo import DEMO_DOMAIN, DEMO_PASSWORDS

    hashes, schema, reflex_version = compiled_boot_constants(web_dir)
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        async def login(email: str, password: str) -> str:
            response = await http.post("/api/v1/auth/login", json={"email": email, "password": password})
            response.raise_for_status()
            return response.json()["access_token"]

        requester = await login(f"employee@{DEMO_DOMAIN}", DEMO_PASSWORDS["requester"])
        sessions = [await login(f"ayesha.khan@{DEMO_DOMAIN}", DEMO_PASSWORDS["agent"]) for _ in range(args.sessions)]

        if args.browser_check:
            await browser_check(url, port, sessions[0], hashes, schema, reflex_version, tokens)

        steps = []
        started = time.monotonic()
        for count in args.steps:
            if steps and time.monotonic() - started > 330:
                print(f"skipping the {count}-client step: the run is near its 10-minute budget", flush=True)
                break
            step = await run_step(args, count, http, requester, sessions, port, pid, hashes, schema, reflex_version,
                                  prefix, tokens)
            steps.append(step)
            if step["connected"] < count * 0.5:
                print(f"stopping: only {step['connected']} of {count} tabs connected", flush=True)
                break

    last = steps[-1]
    summary = {
        "clients": last["clients"],
        "push_p50_ms": last["push"]["p50"], "push_p95_ms": last["push"]["p95"], "push_p99_ms": last["push"]["p99"],
        "rows_p50_ms": last["rows"]["p50"], "rows_p95_ms": last["rows"]["p95"], "rows_p99_ms": last["rows"]["p99"],
        "server_rss_mb": last["server_rss_mb"],
        "granian_workers": args.workers,
        "target": "push p95 < 100 ms at 500 clients",
        "steps": steps,
        "machine": f"{platform.node()} {os.cpu_count()} cpu",
    }
    print(json.dumps(summary))


def client_process(conn, count: int, port: int, sessions: list[str], hashes: list[str], schema: str,  # noqa: ANN001
                   reflex_version: str, concurrency: int, limit_seconds: float) -> None:
    """One client process: connects its share of the tabs, reports, then waits for the step's tickets."""
    asyncio.run(_client_main(conn, count, port, sessions, hashes, schema, reflex_version, concurrency,
                             limit_seconds))


async def _client_main(conn, count: int, port: int, sessions: list[str], hashes: list[str], schema: str,  # noqa: ANN001
                       reflex_version: str, concurrency: int, limit_seconds: float) -> None:
    tokens: set[str] = set()
    tabs, failures = await connect_tabs(count, port, sessions, hashes, schema, reflex_version, tokens,
                                        concurrency=concurrency, limit_seconds=limit_seconds)
    await asyncio.sleep(2)  # let the hydrate traffic settle
    frames_after_connect = sum(tab.frames for tab in tabs)
    base_version = max((tab.version or 0) for tab in tabs) if tabs else 0
    for tab in tabs:
        tab.push_at.clear()
        tab.rows_at.clear()
        tab.versions.clear()
        tab.frames = 0
    conn.send({"tokens": sorted(tokens), "connected": len(tabs), "failures": failures,
               "frames_after_connect": frames_after_connect, "base_version": base_version})
    request = await asyncio.to_thread(conn.recv)
    wanted, deadline = set(request["wanted"]), time.monotonic() + request["seconds"]
    while time.monotonic() < deadline:
        if all(wanted <= tab.rows_at.keys() and (tab.version or 0) >= request["final"] for tab in tabs):
            break
        await asyncio.sleep(0.1)
    conn.send([tab.report() for tab in tabs])
    for tab in tabs:
        await tab.client.close()


async def connect_tabs(count: int, port: int, sessions: list[str], hashes: list[str], schema: str,
                       reflex_version: str, tokens: set[str], concurrency: int = 20,
                       limit_seconds: float = 150) -> tuple[list[Tab], list[str]]:
    tabs: list[Tab] = []
    give_up = time.monotonic() + limit_seconds
    failures: list[str] = []
    gate = asyncio.Semaphore(concurrency)

    async def open_one(i: int) -> None:
        cookie = sessions[i % len(sessions)]
        token = str(uuid.uuid4())
        tokens.add(token)
        tab = Tab(token=token, cookie=cookie, boot=boot_auth(cookie, hashes, schema))
        tab.client = SocketIOClient("127.0.0.1", port, "/_event", token, reflex_version, tab.on_event,
                                    headers=[("Origin", f"http://localhost:{port}"),
                                             ("Cookie", f"hd_session={cookie}")])
        async with gate:
            try:
                if time.monotonic() > give_up:
                    raise TimeoutError("connect phase over its time limit")
                await tab.client.connect(tab.boot)
                tab.sent.append(HYDRATE)
                # The VersionWatcher's first effect runs once the hydrate delta set the version (as Chromium shows:
                # one apply_change carrying the hydrated version), so nothing is sent before that frame.
                deadline = min(time.monotonic() + 30, give_up)
                while not tab.loaded and time.monotonic() < deadline and not tab.client.closed.is_set():
                    await asyncio.sleep(0.05)
                if not tab.loaded:
                    raise TimeoutError(f"queue rows never arrived ({tab.client.error or 'no error'}; {tab.errors})")
                tabs.append(tab)
            except Exception as exc:  # noqa: BLE001
                failures.append(f"{type(exc).__name__}: {exc}")
                await tab.client.close()

    await asyncio.gather(*(open_one(i) for i in range(count)))
    return tabs, failures


async def run_step(args: argparse.Namespace, count: int, http: httpx.AsyncClient, requester: str,
                   sessions: list[str], port: int, pid: int, hashes: list[str], schema: str, reflex_version: str,
                   prefix: str, tokens: set[str]) -> dict:
    step_started = time.monotonic()
    gc.collect()
    rss_before = server_rss_mb(pid)
    # The tabs live in --client-procs processes of their own (like browsers, which each have their own CPU time),
    # so parsing one tab's frame does not delay the receive time of the others as much as in one event loop.
    procs = max(1, min(args.client_procs, count))
    shares = [count // procs + (1 if i < count % procs else 0) for i in range(procs)]
    context = multiprocessing.get_context("spawn")
    pipes, children = [], []
    for share in shares:
        parent_end, child_end = context.Pipe()
        child = context.Process(target=client_process, daemon=True, args=(
            child_end, share, port, sessions, hashes, schema, reflex_version, args.connect_concurrency,
            args.connect_seconds))
        child.start()
        pipes.append(parent_end)
        children.append(child)
    ready = [await asyncio.to_thread(pipe.recv) for pipe in pipes]
    for report in ready:
        tokens.update(report["tokens"])
    connected = sum(r["connected"] for r in ready)
    failures = [f for r in ready for f in r["failures"]]
    frames_after_connect = sum(r["frames_after_connect"] for r in ready)
    base_version = max((r["base_version"] for r in ready), default=0)
    connect_seconds = time.monotonic() - step_started
    print(f"[{count}] {connected} tabs connected and loaded in {connect_seconds:.1f}s in {procs} client process(es)"
          + (f"; {len(failures)} failed, e.g. {failures[0]}" if failures else ""), flush=True)

    rng = random.Random(count)
    created: list[int] = []
    create_ms: list[float] = []
    create_failures: list[str] = []
    cpu_before = server_cpu_seconds(pid)
    rss_peak = server_rss_mb(pid)
    budget_end = time.monotonic() + args.step_seconds
    window_start = time.time()
    for _ in range(args.creates):
        if time.monotonic() > budget_end - 8:
            break
        t0 = time.perf_counter()
        try:
            response = await http.post("/api/v1/tickets", timeout=20, headers={
                "Authorization": f"Bearer {requester}", "Idempotency-Key": uuid.uuid4().hex}, json={
                "title": "Bench live: VPN drops every few minutes",
                "description": "Since this morning the VPN disconnects every few minutes on the office Wi-Fi.",
                "priority": rng.choice(["low", "medium", "high"])})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            create_failures.append(f"{type(exc).__name__} after {time.perf_counter() - t0:.1f}s")
            print(f"[{count}] create failed: {create_failures[-1]}", flush=True)
            continue
        create_ms.append((time.perf_counter() - t0) * 1000)
        created.append(int(response.json()["id"]))
        rss_peak = max(rss_peak, server_rss_mb(pid))
        await asyncio.sleep(args.create_every)

    # Every client process waits until its tabs have seen every ticket's rows and the feed's last version (or the
    # step's time is up), then hands back what each tab received.
    final = max((version for _, _, version in stream_entries(window_start - 1)), default=base_version)
    drain_seconds = max(1.0, min(budget_end - time.monotonic(), 15))
    for pipe in pipes:
        pipe.send({"wanted": created, "final": final, "seconds": drain_seconds})
    rss_peak = max(rss_peak, server_rss_mb(pid))
    results = [await asyncio.to_thread(pipe.recv) for pipe in pipes]
    for child in children:
        await asyncio.to_thread(child.join, 10)
    tabs = [Tab.from_report(item) for result in results for item in result]
    cpu_used = server_cpu_seconds(pid) - cpu_before
    window = time.time() - window_start
    rss_connected = server_rss_mb(pid)

    committed = committed_times(window_start - 1, created)
    # Each stream entry carries the bus version it was given (helpdesk/live.py); a ticket's push reached a tab with
    # the first delta whose version is at least the one its entry carries.
    entries = stream_entries(window_start - 1)
    version_of = {}
    for ticket_id, _, version in entries:
        version_of.setdefault(ticket_id, version)
    for tab in tabs:
        for ticket_id in created:
            need = version_of[ticket_id]
            seen = next((at for version, at in tab.versions if version >= need), None)
            if seen is not None:
                tab.push_at[ticket_id] = seen
    push, rows = [], []
    complete_push = complete_rows = 0
    missed_push = missed_rows = 0
    for tab in tabs:
        got_push = got_rows = 0
        for ticket_id in created:
            base = committed.get(ticket_id)
            if ticket_id in tab.push_at:
                got_push += 1
                push.append((tab.push_at[ticket_id] - base) * 1000)
            if ticket_id in tab.rows_at:
                got_rows += 1
                rows.append((tab.rows_at[ticket_id] - base) * 1000)
        complete_push += got_push == len(created)
        complete_rows += got_rows == len(created)
        missed_push += len(created) - got_push
        missed_rows += len(created) - got_rows
    applies = sum(tab.applies_sent for tab in tabs)
    frames_total = sum(t.frames for t in tabs)
    errors = sorted({e for tab in tabs for e in tab.errors})
    await asyncio.sleep(1)

    step = {
        "clients": count,
        "client_processes": procs,
        "connected": len(tabs),
        "connect_failures": len(failures),
        "connect_seconds": round(connect_seconds, 1),
        "tickets_created": len(created),
        "create_failures": len(create_failures),
        "create_p50_ms": round(percentile(create_ms, 50), 1),
        "create_max_ms": round(max(create_ms), 1) if create_ms else None,
        "push": figures(push),
        "rows": figures(rows),
        "clients_with_every_push": complete_push,
        "clients_with_every_row": complete_rows,
        "missed_pushes": missed_push,
        "missed_rows": missed_rows,
        "apply_change_sent": applies,
        "server_rss_mb": round(rss_connected, 1),
        "server_rss_before_connect_mb": round(rss_before, 1),
        "server_rss_peak_mb": round(rss_peak, 1),
        "server_cpu_percent_during_creates": round(100 * cpu_used / window, 1) if window else None,
        "frames_per_tab_while_connecting": round(frames_after_connect / max(len(tabs), 1), 1),
        "frames_per_tab_per_ticket": round(frames_total / max(len(tabs) * len(created), 1), 2),
        "shared_token_state_bytes": shared_token_bytes(prefix),
        "step_seconds": round(time.monotonic() - step_started, 1),
        "tab_errors": errors[:5],
    }
    print(f"[{count}] created {len(created)} tickets (create p50 {step['create_p50_ms']} ms); "
          f"push p50/p95/p99 = {step['push']['p50']}/{step['push']['p95']}/{step['push']['p99']} ms "
          f"(max {step['push']['max']}); rows p50/p95/p99 = {step['rows']['p50']}/{step['rows']['p95']}/"
          f"{step['rows']['p99']} ms (max {step['rows']['max']}); every push: {complete_push}/{len(tabs)}, "
          f"every row: {complete_rows}/{len(tabs)}; server RSS {step['server_rss_mb']} MB "
          f"(peak {step['server_rss_peak_mb']}), server CPU {step['server_cpu_percent_during_creates']}% "
          f"of one core", flush=True)
    return step


def committed_times(since: float, ticket_ids: list[int]) -> dict[int, float]:
    """The server-side commit time of each created ticket: `committed_at` of its first live stream entry
    (helpdesk/live.py publish, called right after the commit)."""
    from helpdesk.core import cache
    from helpdesk.core import live_bus as live

    wanted = set(ticket_ids)
    found: dict[int, float] = {}
    for _, fields in cache.get_redis().xrange(live.stream_key(), min=f"{int(since * 1000)}-0"):
        fields = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                  for k, v in fields.items()}
        if int(fields["ticket_id"]) in wanted:
            found.setdefault(int(fields["ticket_id"]), float(fields["committed_at"]))
    missing = wanted - found.keys()
    if missing:
        raise RuntimeError(f"no live stream entry for tickets {sorted(missing)[:5]}")
    return found


def stream_entries(since: float) -> list[tuple[int, float]]:
    """(ticket id, committed_at) of every live stream entry since `since`, in stream order."""
    from helpdesk.core import cache
    from helpdesk.core import live_bus as live

    out = []
    for _, fields in cache.get_redis().xrange(live.stream_key(), min=f"{int(since * 1000)}-0"):
        fields = {(k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
                  for k, v in fields.items()}
        out.append((int(fields["ticket_id"]), float(fields["committed_at"]), int(fields.get("version", 0))))
    return out


def shared_token_bytes(prefix: str) -> int:
    """Bytes Reflex keeps in Redis for the queue's shared token (QueueFeed with the set of linked tab tokens)."""
    from helpdesk.core import cache

    client = cache.get_redis()
    ident = prefix.replace(":", "-").replace("_", "-") + "queue"
    return sum(client.strlen(key) for key in client.scan_iter(f"{ident}_*", count=1000)
               if client.type(key) in (b"string", "string"))


# -- browser check ----------------------------------------------------------------------------------------------


async def browser_check(url: str, port: int, cookie: str, hashes: list[str], schema: str, reflex_version: str,
                        tokens: set[str]) -> None:
    """Opens /queue in Chromium with the session cookie, records its websocket frames, and compares the events
    it sends with what a simulated tab sends."""
    from bench.live_capture import capture

    frames = await asyncio.to_thread(capture, url, cookie)
    sent = [f for f in frames if f[0] == "sent"]
    print("browser frames sent on /queue (Chromium):", flush=True)
    for _, text in sent:
        print("   >", text[:400], flush=True)
    received = [text for kind, text in frames if kind == "received"]
    print(f"browser received {len(received)} frames; first ones:", flush=True)
    for text in received[:6]:
        print("   <", text[:300], flush=True)
    browser_events = []
    for _, text in sent:
        if text.startswith("40"):
            auth = json.loads(text[text.index("{"):])
            browser_events.append(auth["event"]["name"])
            if set(auth) != {"event", "state_schema"} or auth["state_schema"] != schema:
                print(f"   ! browser CONNECT auth differs: keys {sorted(auth)}", flush=True)
            if auth["event"].get("payload", {}).get("hashes") != hashes:
                print("   ! browser hashes differ from the compiled ones", flush=True)
            if auth["event"].get("payload", {}).get("vars"):
                print(f"   ! browser vars differ: {auth['event'].get('payload', {}).get('vars')}", flush=True)
        elif text.startswith("42"):
            body = json.loads(text[text.index("["):])
            browser_events.append(body[1]["name"])
    tabs, failures = await connect_tabs(1, port, [cookie], hashes, schema, reflex_version, tokens)
    if failures:
        raise RuntimeError(f"simulated tab failed: {failures}")
    await asyncio.sleep(1.5)
    simulated = tabs[0].sent
    await tabs[0].client.close()
    same = sorted(browser_events) == sorted(simulated)
    print(f"browser sent {browser_events}\nsimulated tab sent {simulated}\n"
          f"browser check: {'same events' if same else 'DIFFERENT events'}", flush=True)


if __name__ == "__main__":
    main()
