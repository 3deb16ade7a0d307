"""AI triage: every prediction the classifier made for a ticket, and what people did with its suggestions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field


class AiPrediction(SQLModel, table=True):
    """One triage run on one ticket (a re-run adds a row; the newest row is the ticket's current suggestion).

    A run that failed keeps a row too, with `error` set and no predicted values, so failures can be counted.
    """

    __tablename__ = "ai_predictions"
    __table_args__ = (
        Index("idx_ai_predictions_ticket_created", "ticket_id", text("created_at DESC")),
        Index("idx_ai_predictions_created", "created_at"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    model_version: str = Field(max_length=64)
    # The classifier's own label, kept even when no category of that name exists.
    predicted_label: str | None = Field(default=None, max_length=80)
    predicted_category_id: int | None = Field(default=None, foreign_key="categories.id", ondelete="SET NULL")
    category_confidence: float | None = Field(default=None)
    predicted_team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="SET NULL")
    team_confidence: float | None = Field(default=None)
    predicted_priority: str | None = Field(default=None, max_length=16)
    priority_confidence: float | None = Field(default=None)
    scores: dict[str, Any] | None = jsonb_field()
    latency_ms: float | None = Field(default=None)
    # Which of "category", "team", "priority" this run set on the ticket by itself.
    applied_fields: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(String(16)), nullable=False, server_default=text("'{}'")),
    )
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class AiFeedback(SQLModel, table=True):
    """A person's decision on one suggested field: accepted, rejected, or changed to something else.

    Rows are only appended; the newest row per (prediction, field) is the decision that counts.
    """

    __tablename__ = "ai_feedback"
    __table_args__ = (
        Index("idx_ai_feedback_prediction_field", "prediction_id", "field", "created_at"),
        Index("idx_ai_feedback_ticket", "ticket_id"),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    prediction_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("ai_predictions.id", ondelete="CASCADE"), nullable=False)
    )
    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    field: str = Field(max_length=16)
    suggested_value: str | None = Field(default=None, max_length=80)
    final_value: str | None = Field(default=None, max_length=80)
    accepted: bool
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
