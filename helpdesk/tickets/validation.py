"""Input models of tickets, comments and canned responses, shared by every door."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from helpdesk.models import Priority, Status

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=20000)]

class TicketDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    priority: Priority = Priority.MEDIUM
    category_id: int | None = None


class TicketChanges(BaseModel):
    """A partial update: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    status: Status | None = None
    priority: Priority | None = None
    category_id: int | None = Field(default=None)
    team_id: int | None = Field(default=None)
    assignee_id: int | None = Field(default=None)


class CommentDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body
    internal: bool = False

    @field_validator("body")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Write a message first.")
        return value


CannedTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
CannedBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class CannedResponseDraft(BaseModel):
    """A new canned response; `team_id` None makes it available to every agent (administrators only)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle
    body: CannedBody
    team_id: int | None = None
    personal: bool = False  # only its author sees and uses it


class CannedResponseChanges(BaseModel):
    """A partial change: only the fields present are changed (`team_id` None moves it to everyone)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle | None = None
    body: CannedBody | None = None
    team_id: int | None = None
