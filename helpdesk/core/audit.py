"""The append-only audit log (monthly partitions of `audit_logs`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.models import AuditLog


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None,
    entity_type: str = "",
    entity_id: str = "",
    ip_address: str = "",
    details: dict[str, Any] | None = None,
) -> None:
    """Adds an audit row to the caller's transaction, so it commits or rolls back with the change."""
    session.add(
        AuditLog(
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id)[:64],
            ip_address=ip_address[:64],
            details=details,
        )
    )


def ensure_partitions(session: Session, months_ahead: int = 3) -> None:
    """Creates this month's and the next months' partitions if they are missing."""
    session.execute(
        text("SELECT ensure_audit_log_partitions(date_trunc('month', now()), :months)"),
        {"months": months_ahead + 1},
    )
