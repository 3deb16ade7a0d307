"""The FastAPI application holding REST API v1 and the health endpoints."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from helpdesk.api import (
    errors,
    routes_admin,
    routes_admin_mail,
    routes_agent_tools,
    routes_ai,
    routes_assist,
    routes_auth,
    routes_email,
    routes_health,
    routes_kb,
    routes_reports,
    routes_ticket_tools,
    routes_tickets,
    routes_tokens,
)
from helpdesk.api.admission import AdmissionControl
from helpdesk.api.body_limits import BodyLimits, PathBounds
from helpdesk.api.schemas import ErrorOut
from helpdesk.api.static_cache import StaticCacheHeaders
from helpdesk.core import tracing

# What any operation may answer besides its own results, stated once so the OpenAPI schema is honest (the
# schemathesis suite, tests/api/test_schemathesis.py, checks every answer against it).
ANY_OPERATION = {503: {"model": ErrorOut, "description": "Overloaded, or a data store is unavailable: retry after "
                       "Retry-After."}}
WITH_INPUT = {422: {"model": ErrorOut, "description": "Invalid input; `errors` says what is wrong with each field."}}
WITH_BODY = {400: {"model": ErrorOut, "description": "The body could not be read (not UTF-8, not JSON, or a broken "
                   "multipart body)."},
             413: {"model": ErrorOut, "description": "The body is larger than this operation accepts."}}


def declare_common_responses(router: APIRouter) -> APIRouter:
    """Adds the answers any of the router's operations may give to each one's documented responses."""
    for route in router.routes:
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        extra = dict(ANY_OPERATION)
        has_body = route.body_field is not None or "requestBody" in (route.openapi_extra or {})
        if has_body or route.dependant.path_params or route.dependant.query_params:
            extra |= WITH_INPUT
        if has_body:
            extra |= WITH_BODY
        route.responses = extra | dict(route.responses)
    return router


def create_api() -> FastAPI:
    api = FastAPI(
        title="Helpdesk REST API",
        version="1.0",
        description="Tickets, comments, attachments and agent tools (canned responses, merging, related "
        "tickets, bulk changes, tags, saved views, macros), the knowledge base and reports. Authenticate with POST "
        "/api/v1/auth/login, then send "
        "`Authorization: Bearer <token>`, or use an API token (POST /api/v1/tokens; scopes tickets:read, "
        "tickets:write, reports:read). Creates accept an `Idempotency-Key` header.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    errors.install(api)
    for module in (routes_health, routes_auth, routes_tickets, routes_ticket_tools, routes_agent_tools, routes_ai,
                   routes_assist, routes_kb, routes_reports, routes_email, routes_tokens, routes_admin,
                   routes_admin_mail):
        api.include_router(declare_common_responses(module.router))
    # Bounded work per process; also records request duration and counts for /metrics.
    api.add_middleware(AdmissionControl)
    # Request bodies bounded while they arrive, Reflex uploads authorised before they are read (outside admission
    # control, so an oversized or unauthorised upload never takes a slot).
    api.add_middleware(BodyLimits)
    api.add_middleware(PathBounds)
    # The frontend's files are served through this app too (it wraps Reflex's): long caching for hashed ones.
    api.add_middleware(StaticCacheHeaders)
    tracing.instrument_api(api)  # a server span per REST request when tracing is on
    return api
