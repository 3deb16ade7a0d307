"""The FastAPI application holding REST API v1 and the health endpoints."""

from __future__ import annotations

from fastapi import FastAPI

from helpdesk.api import (
    errors,
    routes_admin,
    routes_ai,
    routes_assist,
    routes_auth,
    routes_collaboration,
    routes_email,
    routes_health,
    routes_kb,
    routes_reports,
    routes_ticket_tools,
    routes_tickets,
    routes_tokens,
)
from helpdesk.api.admission import AdmissionControl
from helpdesk.api.static_cache import StaticCacheHeaders
from helpdesk.core import tracing


def create_api() -> FastAPI:
    api = FastAPI(
        title="Helpdesk REST API",
        version="1.0",
        description="Tickets, comments, attachments and agent tools (canned responses, merging, related "
        "tickets, bulk changes), the knowledge base and reports. Authenticate with POST /api/v1/auth/login, then send "
        "`Authorization: Bearer <token>`, or use an API token (POST /api/v1/tokens; scopes tickets:read, "
        "tickets:write, reports:read). Creates accept an `Idempotency-Key` header.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    errors.install(api)
    api.include_router(routes_health.router)
    api.include_router(routes_auth.router)
    api.include_router(routes_tickets.router)
    api.include_router(routes_ticket_tools.router)
    api.include_router(routes_collaboration.router)
    api.include_router(routes_ai.router)
    api.include_router(routes_assist.router)
    api.include_router(routes_kb.router)
    api.include_router(routes_reports.router)
    api.include_router(routes_email.router)
    api.include_router(routes_tokens.router)
    api.include_router(routes_admin.router)
    # Bounded work per process; also records request duration and counts for /metrics.
    api.add_middleware(AdmissionControl)
    # The frontend's files are served through this app too (it wraps Reflex's): long caching for hashed ones.
    api.add_middleware(StaticCacheHeaders)
    tracing.instrument_api(api)  # a server span per REST request when tracing is on
    return api
