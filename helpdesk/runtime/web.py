"""`helpdesk web`: the Reflex app (pages + REST API) on one port, stopped within a bounded time.

Two ways to run:
* from a checkout (default): `reflex run --env prod --single-port` compiles the pages and builds the frontend at
  start, as `make run` always did;
* prebuilt (`--prebuilt`, or HELPDESK_FRONTEND_PREBUILT=1, the container image): `helpdesk build-frontend` built
  the frontend once (at image build time) and the server only serves it: granian with the Reflex app, no compile,
  no bun, starts in seconds.

Either way `helpdesk web` stays the parent of the server's process group and owns SIGTERM/SIGINT: it passes the
signal on (granian stops accepting, finishes requests in flight and closes websockets, whose browsers reconnect to
another replica), and kills the group if it is not gone within WEB_SHUTDOWN_TIMEOUT_SECONDS. Without that bound, a
server whose lifespan shutdown waits on a dead Redis or PostgreSQL never exits (seen with a bare Reflex 0.10.1).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from helpdesk.core.settings import get_settings


def app_root() -> Path:
    """The folder with rxconfig.py and the frontend build (.web): the checkout, or HELPDESK_APP_DIR in an image."""
    from helpdesk.core.settings import PROJECT_ROOT

    configured = os.environ.get("HELPDESK_APP_DIR")
    return Path(configured) if configured else PROJECT_ROOT


def web_dir(root: Path) -> Path:
    return Path(os.environ.get("REFLEX_WEB_WORKDIR") or root / ".web")


def frontend_is_built(root: Path) -> bool:
    return (web_dir(root) / "build" / "client" / "index.html").is_file()


def build_frontend_command() -> list[str]:
    return [sys.executable, "-m", "reflex", "export", "--frontend-only", "--no-zip", "--env", "prod",
            "--loglevel", "warning"]


def prebuilt_server_command(port: int) -> list[str]:
    return [sys.executable, "-m", "helpdesk.runtime.web", str(port)]


def serve_prebuilt(port: int) -> None:
    """Runs granian on the Reflex app with the built frontend mounted (this process becomes granian's main)."""
    from granian.constants import Interfaces
    from granian.server import Server
    from reflex_base.constants import Env
    from reflex_base.environment import environment

    # What `reflex run --env prod --single-port` sets before serving, minus the compile and the build (through
    # Reflex's own setters: its internal variables carry a private prefix in the environment granian's workers get).
    environment.REFLEX_ENV_MODE.set(Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)
    environment.REFLEX_MOUNT_FRONTEND_COMPILED_APP.set(True)
    settings = get_settings()
    if str(Path.cwd()) not in sys.path:
        sys.path.insert(0, str(Path.cwd()))  # rxconfig.py is imported from the app folder
    Server(
        target="helpdesk.helpdesk:app",
        factory=True,
        address="0.0.0.0",
        port=port,
        interface=Interfaces.ASGI,
        workers=settings.web_workers,
        log_level=os.environ.get("GRANIAN_LOG_LEVEL", "warning"),  # type: ignore[arg-type]
        # Granian's own bound on a worker that does not stop; the parent's bound below covers the main process.
        workers_kill_timeout=max(int(settings.web_shutdown_timeout_seconds) - 5, 1),
        respawn_failed_workers=True,
    ).serve()


def run_web(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Starts the server in its own process group and stops it within the configured time on SIGTERM/SIGINT."""
    timeout = get_settings().web_shutdown_timeout_seconds
    child = subprocess.Popen(command, env=env, cwd=cwd, start_new_session=True)
    stopping: dict[str, float] = {}

    def request_stop(signum: int, frame: object) -> None:
        if "at" not in stopping:
            stopping["at"] = time.monotonic()
            _signal_group(child, signal.SIGTERM)

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    while True:
        try:
            code = child.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            if "at" in stopping and time.monotonic() - stopping["at"] > timeout:
                print(f"helpdesk web: the server did not stop within {timeout:.0f} s; killing it", file=sys.stderr,
                      flush=True)
                _signal_group(child, signal.SIGKILL)
                child.wait()
                return 1
            continue
        # Leftovers of the group (granian workers whose parent died first) go too.
        _signal_group(child, signal.SIGKILL)
        if "at" in stopping:
            print(f"helpdesk web: stopped in {time.monotonic() - stopping['at']:.1f} s", file=sys.stderr, flush=True)
            return 0
        return code


def _signal_group(child: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


if __name__ == "__main__":
    serve_prebuilt(int(sys.argv[1]))
