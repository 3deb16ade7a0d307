"""Drill: SIGTERM stops `helpdesk web` and `helpdesk worker` gracefully and within a bound, even mid-outage.

The web server runs prebuilt (as in the container image) behind TCP proxies to PostgreSQL and Redis, so a drill can
slow or cut its database and Redis without touching the servers the rest of the suite uses.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psutil
import pytest
import websocket

from tests.factories import PASSWORD, Org
from tests.processes import ROOT, Inbox, http_ok
from tests.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.drill]

SHUTDOWN_BOUND = 30.0
SUFFIX = os.environ.get("HELPDESK_TEST_BUILD_SUFFIX", "")
WEB_DIRS = {"REFLEX_WEB_WORKDIR": str(ROOT / f".web-drain{SUFFIX}"),
            "REFLEX_STATES_WORKDIR": str(ROOT / f".states-drain{SUFFIX}")}


def _proxy_for(url: str) -> TcpProxy:
    parts = urlsplit(url)
    return TcpProxy(parts.hostname or "127.0.0.1", parts.port or 0).start()


@pytest.fixture(scope="module")
def prebuilt_frontend(test_env) -> None:  # noqa: ANN001
    """`helpdesk build-frontend` once, as the image build does."""
    env = os.environ | test_env.as_env() | WEB_DIRS
    subprocess.run([sys.executable, "-m", "helpdesk.runtime.cli", "build-frontend"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=600)


class Web:
    def __init__(self, process: subprocess.Popen, url: str, postgres: TcpProxy, redis: TcpProxy, log: Path) -> None:
        self.process, self.url, self.postgres, self.redis, self.log = process, url, postgres, redis, log

    def terminate_and_time(self) -> tuple[int, float]:
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(SHUTDOWN_BOUND + 10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"helpdesk web still running {SHUTDOWN_BOUND + 10:.0f} s after SIGTERM:\n"
                        f"{self.log.read_text()[-3000:]}")
        return code, time.monotonic() - started


@pytest.fixture
def web(prebuilt_frontend, test_env, org: Org, tmp_path: Path) -> Iterator[Web]:  # noqa: ANN001
    postgres, redis = _proxy_for(test_env.database_url), _proxy_for(test_env.redis_url)
    port = TcpProxy("127.0.0.1", 1).port  # a free port
    url = f"http://127.0.0.1:{port}"
    env = os.environ | test_env.as_env() | WEB_DIRS | {
        "DATABASE_URL": postgres.url(test_env.database_url), "REDIS_URL": redis.url(test_env.redis_url),
        "WEB_WORKERS": "1", "WEB_SHUTDOWN_TIMEOUT_SECONDS": "25", "CORS_ORIGINS": f'["{url}"]',
    }
    log = tmp_path / "web.log"
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "helpdesk.runtime.cli", "web", "--prebuilt", "--port",
                                    str(port)], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 120
            while not (http_ok(f"{url}/ready") and http_ok(f"{url}/login")):
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
            yield Web(process, url, postgres, redis, log)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            postgres.stop()
            redis.stop()


def _token(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _socket(url: str) -> websocket.WebSocket:
    """A browser's live connection: Reflex's Socket.IO websocket (Engine.IO v4)."""
    ws = websocket.create_connection(url.replace("http", "ws", 1) + "/_event/?EIO=4&transport=websocket", timeout=10)
    assert ws.recv().startswith("0{")  # the Engine.IO open packet
    return ws


def _closed_within(ws: websocket.WebSocket, seconds: float) -> bool:
    ws.settimeout(seconds)
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            if not ws.recv():
                return True
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True
    except websocket.WebSocketTimeoutException:
        return False
    return False


def test_sigterm_finishes_requests_in_flight_closes_sockets_and_exits(web: Web) -> None:
    token = _token(web.url)
    ws = _socket(web.url)
    answers: list[httpx.Response | Exception] = []

    def slow_request() -> None:
        try:
            answers.append(httpx.get(f"{web.url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                                     timeout=30))
        except Exception as exc:  # noqa: BLE001  (recorded for the assertion)
            answers.append(exc)

    web.postgres.pause()  # the list request now waits on its query
    request = threading.Thread(target=slow_request)
    request.start()
    time.sleep(1.5)
    code_holder: list[tuple[int, float]] = []
    stopper = threading.Thread(target=lambda: code_holder.append(web.terminate_and_time()))
    stopper.start()
    time.sleep(2)
    web.postgres.resume()  # the query completes after SIGTERM was sent
    request.join(30)
    stopper.join(SHUTDOWN_BOUND + 15)

    assert answers and isinstance(answers[0], httpx.Response), answers
    assert answers[0].status_code == 200, "the request in flight at SIGTERM is answered, not dropped"
    assert _closed_within(ws, 5), "the live socket is closed, so the browser reconnects to another replica"
    code, seconds = code_holder[0]
    assert code == 0, web.log.read_text()[-3000:]
    assert seconds < SHUTDOWN_BOUND
    assert not http_ok(f"{web.url}/health")


@pytest.mark.parametrize("outage", ["redis", "postgres"])
def test_sigterm_exits_within_the_bound_while_a_dependency_is_down(web: Web, outage: str) -> None:
    ws = _socket(web.url)
    (web.redis if outage == "redis" else web.postgres).cut()
    deadline = time.monotonic() + 15
    while http_ok(f"{web.url}/ready"):
        assert time.monotonic() < deadline, "/ready keeps answering 200 with a dependency down"
        time.sleep(0.5)
    code, seconds = web.terminate_and_time()
    assert seconds < SHUTDOWN_BOUND, web.log.read_text()[-3000:]
    assert code in (0, 1)  # 1: the server had to be killed at the bound, which is still a bounded exit
    ws.close()


class SlowInbox(Inbox):
    """An SMTP server that takes `delay` seconds to accept each message (a slow job for the worker)."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_inbox(org: Org) -> Iterator[SlowInbox]:
    """An SMTP server that takes its time, and a broker key prefix of this test's own: the suite's shared worker
    (started by earlier tests, still serving the `email` queue) must not take the job the drill's worker is for."""
    from tests.conftest import _reset_process_singletons

    saved = os.environ["REDIS_PREFIX"]
    os.environ["REDIS_PREFIX"] = f"{saved}drill-{os.getpid()}-{time.monotonic_ns()}:"
    _reset_process_singletons()
    inbox = SlowInbox(delay=5)
    inbox.start()
    try:
        yield inbox
    finally:
        inbox.stop()
        os.environ["REDIS_PREFIX"] = saved
        _reset_process_singletons()


