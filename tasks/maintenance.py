"""Housekeeping jobs run by Celery beat."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import delete

from helpdesk.core import audit, jobs
from helpdesk.core.db import session_scope
from helpdesk.models import IdempotencyKey
from helpdesk.models.base import utcnow
from helpdesk.tickets import tickets
from tasks.celery_app import celery_app

IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


@celery_app.task(name="maintenance.relay_outbox")
def relay_outbox() -> int:
    """Jobs that never reached the broker, and jobs lost with a killed worker, are sent (again)."""
    return jobs.relay_unsent() + jobs.resend_stalled()


@celery_app.task(name="maintenance.ensure_audit_partitions")
def ensure_audit_partitions() -> list[str]:
    """Daily: the coming months' partitions exist, and those past AUDIT_RETENTION_MONTHS are archived and dropped."""
    with session_scope() as session:
        audit.ensure_partitions(session)
    with session_scope() as session:
        return audit.apply_retention(session)


@celery_app.task(name="maintenance.purge_idempotency_keys")
def purge_idempotency_keys() -> int:
    with session_scope() as session:
        cutoff = utcnow() - IDEMPOTENCY_KEY_LIFETIME
        result = session.exec(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
        return result.rowcount or 0


@celery_app.task(name="maintenance.close_resolved")
def close_resolved() -> int:
    """Closes tickets resolved more than AUTO_CLOSE_DAYS ago that nobody reopened."""
    return len(tickets.close_resolved_tickets())
