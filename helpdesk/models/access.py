"""Access beyond passwords: API tokens, password-reset/invitation links, and settings an administrator edits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from helpdesk.models.base import jsonb_field, timestamp_field


class ApiToken(SQLModel, table=True):
    """A bearer token for the REST API: a person's own (personal access token) or a service account's.

    Only the SHA-256 of the token is kept; the token itself is shown once, when it is made.
    """

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE", index=True)
    name: str = Field(max_length=80)
    token_hash: str = Field(max_length=64, unique=True)
    # The first characters of the token, so a person can tell their tokens apart without the secret.
    prefix: str = Field(max_length=16)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(String(32)), nullable=False))
    created_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    expires_at: datetime | None = timestamp_field()
    last_used_at: datetime | None = timestamp_field()
    revoked_at: datetime | None = timestamp_field()


class PasswordReset(SQLModel, table=True):
    """One set-password link (a reset or an invitation). The link itself is signed, never stored."""

    __tablename__ = "password_resets"
    __table_args__ = (Index("idx_password_resets_user", "user_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", ondelete="CASCADE")
    purpose: str = Field(max_length=16)  # "reset" or "invite"
    created_at: datetime = timestamp_field(nullable=False, default_now=True)
    expires_at: datetime = timestamp_field(nullable=False)
    used_at: datetime | None = timestamp_field()


class AppSetting(SQLModel, table=True):
    """A setting an administrator changed; a missing row means the environment's default applies."""

    __tablename__ = "app_settings"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = jsonb_field(nullable=False)
    updated_at: datetime = timestamp_field(nullable=False, default_now=True)
    updated_by_id: int | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")


__all__ = ["ApiToken", "AppSetting", "PasswordReset"]