_started_workers: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_worker_left_behind() -> Iterator[None]:
    """A drill that fails half-way must not leave its worker running for the rest of the suite."""
    yield
    while _started_workers:
        process = _started_workers.pop()
        if process.poll() is None:
            process.kill()
            process.wait(10)


def _start_worker(test_env, inbox: SlowInbox, log: Path, grace: float) -> subprocess.Popen:  # noqa: ANN001
    env = os.environ | test_env.as_env() | {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(inbox.port),
                                            "WORKER_SHUTDOWN_GRACE_SECONDS": str(grace),
                                            "REDIS_PREFIX": os.environ["REDIS_PREFIX"]}  # the drill's own broker keys
    process = subprocess.Popen([sys.executable, "-m", "helpdesk.runtime.cli", "worker", "-Q", "email",
                                "--concurrency", "1"], cwd=ROOT, env=env, stdout=log.open("ab"),
                               stderr=subprocess.STDOUT)
    _started_workers.append(process)
    deadline = time.monotonic() + 60
    while b" ready." not in log.read_bytes():
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.3)
    return process


def _file_ticket(org: Org, title: str) -> int:
    from helpdesk.core.db import session_scope
    from helpdesk.tickets import tickets
    from tests.factories import draft

    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(org.alice), draft(title=title)).number


def _wait_for_log(log: Path, text: bytes, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in log.read_bytes():
        assert time.monotonic() < deadline, log.read_text()[-3000:]
        time.sleep(0.2)


def _exit_code(worker: subprocess.Popen, log: Path) -> int:
    """The worker's exit code once it stopped within the bound; past the bound, the failure shows where every thread
    of it was waiting (the worker writes its stacks to the log on SIGUSR2)."""
    try:
        return worker.wait(SHUTDOWN_BOUND)
    except subprocess.TimeoutExpired:
        for process in [psutil.Process(worker.pid), *psutil.Process(worker.pid).children()]:
            process.send_signal(signal.SIGUSR2)
        time.sleep(2)
        pytest.fail(f"the worker still runs {SHUTDOWN_BOUND:.0f} s after SIGTERM:\n{log.read_text()[-6000:]}")


def test_a_worker_stopped_mid_job_finishes_the_job_then_exits(test_env, org: Org, slow_inbox: SlowInbox,  # noqa: ANN001
                                                              tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    worker = _start_worker(test_env, slow_inbox, log, grace=20)
    number = _file_ticket(org, "Finish me before you go")
    _wait_for_log(log, b"email.ticket_acknowledgement[")  # received: the SMTP server is now taking its time
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert _exit_code(worker, log) == 0
    assert time.monotonic() - started < SHUTDOWN_BOUND
    assert any(f"[#{number}]" in m["Subject"] for m in slow_inbox.messages), "the running job finished first"


def test_a_job_longer_than_the_grace_goes_back_to_the_queue_and_another_worker_runs_it(
        test_env, org: Org, slow_inbox: SlowInbox, tmp_path: Path) -> None:  # noqa: ANN001
    slow_inbox.delay = 15
    first_log, second_log = tmp_path / "first.log", tmp_path / "second.log"
    first = _start_worker(test_env, slow_inbox, first_log, grace=2)
    number = _file_ticket(org, "Hand me back")
    _wait_for_log(first_log, b"email.ticket_acknowledgement[")
    started = time.monotonic()
    first.send_signal(signal.SIGTERM)
    assert _exit_code(first, first_log) == 0
    assert time.monotonic() - started < 10, "cancelled at the grace, not after the 15 s job"
    assert not any(f"[#{number}]" in m["Subject"] for m in slow_inbox.messages)

    slow_inbox.delay = 0
    second = _start_worker(test_env, slow_inbox, second_log, grace=2)
    try:
        slow_inbox.wait_for(lambda m: f"[#{number}]" in m["Subject"], timeout=30)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(SHUTDOWN_BOUND)
