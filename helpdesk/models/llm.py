"""The optional LLM provider: one row per call, with the tokens the endpoint reported."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Index, text
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class LlmPurpose(StrEnum):
    SUMMARY = "summary"
    REPLY = "reply"


class LlmCall(SQLModel, table=True):
    """A call that failed keeps a row too (error set, tokens zero), so failures and latency can be counted."""

    __tablename__ = "llm_calls"
    __table_args__ = (
        CheckConstraint("purpose IN ('summary','reply')", name="ck_llm_calls_purpose"),
        Index("idx_llm_calls_created", "created_at"),
        Index("idx_llm_calls_ticket", "ticket_id", postgresql_where=text("ticket_id IS NOT NULL")),
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, primary_key=True))
    ticket_id: int | None = Field(
        default=None, sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="SET NULL"), nullable=True)
    )
    actor_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    purpose: str = Field(max_length=16)
    model: str = Field(max_length=120)
    prompt_tokens: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    completion_tokens: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    total_tokens: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    latency_ms: float | None = Field(default=None)
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
