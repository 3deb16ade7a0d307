"""Fault drills: Redis and PostgreSQL restart while the web server is under load.

The drill runs its own embedded Redis and PostgreSQL (the machine's servers are shared), a web server on them,
a stream of REST requests from ten clients, and an agent's queue page in Chromium. While a server is down:
`/ready` says so within 2 s, requests get a fast, retryable 503 (never a hang or a 500), and no ticket whose
create answered 201 is lost. When it is back, the web server serves again within 10 s and the open queue page
shows tickets filed after the restart.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlmodel import select

from tests.conftest import TestEnvironment, _reset_process_singletons, _web_server
from tests.e2e.conftest import open_page, signing_in
from tests.factories import PASSWORD, Org, build_org

pytestmark = [pytest.mark.slow, pytest.mark.drill, pytest.mark.e2e]


@dataclass
class DrillStack:
    url: str
    env: TestEnvironment
    postgres: object
    redis: object
    org: Org


@pytest.fixture(scope="module")
def drill_stack(test_env: TestEnvironment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DrillStack]:
    from helpdesk.runtime.bootstrap import migrate_database
    from helpdesk.runtime.embedded import EmbeddedPostgres, EmbeddedRedis

    scratch = tmp_path_factory.mktemp("drill-servers")
    postgres, redis_server = EmbeddedPostgres(scratch), EmbeddedRedis(scratch, port=6397)
    env = TestEnvironment(database_url=postgres.start(), redis_url=redis_server.start(),
                          redis_prefix=f"drill-{uuid.uuid4().hex[:6]}:", data_dir=scratch / "data")
    saved = {k: os.environ.get(k) for k in env.as_env()}
    os.environ.update(env.as_env())
    _reset_process_singletons()
    try:
        migrate_database()
        org = build_org()
        with _web_server(env, "drill", 3170, tmp_path_factory.mktemp("drill-logs")) as url:
            yield DrillStack(url, env, postgres, redis_server, org)
    finally:
        os.environ.update({k: v for k, v in saved.items() if v is not None})
        _reset_process_singletons()
        redis_server.stop()
        postgres.stop()


@dataclass
class Load:
    """Ten clients creating and listing tickets until stopped, in a thread with its own event loop."""

    url: str
    token: str
    statuses: Counter = field(default_factory=Counter)
    created: list[int] = field(default_factory=list)
    slowest_failure_s: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Load:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(60)

    async def _run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with httpx.AsyncClient(base_url=self.url, headers=headers, timeout=15) as client:
            await asyncio.gather(*(self._client(client, n) for n in range(10)))

    async def _client(self, client: httpx.AsyncClient, n: int) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                if n % 2:
                    response = await client.post("/api/v1/tickets", json={
                        "title": f"Drill ticket {n}", "description": "Filed while a server restarts."})
                else:
                    response = await client.get("/api/v1/tickets", params={"limit": 10})
            except httpx.HTTPError as exc:
                self.statuses[type(exc).__name__] += 1
                continue
            self.statuses[response.status_code] += 1
            if response.status_code == 201:
                self.created.append(response.json()["id"])
            elif response.status_code >= 500:
                self.slowest_failure_s = max(self.slowest_failure_s, time.monotonic() - started)
                await asyncio.sleep(0.2)  # as a client honouring Retry-After would, roughly
            await asyncio.sleep(0.02)


def _seconds_until(check, timeout: float) -> float:  # noqa: ANN001
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < timeout, f"not within {timeout}s"
        time.sleep(0.1)
    return time.monotonic() - started


def _ready_status(url: str) -> int:
    try:
        return httpx.get(f"{url}/ready", timeout=3).status_code
    except httpx.HTTPError:
        return 0


def _sign_in(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD},
                          timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def _assert_nothing_lost(load: Load) -> None:
    from helpdesk.core.db import session_scope
    from helpdesk.models import Ticket

    assert set(load.statuses) <= {200, 201, 503}, load.statuses
    assert load.statuses[201] > 0 and load.statuses[503] > 0, load.statuses
    assert load.slowest_failure_s < 8, "a failing request must fail fast, not hang"
    with session_scope() as session:
        stored = set(session.exec(select(Ticket.id).where(Ticket.id.in_(load.created))).all())
    assert stored == set(load.created)


def _restart_drill(stack: DrillStack, browser, stop, start) -> None:  # noqa: ANN001
    with signing_in(browser, stack.url) as open_as:
        queue = open_as("hank@example.org")
        open_page(queue, "/queue")
        load = Load(stack.url, _sign_in(stack.url)).start()
        time.sleep(3)
        stop()
        assert _seconds_until(lambda: _ready_status(stack.url) == 503, 2.5) <= 2.5
        time.sleep(3)
        start()
        assert _seconds_until(lambda: _ready_status(stack.url) == 200, 10) <= 10
        token = _sign_in(stack.url)
        listed = httpx.get(f"{stack.url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert listed.status_code == 200
        time.sleep(2)
        load.stop()
        _assert_nothing_lost(load)

        # The queue page that was open through the outage shows a ticket filed after it.
        title = f"After the restart {uuid.uuid4().hex[:6]}"
        created = httpx.post(f"{stack.url}/api/v1/tickets", headers={"Authorization": f"Bearer {token}"},
                             json={"title": title, "description": "Filed once the server was back."}, timeout=10)
        assert created.status_code == 201
        queue.wait_for_selector(f"text={title}", timeout=20000)


def test_redis_restart_under_load(drill_stack: DrillStack, browser) -> None:  # noqa: ANN001
    _restart_drill(drill_stack, browser, drill_stack.redis.stop, drill_stack.redis.start)


def test_postgres_restart_under_load(drill_stack: DrillStack, browser) -> None:  # noqa: ANN001
    _restart_drill(drill_stack, browser, drill_stack.postgres.stop, drill_stack.postgres.start)
