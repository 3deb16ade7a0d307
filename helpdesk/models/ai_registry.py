"""AI model registry: every version of the category model the helpdesk has had, and every retraining run."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, text
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field

SHIPPED_VERSION = "default"


class ModelStatus(StrEnum):
    CANDIDATE = "candidate"  # trained, not yet judged (a run in progress, or one that crashed while judging)
    ACTIVE = "active"  # the one that predicts (exactly one at a time)
    RETIRED = "retired"  # was active once; can be activated again
    REJECTED = "rejected"  # was not better than the active model on the held-back tickets


class ModelSource(StrEnum):
    SHIPPED = "shipped"  # the model in the package (helpdesk/ai/artifacts)
    RETRAINED = "retrained"  # trained here on the shipped data plus the helpdesk's own tickets


class RunOutcome(StrEnum):
    RUNNING = "running"
    SKIPPED = "skipped"  # not enough human-confirmed tickets (or another run was busy)
    PROMOTED = "promoted"
    REJECTED = "rejected"
    FAILED = "failed"


class AiModelVersion(SQLModel, table=True):
    __tablename__ = "ai_model_versions"
    __table_args__ = (
        # At most one active version: activating is "retire the old one, then activate", in one transaction.
        Index("uq_ai_model_versions_one_active", "status", unique=True, postgresql_where=text("status = 'active'")),
        Index("idx_ai_model_versions_created", "created_at"),
    )

    version: str = Field(primary_key=True, max_length=64)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    source: str = Field(max_length=16)
    status: str = Field(max_length=16)
    # Helpdesk tickets it learned from (0 for the shipped model) and all rows it was fitted on.
    training_ticket_count: int = Field(default=0)
    training_rows: int = Field(default=0)
    # Figures on the held-back slice of the helpdesk's tickets (shipped model: its own held-out split).
    metrics: dict[str, Any] | None = jsonb_field()
    # Where the artifact lives in the storage backend; None for the shipped model (it is in the package).
    artifact_key: str | None = Field(default=None, max_length=255)
    training_run_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("ai_training_runs.id", ondelete="SET NULL"))
    )
    promoted_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    promoted_at: datetime | None = timestamp_field()


class AiTrainingRun(SQLModel, table=True):
    __tablename__ = "ai_training_runs"
    __table_args__ = (Index("idx_ai_training_runs_started", text("started_at DESC")),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    started_at: datetime = timestamp_field(nullable=False, default_now=True)
    finished_at: datetime | None = timestamp_field()
    trigger: str = Field(max_length=16)  # schedule, admin, cli
    requested_by: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    outcome: str = Field(default=RunOutcome.RUNNING.value, max_length=16)
    reason: str = Field(default="", max_length=500)
    eligible_tickets: int = Field(default=0)
    holdout_tickets: int = Field(default=0)
    baseline_version: str | None = Field(default=None, max_length=64)
    candidate_version: str | None = Field(default=None, max_length=64)
    baseline_metrics: dict[str, Any] | None = jsonb_field()
    candidate_metrics: dict[str, Any] | None = jsonb_field()
    duration_seconds: float | None = Field(default=None)
