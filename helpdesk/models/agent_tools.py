"""Agents' own tools on the queue: tags on tickets, saved queue views and macros."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class Tag(SQLModel, table=True):
    """A label agents put on tickets. Names are stored normalised (helpdesk/tickets/validation.py: tag_name), so
    "VPN" and "vpn" are one tag."""

    __tablename__ = "tags"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=40, unique=True)
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class TicketTag(SQLModel, table=True):
    __tablename__ = "ticket_tags"
    # The queue's tag filter looks tickets up by tag; the primary key serves "the tags of this ticket".
    __table_args__ = (Index("idx_ticket_tags_tag", "tag_id", "ticket_id"),)

    ticket_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    )
    tag_id: int = Field(foreign_key="tags.id", primary_key=True, ondelete="CASCADE")
    added_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class SavedView(SQLModel, table=True):
    """The queue's filters and sort under a name. Personal (`shared` false: only its owner sees it) or shared with
    one team (`team_id`) or with all of IT (`team_id` None)."""

    __tablename__ = "saved_views"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60)
    owner_id: int = Field(foreign_key="users.id", index=True, ondelete="CASCADE")
    shared: bool = Field(default=False)
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="CASCADE")
    filters: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)


class Macro(SQLModel, table=True):
    """Several field changes, tags and an optional reply applied to a ticket in one action.

    Personal when `owner_id` is set; otherwise shared, with everyone (`team_id` None) or with one team.
    `actions` holds a MacroActions (helpdesk/tickets/validation.py) as JSON.
    """

    __tablename__ = "macros"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80)
    description: str = Field(default="", max_length=300)
    owner_id: int | None = Field(default=None, foreign_key="users.id", index=True, ondelete="CASCADE")
    team_id: int | None = Field(default=None, foreign_key="teams.id", ondelete="CASCADE")
    actions: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONB, nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    is_active: bool = Field(default=True)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
