"""AI triage: every prediction the classifier made for a ticket, what people did with its suggestions, the evidence
that earns auto-apply per category and field, and the organisation's own labelled examples."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Column, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
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
    # How the run was gated: familiarity of the text (0-1), whether it counted as familiar, the model's own
    # confidence before the unfamiliarity discount, and per field the auto-apply mode it met ("suggest"/"auto").
    gate: dict[str, Any] | None = jsonb_field()
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


class AiJudgement(SQLModel, table=True):
    """A person's verdict on one predicted field of one ticket: the evidence auto-apply is earned on.

    One row per (ticket, field), the newest verdict on the ticket's latest prediction. `category_id` is the category
    the AI predicted (the evidence is kept per predicted category and field); `confident` says whether the prediction
    was above the auto-apply threshold after the unfamiliarity discount, i.e. whether it would have been applied in
    auto mode; `auto_applied` whether it was.
    """

    __tablename__ = "ai_judgements"
    __table_args__ = (
        UniqueConstraint("ticket_id", "field", name="uq_ai_judgements_ticket_field"),
        Index("idx_ai_judgements_category_field", "category_id", "field", "confident", text("judged_at DESC")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), nullable=False))
    prediction_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("ai_predictions.id", ondelete="CASCADE"), nullable=False)
    )
    field: str = Field(max_length=16)
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("categories.id", ondelete="CASCADE"),
                                              nullable=False))
    suggested_value: str = Field(max_length=80)
    final_value: str | None = Field(default=None, max_length=80)
    confidence: float = Field(default=0.0)
    confident: bool
    auto_applied: bool = Field(default=False)
    correct: bool
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    judged_at: datetime = timestamp_field(nullable=False, default_now=True)


class AutoApplyMode(StrEnum):
    SUGGEST = "suggest"
    AUTO = "auto"


class AiAutoApplyState(SQLModel, table=True):
    """Per category and field: whether the AI may set it by itself, the evidence behind that, and an admin's
    override. Every switch is in the audit log (`ai.auto_apply_switched`, `ai.auto_apply_override`)."""

    __tablename__ = "ai_auto_apply_states"
    __table_args__ = (UniqueConstraint("category_id", "field", name="uq_ai_auto_apply_states_category_field"),)

    id: int | None = Field(default=None, primary_key=True)
    category_id: int = Field(sa_column=Column(Integer, ForeignKey("categories.id", ondelete="CASCADE"),
                                              nullable=False))
    field: str = Field(max_length=16)
    # The mode the evidence gives; the override (an admin's "suggest" or "auto") wins while set.
    earned_mode: str = Field(default=AutoApplyMode.SUGGEST.value, max_length=16)
    override: str | None = Field(default=None, max_length=16)
    judged: int = Field(default=0)  # confident predictions judged by people in the window
    correct: int = Field(default=0)
    precision: float | None = Field(default=None)
    lower_bound: float | None = Field(default=None)
    upper_bound: float | None = Field(default=None)
    # Per confidence band ("0.95" = predictions above 0.95 up to the next band): judged, correct, the Wilson bounds
    # and the band's own earned mode; a prediction is applied only when its band earned it (trust.mode_at).
    bands: dict[str, Any] | None = jsonb_field()
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
    switched_at: datetime | None = timestamp_field()


class AiOrgExample(SQLModel, table=True):
    """What the organisation's own model learns from: one row per triaged ticket with its features, labelled once a
    person sets or confirms the category (and the priority)."""

    __tablename__ = "ai_org_examples"
    __table_args__ = (Index("idx_ai_org_examples_labelled", "labelled_at"),)

    ticket_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"),
                                            primary_key=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    embedding: list[float] = Field(sa_column=Column(ARRAY(Float(precision=24)), nullable=False))
    # The shipped model's label probabilities: its knowledge, as features.
    base_scores: dict[str, Any] = jsonb_field(nullable=False)
    category_id: int | None = Field(default=None, sa_column=Column(
        Integer, ForeignKey("categories.id", ondelete="SET NULL"), nullable=True))
    priority: str | None = Field(default=None, max_length=16)
    labelled_at: datetime | None = timestamp_field()
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
