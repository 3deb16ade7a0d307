"""Operational tables: the audit log, idempotency keys and the job outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, PrimaryKeyConstraint, func
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field, utcnow


class AuditLog(SQLModel, table=True):
    """Partitioned by month on `occurred_at` (the migration creates the partitions)."""

    __tablename__ = "audit_logs"
    __table_args__ = (
        PrimaryKeyConstraint("id", "occurred_at"),
        Index("idx_audit_logs_actor", "actor_id", "occurred_at"),
        Index("idx_audit_logs_entity", "entity_type", "entity_id"),
        # The audit viewer's keyset paging and its filter by action.
        Index("idx_audit_logs_occurred", "occurred_at", "id"),
        Index("idx_audit_logs_action", "action", "occurred_at"),
        {"postgresql_partition_by": "RANGE (occurred_at)"},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), nullable=False))
    occurred_at: datetime = Field(
        default_factory=utcnow,
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    actor_id: int | None = Field(default=None)
    action: str = Field(max_length=100)
    entity_type: str = Field(default="", max_length=40)
    entity_id: str = Field(default="", max_length=64)
    ip_address: str = Field(default="", max_length=64)
    details: dict[str, Any] | None = jsonb_field()


class IdempotencyKey(SQLModel, table=True):
    """Remembers the response to a create request so a retry returns the same ticket."""

    __tablename__ = "idempotency_keys"

    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    key: str = Field(primary_key=True, max_length=255)
    request_fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: dict[str, Any] | None = jsonb_field()
    created_at: datetime = timestamp_field(nullable=False, default_now=True, index=True)


class OutboxJob(SQLModel, table=True):
    """Background jobs written in the same transaction as the change that needs them.

    A job is enqueued to Celery right after commit; a beat task re-sends any job
    whose enqueue did not happen (Redis down, process killed), and any job sent but
    never finished (its worker was killed), so none is lost.
    """

    __tablename__ = "job_outbox"
    __table_args__ = (
        Index("idx_job_outbox_unsent", "created_at", postgresql_where="sent_at IS NULL"),
        # Sent but not finished: what the stalled-job sweep looks at (a worker killed mid-job).
        Index("idx_job_outbox_unfinished", "sent_at", postgresql_where="sent_at IS NOT NULL AND finished_at IS NULL"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    task_name: str = Field(max_length=120)
    args: dict[str, Any] | None = jsonb_field()
    queue: str = Field(max_length=40)
    priority: int = Field(default=5)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    sent_at: datetime | None = timestamp_field()
    attempts: int = Field(default=0)
    # Set when the job ran to the end (succeeded, or failed for good after its retries); a job sent long ago and
    # never finished was lost with its worker and is sent again.
    finished_at: datetime | None = timestamp_field()
