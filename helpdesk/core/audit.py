"""The append-only audit log (monthly partitions of `audit_logs`)."""

from __future__ import annotations

import gzip
import json
import logging
import re
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from helpdesk.core.settings import get_settings
from helpdesk.core.storage import get_storage
from helpdesk.models import AuditLog

log = logging.getLogger(__name__)
PARTITION_NAME = re.compile(r"^audit_logs_(\d{4})_(\d{2})$")
ARCHIVE_PREFIX = "audit-archive"


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


def monthly_partitions(session: Session) -> dict[str, date]:
    """The monthly partitions of audit_logs and the first day of each one's month (the default one excluded)."""
    rows = session.execute(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = 'audit_logs'::regclass"
    )).scalars()
    months = {}
    for name in rows:
        match = PARTITION_NAME.match(name)
        if match:
            months[name] = date(int(match[1]), int(match[2]), 1)
    return months


def apply_retention(session: Session, today: date | None = None) -> list[str]:
    """Removes the monthly partitions older than AUDIT_RETENTION_MONTHS (0 keeps every month), oldest first.

    `archive` (the default action) first writes each partition's rows, as gzipped JSON lines, to the storage backend
    under audit-archive/<partition>.jsonl.gz (local folder or S3), then drops it; `drop` drops it. Dropping a
    partition is instant and leaves no dead rows behind, unlike DELETE. Returns the partitions removed.
    """
    settings = get_settings()
    if not settings.audit_retention_months:
        return []
    today = today or date.today()
    # Whole months only: with 12 months kept, in May 2026 the oldest kept month is May 2025.
    index = today.year * 12 + today.month - 1 - settings.audit_retention_months
    oldest_kept = date(index // 12, index % 12 + 1, 1)
    removed = []
    for name, month in sorted(monthly_partitions(session).items(), key=lambda item: item[1]):
        if month >= oldest_kept:
            continue
        if settings.audit_retention_action == "archive":
            _archive(session, name)
        # Detach first so inserts into the live table never wait on the drop's lock for longer than a moment.
        session.execute(text(f'ALTER TABLE audit_logs DETACH PARTITION "{name}"'))
        session.execute(text(f'DROP TABLE "{name}"'))
        log.info("audit log partition %s removed (%s)", name, settings.audit_retention_action)
        removed.append(name)
    return removed


def _archive(session: Session, partition: str) -> None:
    rows = session.execute(text(
        f'SELECT id, occurred_at, actor_id, action, entity_type, entity_id, ip_address, details FROM "{partition}" '
        "ORDER BY occurred_at, id"
    )).mappings()
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / f"{partition}.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as out:
            for row in rows:  # streamed: a month of audit rows never sits in memory whole
                out.write(json.dumps(dict(row), default=str) + "\n")
        get_storage().put_file(f"{ARCHIVE_PREFIX}/{partition}.jsonl.gz", path, "application/gzip")
