"""Liveness, readiness and Prometheus metrics.

These answer while the REST API is saturated: they are async (no AnyIO worker thread), bypass admission control,
and readiness probes PostgreSQL on a connection of its own (never a pooled one the API may have used up) with
short timeouts, in the event loop's default executor. One probe result serves the probes of the next second.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from datetime import UTC, datetime

import psycopg
import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from helpdesk.api.one_hop import OneHopRoute
from helpdesk.core.db import libpq_url
from helpdesk.core.observability import metrics_payload
from helpdesk.core.settings import get_settings

router = APIRouter(route_class=OneHopRoute, tags=["health"])
PROBE_TIMEOUT_SECONDS = 2
PROBE_CACHE_SECONDS = 1.0
_last_probe: dict[str, object] = {"at": 0.0, "result": None, "target": None}


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "healthy", "timestamp": datetime.now(UTC).isoformat()}


def _database_ok() -> bool:
    try:
        with psycopg.connect(libpq_url(get_settings().database_url), connect_timeout=PROBE_TIMEOUT_SECONDS,
                             options=f"-c statement_timeout={PROBE_TIMEOUT_SECONDS * 1000}") as connection:
            connection.execute("SELECT 1")
        return True
    except psycopg.Error:
        return False


def _redis_ok() -> bool:
    try:
        client = redis.Redis.from_url(get_settings().redis_url, socket_timeout=PROBE_TIMEOUT_SECONDS,
                                      socket_connect_timeout=PROBE_TIMEOUT_SECONDS)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, ValueError):
        return False


async def _probe() -> tuple[bool, bool]:
    settings = get_settings()
    target = (settings.database_url, settings.redis_url)
    fresh = time.monotonic() - float(_last_probe["at"]) < PROBE_CACHE_SECONDS  # type: ignore[arg-type]
    if _last_probe["result"] is not None and fresh and _last_probe["target"] == target:
        return _last_probe["result"]  # type: ignore[return-value]
    database, redis_ok = await asyncio.gather(asyncio.to_thread(_database_ok), asyncio.to_thread(_redis_ok))
    _last_probe.update(at=time.monotonic(), result=(database, redis_ok), target=target)
    return database, redis_ok


@router.get("/ready")
async def ready() -> JSONResponse:
    database, redis_ok = await _probe()
    body = {
        "status": "ready" if database and redis_ok else "not ready",
        "dependencies": {
            "database": "healthy" if database else "unhealthy",
            "redis": "healthy" if redis_ok else "unhealthy",
        },
    }
    return JSONResponse(body, status_code=200 if database and redis_ok else 503)


def _metrics_refusal(request: Request) -> JSONResponse | None:
    """METRICS_TOKEN set: only its bearer reads the figures. Unset: open, except in production (then off)."""
    settings = get_settings()
    token = settings.metrics_token.get_secret_value()
    if not token:
        if settings.environment == "production":
            return JSONResponse({"detail": "Metrics are off: set METRICS_TOKEN and scrape with that bearer token."},
                                status_code=404)
        return None
    header = request.headers.get("authorization", "")
    presented = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if presented and hmac.compare_digest(presented.encode(), token.encode()):
        return None
    return JSONResponse({"detail": "Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`."},
                        status_code=401, headers={"WWW-Authenticate": "Bearer"})


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    if (refused := _metrics_refusal(request)) is not None:
        return refused
    payload = await asyncio.to_thread(metrics_payload)
    return Response(payload, media_type=CONTENT_TYPE_LATEST)
