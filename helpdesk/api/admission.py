"""Admission control for the REST API: bounded work per process, fast 503s past capacity, request metrics.

Why it exists: without a bound, a spike queues more requests than the process has database connections. Sync
routes then hold every AnyIO worker thread waiting for a pooled connection, while the requests that hold the
connections wait for a free thread to give them back - the web server wedged for good. With at most
`API_MAX_IN_FLIGHT` API requests at once (fewer than the pool's connections and the thread pool's threads), every
request that starts can finish; the rest wait for a slot and are otherwise answered with `503` and `Retry-After`,
which a client or load balancer can act on.

How long a request may wait depends on whether the queue drains (CoDel's idea, as in Facebook's adaptive queue
timeouts). A burst - a few requests arriving together, or a garbage collection or checkpoint stalling the process -
makes a queue whose waits come down again within moments; such requests wait up to `API_QUEUE_WAIT_MS` and are
served, because a refusal there would be an error at a load the server can carry. Overload is a standing queue:
when every request that left the queue during `API_OVERLOAD_AFTER_MS` had waited longer than `API_QUEUE_TARGET_MS`,
arrivals outpace service. Then a request whose expected wait is over `API_OVERLOAD_QUEUE_WAIT_MS` is refused at
once, so a spike's excess hears its 503 in milliseconds. (The first rule here counted any queue that had not
emptied for that long as overload; near capacity the queue is seldom empty though its waits are short, and a short
stall then turned into refusals at a rate the process carries.)

A request that was let into the queue is not refused after waiting out a short budget: that refusal comes late (a
spike's 503s had a p95 of 440 ms when the overload budget was both the admission limit and the time-out) and the
estimate of the wait is only an average, so a queued request waits up to `API_QUEUE_WAIT_MS`. The overload limit
is 400 ms, not a few milliseconds, for clients that wait for their answer before they ask again (people, and the
spec's 50 users who sign in and file a ticket in a loop): there, more load only means longer waits, and refusing
them turned a 300 ms wait into an error for 12 % of their requests.

Health, readiness and metrics bypass the bound: they must answer while the API is saturated.
This is a plain ASGI middleware (no BaseHTTPMiddleware), so it adds no task or thread hop per request.
"""

from __future__ import annotations

import asyncio
import json
import time

from prometheus_client import Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from helpdesk.core.settings import get_settings

# Paths that must answer even when the API is saturated.
UNBOUNDED_PATHS = ("/health", "/ready", "/metrics", "/ping", "/_health")
MEASURED_PREFIXES = ("/api", "/health", "/ready")

