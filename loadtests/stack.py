"""Starts the helpdesk for a load test: its own database and Redis prefix, demo data plus generated tickets and
load-test people, the real web server (and optionally a Celery worker), all stopped afterwards.

`server_root` runs the web server from another checkout (say, an older commit in a git worktree) against the
same data, so two versions can be measured by the same load generator on the same machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LOAD_PASSWORD = "load-test-password-1"
LOAD_DOMAIN = "load.example.com"


@dataclass(frozen=True)
class Stack:
    url: str
    requesters: int
    log_dir: Path
    database_url: str

    def requester_email(self, n: int) -> str:
        return f"load{n % self.requesters}@{LOAD_DOMAIN}"


def add_load_requesters(count: int) -> None:
    """People the scenarios sign in as (one hash shared: argon2 is deliberately slow)."""
    from helpdesk.core.db import session_scope
    from helpdesk.identity.passwords import hash_password
    from helpdesk.models import User

    shared_hash = hash_password(LOAD_PASSWORD)
    with session_scope() as session:
        for n in range(count):
            session.add(User(email=f"load{n}@{LOAD_DOMAIN}", full_name=f"Load Tester {n}", role="requester",
                             password_hash=shared_hash))


@contextmanager
def running_stack(*, tickets: int = 20_000, requesters: int = 250, worker: bool = False,
                  server_root: Path | None = None, env_overrides: dict[str, str] | None = None) -> Iterator[Stack]:
    from bench.dataset import add_tickets
    from bench.harness import bench_environment
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import free_port
    from helpdesk.runtime.launcher import reflex_environment, web_command
    from helpdesk.seed.demo import seed_demo
    from tests.processes import celery_worker_command, http_ok

    with bench_environment("hdload") as env, ExitStack() as stack:
        _forget_process_singletons()  # engines and clients of an earlier stack in this process point elsewhere
        started = time.perf_counter()
        migrate_database()
        seed_demo(ticket_count=50)
        if tickets > 50:
            add_tickets(tickets - 50)
        add_load_requesters(requesters)
        _vacuum_analyze(env.database_url)
        print(f"database ready ({tickets} tickets, {requesters} load requesters) in "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
        root = server_root or ROOT
        port = free_port(3400)
        url = f"http://localhost:{port}"
        log_dir = env.scratch / "logs"
        log_dir.mkdir(exist_ok=True)
        process_env = reflex_environment() | {
            "DATABASE_URL": env.database_url, "REDIS_URL": env.redis_url, "REDIS_PREFIX": env.redis_prefix,
            "WEB_PORT": str(port), "PUBLIC_URL": url, "CORS_ORIGINS": f'["{url}"]', "HELPDESK_ENV": "test",
            "DATA_DIR": str(env.scratch / "data"), "REFLEX_WEB_WORKDIR": str(root / ".web-load"),
            "REFLEX_STATES_WORKDIR": str(root / ".states-load"), "PYTHONPATH": str(root),
            # Each virtual user files and replies far faster than a person: the per-person limits would shed them.
            "RATE_LIMIT_TICKETS_PER_HOUR": "1000000", "RATE_LIMIT_COMMENTS_PER_HOUR": "1000000",
            "RATE_LIMIT_UPLOADS_PER_HOUR": "1000000",
        } | (env_overrides or {})
        if worker:
            stack.enter_context(_running_in(root, celery_worker_command("ai,email,reports,search_sync,maintenance"),
                                            process_env, log_dir / "worker.log",
                                            lambda: b" ready." in (log_dir / "worker.log").read_bytes(), 90))
        stack.enter_context(_running_in(root, web_command(port), process_env, log_dir / "web.log",
                                        lambda: http_ok(f"{url}/ready") and http_ok(f"{url}/login"), 900))
        stack.enter_context(_autovacuum_stand_in(env.database_url))
        print(f"web server up at {url} (logs in {log_dir})", file=sys.stderr, flush=True)
        yield Stack(url, requesters, log_dir, env.database_url)


def _vacuum_analyze(database_url: str) -> None:
    """What autovacuum does for a database that has been running: table statistics for the planner and the
    visibility map for index-only scans. Freshly bulk-loaded, the tables have neither, and a PostgreSQL with
    autovacuum off (as on some test machines) would never get them, so both builds under test would be measured on
    a database no customer has."""
    import psycopg

    from helpdesk.core.db import libpq_url

    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")


AUTOVACUUM_NAPTIME_SECONDS = 60  # PostgreSQL's default autovacuum_naptime

# The tables autovacuum would pick now, by its default thresholds (autovacuum_vacuum_threshold 50 + scale factor 0.2
# of the rows; inserts: 1,000 + 0.2; analyze: 50 + 0.1).
_TABLES_AUTOVACUUM_WOULD_PICK = """
    SELECT quote_ident(schemaname) || '.' || quote_ident(relname)
    FROM pg_stat_user_tables
    WHERE n_dead_tup > 50 + 0.2 * n_live_tup
       OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup
       OR n_mod_since_analyze > 50 + 0.1 * n_live_tup
"""


@contextmanager
def _autovacuum_stand_in(database_url: str) -> Iterator[None]:
    """While the stack runs, does autovacuum's work when the server has autovacuum off (as on some test machines):
    every naptime, VACUUM (ANALYZE) the tables that crossed autovacuum's default thresholds. Without it, a long run
    measures a database that only grows dead rows and stale statistics, which no customer's database does; a load
    test's later steps (and a soak's later minutes) then ran slower for a reason that is not the server's."""
    import psycopg

    from helpdesk.core.db import libpq_url

    with psycopg.connect(libpq_url(database_url), autocommit=True) as probe:
        autovacuum_on = probe.execute("SHOW autovacuum").fetchone()[0] == "on"
    if autovacuum_on:
        yield
        return
    stop = threading.Event()

    def vacuum_like_autovacuum() -> None:
        while not stop.wait(AUTOVACUUM_NAPTIME_SECONDS):
            try:
                with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
                    for (table,) in connection.execute(_TABLES_AUTOVACUUM_WOULD_PICK).fetchall():
                        if stop.is_set():
                            return
                        connection.execute(f"VACUUM (ANALYZE) {table}")
            except psycopg.Error as error:  # the database going away at the end of the run
                print(f"autovacuum stand-in: {error}", file=sys.stderr, flush=True)

    thread = threading.Thread(target=vacuum_like_autovacuum, name="autovacuum-stand-in", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=30)


def _forget_process_singletons() -> None:
    from helpdesk.core import cache, db, jobs, settings

    settings.reset_settings_cache()
    db.dispose_engines()
    cache.reset_redis_client()
    jobs.reset_sender()


@contextmanager
def _running_in(root: Path, command: list[str], env: dict[str, str], log: Path, ready: Callable[[], bool],
                timeout: float) -> Iterator[subprocess.Popen]:
    """A child process whose working folder (so whose code) is `root`; stopped with SIGTERM, then SIGKILL."""
    with open(log, "wb") as log_file:
        process = subprocess.Popen(command, cwd=root, env=os.environ | env, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + timeout
            while not ready():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{command[2:5]} did not come up:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
