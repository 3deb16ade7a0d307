"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from helpdesk import cache
from helpdesk.db import write_engine
from helpdesk.observability import metrics_payload

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "healthy", "timestamp": datetime.now(UTC).isoformat()}


def _database_ok() -> bool:
    try:
        with write_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


@router.get("/ready")
def ready() -> JSONResponse:
    database, redis_ok = _database_ok(), cache.ping()
    body = {
        "status": "ready" if database and redis_ok else "not ready",
        "dependencies": {
            "database": "healthy" if database else "unhealthy",
            "redis": "healthy" if redis_ok else "unhealthy",
        },
    }
    return JSONResponse(body, status_code=200 if database and redis_ok else 503)


@router.get("/metrics", include_in_schema=False)
def metrics() -> Response:
    return Response(metrics_payload(), media_type=CONTENT_TYPE_LATEST)