REQUEST_SECONDS = Histogram(
    "helpdesk_http_request_duration_seconds", "REST API request duration", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
REQUESTS = Counter("helpdesk_http_requests_total", "REST API requests", ["method", "route", "status"])
IN_FLIGHT = Gauge("helpdesk_http_in_flight_requests", "REST API requests being served now",
                  multiprocess_mode="livesum")
QUEUED = Gauge("helpdesk_http_queued_requests", "REST API requests waiting for a slot", multiprocess_mode="livesum")
SHED = Counter("helpdesk_http_shed_total", "REST API requests answered 503 because the server was past capacity",
               ["reason"])

_SMOOTHING = 0.05  # weight of the newest request in the moving average (about the last 20 requests count)
# A process that has served fewer requests than this does not yet know how long one takes (its first ones are slow:
# cold caches, statements still being compiled), so it does not refuse on an estimate of the wait; a burst right
# after a start waits its turn within the queue budget instead.
_SAMPLES_BEFORE_ESTIMATING = 20

BUSY_BODY = json.dumps({"detail": "The server is busy right now. Please retry in a moment."}).encode()


class AdmissionControl:
    """At most `max_in_flight` API requests run at once; up to `max_queued` more wait up to `queue_wait` seconds."""

    def __init__(self, app: ASGIApp, max_in_flight: int | None = None, max_queued: int | None = None,
                 queue_wait_seconds: float | None = None, queue_target_seconds: float | None = None,
                 overload_after_seconds: float | None = None,
                 overload_queue_wait_seconds: float | None = None) -> None:
        settings = get_settings()
        self.app = app
        self.max_in_flight = max_in_flight or settings.api_max_in_flight
        self.max_queued = max_queued if max_queued is not None else settings.api_max_queued
        self.queue_wait = _given_or(queue_wait_seconds, settings.api_queue_wait_ms)
        self.queue_target = _given_or(queue_target_seconds, settings.api_queue_target_ms)
        self.overload_after = _given_or(overload_after_seconds, settings.api_overload_after_ms)
        self.overload_queue_wait = _given_or(overload_queue_wait_seconds, settings.api_overload_queue_wait_ms)
        self.in_flight = 0
        # Since when every request leaving the queue had waited longer than the target (None: the last one did not).
        self._waits_above_target_since: float | None = None
        # When each waiting request joined, oldest first (dicts keep insertion order; a timed-out one leaves anywhere).
        self._waiting_since: dict[int, float] = {}
        self._overloaded = False
        self._service_seconds = 0.0  # moving average of an admitted request's time in its slot
        self._served = 0  # requests whose time went into that average
        self._slots: asyncio.Semaphore | None = None
        self._next_ticket = 0

    @property
    def queued(self) -> int:
        return len(self._waiting_since)

    def _semaphore(self) -> asyncio.Semaphore:
        # Created lazily inside the server's event loop.
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_in_flight)
        return self._slots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith(MEASURED_PREFIXES):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_recording_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
            await send(message)

        try:
            if path.startswith(UNBOUNDED_PATHS):
                await self.app(scope, receive, send_recording_status)
            else:
                await self._admitted(scope, receive, send_recording_status)
        finally:
            route = scope.get("route")
            labels = (scope.get("method", ""), getattr(route, "path", "unmatched"), str(status_holder["status"]))
            REQUEST_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            REQUESTS.labels(*labels).inc()

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        slots = self._semaphore()
        if slots.locked():
            if self.queued >= self.max_queued:
                await _busy(send, "queue_full")
                return
            longest_expected = self.overload_queue_wait if self.overloaded() else self.queue_wait
            if self._served >= _SAMPLES_BEFORE_ESTIMATING and self._expected_wait() > longest_expected:
                # Refused now rather than after waiting in vain: a client told to retry hears it in a millisecond.
                await _busy(send, "expected_wait")
                return
            ticket = self._join_queue()
            try:
                await asyncio.wait_for(slots.acquire(), timeout=self.queue_wait)
            except TimeoutError:
                await _busy(send, "queue_wait")
                return
            finally:
                self._leave_queue(ticket)
        else:
            self._overloaded = False  # the process has caught up with its arrivals
            self._waits_above_target_since = None
            await slots.acquire()
        self.in_flight += 1
        IN_FLIGHT.inc()
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self._note_service_time(time.perf_counter() - started)
            self.in_flight -= 1
            IN_FLIGHT.dec()
            slots.release()

    def _note_service_time(self, seconds: float) -> None:
        self._served += 1
        # The plain mean of the first requests (one slow cold start must not set the scale), then a moving average.
        weight = max(1 / self._served, _SMOOTHING)
        self._service_seconds += (seconds - self._service_seconds) * weight

    def overloaded(self) -> bool:
        """Whether arrivals outpace service: true once the queue's waits have stayed above `queue_target` for
        `overload_after` (or the oldest waiting request has waited that long in all), and it stays true (refusals
        empty the queue too) until a request finds a slot free."""
        if not self._overloaded:
            now = time.monotonic()
            above_since = self._waits_above_target_since
            oldest_waiting = next(iter(self._waiting_since.values()), None)
            self._overloaded = (
                (above_since is not None and now - above_since > self.overload_after)
                or (oldest_waiting is not None and now - oldest_waiting > self.queue_target + self.overload_after))
        return self._overloaded

    def _join_queue(self) -> int:
        ticket = self._next_ticket
        self._next_ticket += 1
        self._waiting_since[ticket] = time.monotonic()
        QUEUED.inc()
        return ticket

    def _leave_queue(self, ticket: int) -> None:
        now = time.monotonic()
        waited = now - self._waiting_since.pop(ticket)
        if waited <= self.queue_target:
            self._waits_above_target_since = None
        elif self._waits_above_target_since is None:
            self._waits_above_target_since = now
        QUEUED.dec()

    def _expected_wait(self) -> float:
        """How long a request joining the queue now would wait for a slot: the requests ahead of it, served
        `max_in_flight` at a time, at the recent average service time."""
        return (self.queued + 1) / self.max_in_flight * self._service_seconds


def _given_or(seconds: float | None, default_ms: int) -> float:
    return seconds if seconds is not None else default_ms / 1000


async def _busy(send: Send, reason: str) -> None:
    SHED.labels(reason).inc()
    await send({
        "type": "http.response.start",
        "status": 503,
        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                    (b"content-length", str(len(BUSY_BODY)).encode())],
    })
    await send({"type": "http.response.body", "body": BUSY_BODY})
