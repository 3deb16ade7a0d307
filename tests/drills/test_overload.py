"""Fault drill: drive the real web server far past its capacity, then check it serves at once when the load stops.

Before admission control the server wedged for good after a spike like this one (every AnyIO thread waiting for a
pooled connection that only a thread could give back).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest

from tests.factories import PASSWORD, Org

pytestmark = [pytest.mark.slow, pytest.mark.drill]

T = TypeVar("T")


def run_async(coroutine: Awaitable[T]) -> T:
    """Runs a coroutine on an event loop of its own thread: Playwright's sync API keeps a loop running in the main
    thread for the whole test session."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine).result()

CLIENTS = 120  # well past capacity (2 processes x (6 in flight + 48 queued)), without starving the client itself
SPIKE_SECONDS = 12
CLIENT_TIMEOUT = 20.0
# A refused client pauses this long before it asks again (shorter than Retry-After, so the pressure stays): without
# it 120 clients re-asked in a tight loop, the test's own event loop spent its time on that churn, and what the
# median 503 latency measured was how long an answer waited in the client (2.9 s once in CI) - not the server.
PAUSE_AFTER_503 = 0.2


async def _spike(url: str, token: str) -> tuple[Counter, list[float], int]:
    statuses: Counter = Counter()
    shed_latencies: list[float] = []
    missing_retry_after = 0
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    deadline = time.monotonic() + SPIKE_SECONDS
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=CLIENT_TIMEOUT, limits=limits) as client:

        async def one_client(n: int) -> None:
            nonlocal missing_retry_after
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    if n % 7 == 0:
                        response = await client.post("/api/v1/tickets", json={
                            "title": f"Spike ticket {n}", "description": "Filed while the server is overloaded."})
                    else:
                        response = await client.get("/api/v1/tickets", params={"limit": 25})
                except httpx.HTTPError as exc:
                    statuses[type(exc).__name__] += 1
                    continue
                statuses[response.status_code] += 1
                if response.status_code == 503:
                    shed_latencies.append(time.monotonic() - started)
                    missing_retry_after += "retry-after" not in response.headers
                    await asyncio.sleep(PAUSE_AFTER_503)

        await asyncio.gather(*(one_client(n) for n in range(CLIENTS)))
    return statuses, shed_latencies, missing_retry_after


def test_a_spike_is_shed_with_503_and_the_server_recovers_within_seconds(web_app: str, org: Org) -> None:
    token = httpx.post(f"{web_app}/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD},
                       timeout=30).json()["access_token"]

    statuses, shed_latencies, missing_retry_after = run_async(_spike(web_app, token))

    # Past capacity the excess is refused quickly and retryably; nothing fails or hangs.
    assert set(statuses) <= {200, 201, 503}, statuses
    assert statuses[503] > 0, f"the spike never went past capacity: {statuses}"
    assert statuses[200] > 0 and statuses[201] > 0, statuses
    assert missing_retry_after == 0
    shed_latencies.sort()
    assert shed_latencies[len(shed_latencies) // 2] < 2.0, "503s must be fast, not timeouts"

    # Within 5 s of the load stopping: liveness, readiness and a sign-in (which needs the pool) all answer.
    stopped = time.monotonic()
    with httpx.Client(base_url=web_app, timeout=5) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/ready").status_code == 200
        login = client.post("/api/v1/auth/login", json={"email": "bob@example.org", "password": PASSWORD})
        assert login.status_code == 200, login.text
        listed = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {token}"})
        assert listed.status_code == 200
    assert time.monotonic() - stopped < 5


def test_health_and_metrics_answer_while_the_api_is_saturated(web_app: str, org: Org) -> None:
    token = httpx.post(f"{web_app}/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD},
                       timeout=30).json()["access_token"]

    async def probe_during_spike() -> tuple[list[float], str]:
        spike = asyncio.create_task(_spike(web_app, token))
        await asyncio.sleep(4)  # the spike is in full swing
        timings = []
        async with httpx.AsyncClient(base_url=web_app, timeout=10) as client:
            for _ in range(5):
                started = time.monotonic()
                assert (await client.get("/health")).status_code == 200
                timings.append(time.monotonic() - started)
            metrics = (await client.get("/metrics")).text
        await spike
        return timings, metrics

    timings, metrics = run_async(probe_during_spike())
    assert max(timings) < 2.0, timings
    assert "helpdesk_http_in_flight_requests" in metrics and "helpdesk_http_shed_total" in metrics
