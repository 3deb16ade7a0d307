"""Input models of tickets, comments and canned responses, shared by every door."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from helpdesk.core.bounds import MULTI_LINE, SINGLE_LINE, Id
from helpdesk.models import Level, Priority, Status

Title = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
Body = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Description = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=10, max_length=20000)]

class TicketDraft(BaseModel):
    """A new ticket. The priority comes from `impact` x `urgency` (helpdesk/tickets/priority.py); `priority` is
    for staff, and for requesters up to "high" (a client that sends it is taken at its word, never "critical")."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description
    impact: Level | None = Field(default=None, description="How many people are affected: low (just me), "
                                 "medium (my team), high (many people or a whole office).")
    urgency: Level | None = Field(default=None, description="How soon it hurts: low (it can wait), medium (it "
                                  "slows my work), high (I can't work).")
    priority: Priority | None = Field(default=None, description="Staff only; requesters up to high. Left out, "
                                      "it comes from impact and urgency (medium when neither is given).")
    category_id: Id | None = None


class TicketChanges(BaseModel):
    """A partial update: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    status: Status | None = None
    priority: Priority | None = None
    category_id: Id | None = Field(default=None)
    team_id: Id | None = Field(default=None)
    assignee_id: Id | None = Field(default=None)


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


CannedTitle = Annotated[str, SINGLE_LINE, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
CannedBody = Annotated[str, MULTI_LINE, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class CannedResponseDraft(BaseModel):
    """A new canned response; `team_id` None makes it available to every agent (administrators only)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle
    body: CannedBody
    team_id: Id | None = None
    personal: bool = False  # only its author sees and uses it


class CannedResponseChanges(BaseModel):
    """A partial change: only the fields present are changed (`team_id` None moves it to everyone)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle | None = None
    body: CannedBody | None = None
    team_id: Id | None = None
