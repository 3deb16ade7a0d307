"""The FastAPI application holding REST API v1 and the health endpoints."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response
from prometheus_client import Counter, Histogram

from helpdesk.api import (
    errors,
    routes_ai,
    routes_assist,
    routes_auth,
    routes_health,
    routes_kb,
    routes_reports,
    routes_ticket_tools,
    routes_tickets,
)

REQUEST_SECONDS = Histogram(
    "helpdesk_http_request_duration_seconds", "REST API request duration", ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5),
)
REQUESTS = Counter("helpdesk_http_requests_total", "REST API requests", ["method", "route", "status"])


def create_api() -> FastAPI:
    api = FastAPI(
        title="Helpdesk REST API",
        version="1.0",
        description="Tickets, comments, attachments and agent tools (canned responses, merging, related "
        "tickets, bulk changes), the knowledge base and reports. Authenticate with POST /api/v1/auth/login, then send "
        "`Authorization: Bearer <token>`. Creates accept an `Idempotency-Key` header.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    errors.install(api)
    api.include_router(routes_health.router)
    api.include_router(routes_auth.router)
    api.include_router(routes_tickets.router)
    api.include_router(routes_ticket_tools.router)
    api.include_router(routes_ai.router)
    api.include_router(routes_assist.router)
    api.include_router(routes_kb.router)
    api.include_router(routes_reports.router)

    @api.middleware("http")
    async def record_metrics(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        if path.startswith(("/api", "/health", "/ready")):
            labels = (request.method, path, str(response.status_code))
            REQUEST_SECONDS.labels(*labels).observe(time.perf_counter() - started)
            REQUESTS.labels(*labels).inc()
        return response

    return api
