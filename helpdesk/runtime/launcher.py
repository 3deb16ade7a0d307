"""`helpdesk run`: everything on one machine, supervised, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from helpdesk.core.observability import multiprocess_environment
from helpdesk.core.settings import PROJECT_ROOT, get_settings, reset_settings_cache
from helpdesk.runtime.embedded import EmbeddedPostgres, EmbeddedRedis

WORKER_QUEUES = "ai,email,reports,search_sync,maintenance,mail_intake"


def reflex_environment() -> dict[str, str]:
    """Variables that keep Reflex offline and quiet (see docs/REFLEX.md)."""
    env = dict(os.environ)
    bun = PROJECT_ROOT / ".tools" / "node_modules" / "bun" / "bin" / "bun.exe"
    if bun.exists():
        env.setdefault("REFLEX_BUN_PATH", str(bun))
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "0")
    env.setdefault("REFLEX_HTTP_CLIENT_BIND_ADDRESS", "0.0.0.0")
    env.setdefault("GRANIAN_WORKERS", str(get_settings().web_workers))
    env.setdefault("NPM_CONFIG_REGISTRY", _npm_registry())
    # Web workers (and, through `run`, Celery workers) write Prometheus figures to one folder /metrics reads.
    multiprocess_environment(env)
    return env


def _npm_registry() -> str:
    try:
        out = subprocess.run(["npm", "config", "get", "registry"], capture_output=True, text=True, timeout=20)
        return out.stdout.strip() or "https://registry.npmjs.org/"
    except (OSError, subprocess.TimeoutExpired):
        return "https://registry.npmjs.org/"


def web_command(port: int) -> list[str]:
    return [sys.executable, "-m", "reflex", "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
            "--backend-port", str(port), "--loglevel", "warning"]


def worker_command(concurrency: int = 2) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "worker", "-Q", WORKER_QUEUES,
            "--concurrency", str(concurrency), "--loglevel", "INFO", "-n", f"worker-{os.getpid()}@%h"]


def beat_command(schedule_file: Path) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "tasks.celery_app", "beat", "--loglevel", "INFO",
            "-s", str(schedule_file)]


def wait_until_ready(url: str, timeout: float, processes: list[subprocess.Popen]) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _banner(url: str, embedded: list[str]) -> str:
    from helpdesk.seed.demo import DEMO_LOGINS

    lines = ["", "=" * 64, f"  IT Helpdesk is running at {url}", ""]
    lines += [f"  {role:<10} {email:<34} {password}" for role, email, password in DEMO_LOGINS]
    if embedded:
        lines += ["", f"  Embedded {', '.join(embedded)} under {get_settings().data_dir}"]
    lines += ["  REST API docs: " + url.rstrip("/") + "/api/docs", "", "  Press Ctrl-C to stop.", "=" * 64, ""]
    return "\n".join(lines)


def run(seed: bool = True) -> int:
    from helpdesk.runtime.bootstrap import migrate_database, seed_if_empty

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    embedded_pg = embedded_redis = None
    embedded: list[str] = []
    children: list[subprocess.Popen] = []
    try:
        if not settings.database_url:
            print("Starting embedded PostgreSQL…", flush=True)
            embedded_pg = EmbeddedPostgres(settings.data_dir)
            os.environ["DATABASE_URL"] = embedded_pg.start()
            embedded.append("PostgreSQL")
        if not settings.redis_url:
            print("Starting embedded Redis…", flush=True)
            embedded_redis = EmbeddedRedis(settings.data_dir)
            os.environ["REDIS_URL"] = embedded_redis.start()
            embedded.append("Redis")
        reset_settings_cache()
        settings = get_settings()
        print("Migrating the database…", flush=True)
        migrate_database()
        if seed and seed_if_empty():
            print("Loaded the demo organisation.", flush=True)

        # Every process of this machine starts now: figures of earlier runs are dropped.
        env = dict(multiprocess_environment(reflex_environment(), fresh=True))
        logs = settings.data_dir / "logs"
        logs.mkdir(exist_ok=True)
        for name, command in (
            ("web", web_command(settings.web_port)),
            ("worker", worker_command()),
            ("beat", beat_command(settings.data_dir / "celerybeat-schedule")),
        ):
            log_file = open(logs / f"{name}.log", "ab")  # noqa: SIM115 (closed when the child ends)
            children.append(subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log_file,
                                             stderr=subprocess.STDOUT, start_new_session=True))
        print(f"Starting web, worker and beat (logs in {logs})…", flush=True)
        url = f"http://localhost:{settings.web_port}"
        if not wait_until_ready(f"{url}/ready", timeout=600, processes=children):
            print(f"The web server did not come up; see {logs / 'web.log'}", file=sys.stderr)
            return 1
        # The backend answers before the compiled frontend is mounted; wait for the page too.
        wait_until_ready(f"{url}/login", timeout=120, processes=children)
        print(_banner(url, embedded), flush=True)
        return _supervise(children)
    except KeyboardInterrupt:
        return 0
    finally:
        _stop(children)
        if embedded_redis:
            embedded_redis.stop()
        if embedded_pg:
            embedded_pg.stop()
        print("Stopped.", flush=True)


def _supervise(children: list[subprocess.Popen]) -> int:
    stop = {"now": False}

    def request_stop(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while not stop["now"]:
        for child in children:
            if child.poll() is not None:
                print(f"A process exited unexpectedly ({' '.join(child.args[2:5])}); stopping.", file=sys.stderr)
                return 1
        time.sleep(0.5)
    print("\nStopping…", flush=True)
    return 0


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for child in children:
        try:
            child.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
