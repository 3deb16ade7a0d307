"""Reporting: daily rollups the report pages read instead of ticket rows, exports, and scheduled e-mails.

A rollup row holds counts for one local day (the helpdesk's time zone) and one combination of the report filters.
Each measure is keyed by the day its event happened: `created` by the day the ticket was filed, `resolved` and the
resolution SLA by the day it was resolved, first response by the day of the first public agent reply. "None" in a
dimension is stored as 0 so the key can be a primary key.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Date, Index, Integer, SmallInteger, String
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field

# Upper bounds (hours, calendar time) of the time-distribution buckets; the last bucket is open-ended.
FIRST_RESPONSE_BUCKETS_H: tuple[float, ...] = (1, 4, 8, 24, 72)
RESOLUTION_BUCKETS_H: tuple[float, ...] = (4, 24, 72, 168, 336)
BUCKET_COUNT = 6  # len(bounds) + 1


def _count() -> Any:
    return Field(default=0, sa_column=Column(Integer, nullable=False, server_default="0"))


def _seconds() -> Any:
    return Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class DailyMetrics(SQLModel, table=True):
    __tablename__ = "report_daily_metrics"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    team_id: int = Field(default=0, sa_column=Column(Integer, primary_key=True))
    category_id: int = Field(default=0, sa_column=Column(Integer, primary_key=True))
    priority: str = Field(sa_column=Column(String(16), primary_key=True))
    # The category the AI suggested (0: no suggestion), so per-category precision needs no ticket rows.
    ai_category_id: int = Field(default=0, sa_column=Column(Integer, primary_key=True))

    created: int = _count()
    resolved: int = _count()
    # First response: every ticket answered that day (times), and those with an SLA target (compliance).
    first_responses: int = _count()
    first_response_seconds: int = _seconds()
    first_response_sla: int = _count()
    first_response_met: int = _count()
    # Resolution: tickets resolved that day; SLA counts also take in open tickets that breached that day.
    resolution_seconds: int = _seconds()
    resolution_sla: int = _count()
    resolution_met: int = _count()
    fr_b0: int = _count()
    fr_b1: int = _count()
    fr_b2: int = _count()
    fr_b3: int = _count()
    fr_b4: int = _count()
    fr_b5: int = _count()
    res_b0: int = _count()
    res_b1: int = _count()
    res_b2: int = _count()
    res_b3: int = _count()
    res_b4: int = _count()
    res_b5: int = _count()
    # AI triage, keyed by the day the ticket was filed.
    ai_suggested: int = _count()
    ai_suggestion_correct: int = _count()
    ai_confident: int = _count()
    ai_confident_correct: int = _count()
    ai_decisions: int = _count()
    ai_accepted: int = _count()


class DailyAgentMetrics(SQLModel, table=True):
    """Throughput per assignee; kept apart so the main rollup stays small."""

    __tablename__ = "report_daily_agent_metrics"

    day: date = Field(sa_column=Column(Date, primary_key=True))
    assignee_id: int = Field(sa_column=Column(Integer, primary_key=True))
    team_id: int = Field(default=0, sa_column=Column(Integer, primary_key=True))
    category_id: int = Field(default=0, sa_column=Column(Integer, primary_key=True))
    priority: str = Field(sa_column=Column(String(16), primary_key=True))
    resolved: int = _count()
    resolution_seconds: int = _seconds()
    resolution_sla: int = _count()
    resolution_met: int = _count()
    first_responses: int = _count()
    first_response_seconds: int = _seconds()


class RollupState(SQLModel, table=True):
    """How far the rollups have caught up with ticket changes (one row per rollup job)."""

    __tablename__ = "report_rollup_state"

    name: str = Field(primary_key=True, max_length=40)
    watermark: datetime | None = timestamp_field()
    refreshed_at: datetime | None = timestamp_field()


class ExportStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ReportExport(SQLModel, table=True):
    __tablename__ = "report_exports"
    __table_args__ = (Index("idx_report_exports_requested_by", "requested_by_id", "created_at"),)

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    requested_by_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    report: str = Field(max_length=40)
    format: str = Field(max_length=8)
    filters: dict[str, Any] | None = jsonb_field()
    status: str = Field(default=ExportStatus.QUEUED.value, max_length=16)
    progress: int = Field(default=0, sa_column=Column(SmallInteger, nullable=False, server_default="0"))
    rows: int = Field(default=0)
    filename: str = Field(default="", max_length=200)
    storage_key: str = Field(default="", max_length=300)
    size_bytes: int = Field(default=0)
    error: str = Field(default="", max_length=500)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    finished_at: datetime | None = timestamp_field()


class ScheduleKind(StrEnum):
    SLA_DAILY = "sla_daily"
    WEEKLY_SUMMARY = "weekly_summary"


class ReportSchedule(SQLModel, table=True):
    """A report e-mailed to its subscribers at a local time (daily, or weekly on one weekday)."""

    __tablename__ = "report_schedules"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, unique=True)
    title: str = Field(max_length=120)
    enabled: bool = Field(default=True)
    hour: int = Field(default=6)
    minute: int = Field(default=0)
    # 0 = Monday ... 6 = Sunday; None = every day.
    weekday: int | None = Field(default=None)
    timezone: str = Field(default="Asia/Karachi", max_length=64)
    last_run_at: datetime | None = timestamp_field()
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)


class ReportSubscription(SQLModel, table=True):
    __tablename__ = "report_subscriptions"

    schedule_id: int = Field(foreign_key="report_schedules.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
