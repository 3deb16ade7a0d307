"""People and teams."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from helpdesk.models.base import timestamp_field


class Role(StrEnum):
    REQUESTER = "requester"
    AGENT = "agent"
    MANAGER = "manager"
    ADMIN = "admin"


class User(SQLModel, table=True):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('requester','agent','manager','admin')", name="ck_users_role"),
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254)
    full_name: str = Field(max_length=120)
    password_hash: str = Field(max_length=255)
    role: str = Field(default=Role.REQUESTER.value, max_length=16)
    department: str = Field(default="", max_length=120)
    is_active: bool = Field(default=True)
    is_available: bool = Field(default=True)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    last_login_at: datetime | None = timestamp_field()


class Team(SQLModel, table=True):
    __tablename__ = "teams"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=500)
    lead_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class TeamMembership(SQLModel, table=True):
    __tablename__ = "team_memberships"

    team_id: int = Field(foreign_key="teams.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
