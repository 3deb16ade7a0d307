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
        CheckConstraint("language IN ('en','ur')", name="ck_users_language"),
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
        Index("idx_users_name_id", "full_name", "id"),
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
    # A service account holds API tokens only: it never signs in with a password or through SSO.
    is_service_account: bool = Field(default=False, sa_column_kwargs={"server_default": "false"})
    # "<issuer> <subject>" of the single sign-on identity this account was matched to (None: never used SSO).
    sso_subject: str | None = Field(default=None, max_length=400, unique=True)
    # The language the pages and e-mails speak to this person in (helpdesk/core/i18n.py): 'en' or 'ur'.
    language: str = Field(default="en", max_length=8, sa_column_kwargs={"server_default": "en"})


class AssignmentMode(StrEnum):
    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_OPEN = "least_open"


class Team(SQLModel, table=True):
    __tablename__ = "teams"
    __table_args__ = (
        CheckConstraint(
            "assignment_mode IN ('manual','round_robin','least_open')", name="ck_teams_assignment_mode"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=80, unique=True)
    description: str = Field(default="", max_length=500)
    lead_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    # How a ticket landing in the team's queue without an assignee gets one (services/assignment.py).
    assignment_mode: str = Field(
        default=AssignmentMode.MANUAL.value, max_length=16, sa_column_kwargs={"server_default": "manual"}
    )
    # Where round robin continues from.
    last_assigned_user_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)


class TeamMembership(SQLModel, table=True):
    __tablename__ = "team_memberships"

    team_id: int = Field(foreign_key="teams.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="users.id", primary_key=True, index=True, ondelete="CASCADE")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    # The latest ticket of this team given to this member; least-open assignment breaks ties on it.
    last_assigned_at: datetime | None = timestamp_field()
