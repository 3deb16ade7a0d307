"""Domain errors become HTTP answers with a reason; nothing else leaks details."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from helpdesk.core import bounds
from helpdesk.core.errors import (
    Conflict,
    DomainError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
    SignInUnavailable,
    TooLarge,
    ValidationFailed,
)

# First match wins: a subclass comes before its base.
_STATUS = {SignInUnavailable: 503, NotAuthenticated: 401, PermissionDenied: 403, NotFound: 404, Conflict: 409,
           RateLimited: 429, TooLarge: 413, ValidationFailed: 422}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> JSONResponse:
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        body: dict = {"detail": exc.message}
        headers = {}
        if isinstance(exc, ValidationFailed):
            body["errors"] = exc.field_errors
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, SignInUnavailable):
            headers["Retry-After"] = "2"
        elif isinstance(exc, NotAuthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(body, status_code=status, headers=headers)

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        # No pooled connection within the pool timeout, or the database went away: a retryable 503, never a hang.
        return JSONResponse({"detail": "The service is temporarily unavailable. Please retry in a moment."},
                            status_code=503, headers={"Retry-After": "2"})

    app.add_exception_handler(PoolTimeout, unavailable)
    app.add_exception_handler(OperationalError, unavailable)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # The same words as the pages' forms (helpdesk/core/bounds.py): "Ticket id must be at most 9223372036854775807".
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = [str(p) for p in error["loc"]]
            if loc and loc[0] in ("body", "query", "path", "header", "cookie"):  # where it was, not its name
                loc = loc[1:]
            name = ".".join(loc) or "body"
            names = [p for p in loc if not p.isdigit()]  # ["ticket_ids", "3"]: the label is "Ticket ids"
            label = (names[-1] if names else "The request body").replace("_", " ").capitalize()
            errors.setdefault(name, bounds.describe(error, label))
        return JSONResponse({"detail": "The request is invalid.", "errors": errors}, status_code=422)
