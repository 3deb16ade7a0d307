"""Canned responses: reply templates agents insert into a ticket's conversation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class CannedResponse(SQLModel, table=True):
    """A reply template; `body` may hold placeholders (services/canned_responses.py renders them).

    `team_id` None means every agent may use it; otherwise only on tickets of that team.
    """

    __tablename__ = "canned_responses"

    id: int | None = Field(default=None, primary_key=True)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="CASCADE", index=True)
    title: str = Field(max_length=120)
    body: str = Field(max_length=10000)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
    is_active: bool = Field(default=True)
    # A personal response: only its owner sees and uses it (team_id is then None).
    owner_id: int | None = Field(default=None, foreign_key="users.id", ondelete="CASCADE", index=True)
