"""Input models shared by every door, and the translation of pydantic errors into field messages."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from helpdesk.models import Priority, Status
from helpdesk.services.errors import ValidationFailed

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, min_length=10, max_length=20000)]

M = TypeVar("M", bound=BaseModel)

_FRIENDLY = {
    "string_too_short": "is too short (at least {min_length} characters)",
    "string_too_long": "is too long (at most {max_length} characters)",
    "enum": "must be one of: {expected}",
    "missing": "is required",
    "int_parsing": "must be a number",
}


def parse(model: type[M], data: dict) -> M:
    """Validates `data` into `model` or raises ValidationFailed with one message per field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            template = _FRIENDLY.get(error["type"])
            ctx = error.get("ctx") or {}
            label = field.replace("_id", "").replace("_", " ").capitalize()
            text = f"{label} {template.format(**ctx)}" if template else str(error["msg"]).removeprefix("Value error, ")
            errors.setdefault(field, text)
        raise ValidationFailed(errors) from None


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


class SlaPolicyDraft(BaseModel):
    """A new SLA policy; targets are minutes of business time."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    priority: Priority
    category_id: int | None = None
    team_id: int | None = None
    first_response_minutes: int = Field(gt=0, le=60 * 24 * 365)
    resolution_minutes: int = Field(gt=0, le=60 * 24 * 365)
    calendar_id: int | None = None  # None: the default calendar
    is_active: bool = True


class SlaPolicyChanges(BaseModel):
    """A partial change to a policy: only the fields present are changed."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None = None
    priority: Priority | None = None
    category_id: int | None = None
    team_id: int | None = None
    first_response_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 365)
    resolution_minutes: int | None = Field(default=None, gt=0, le=60 * 24 * 365)
    calendar_id: int | None = None
    is_active: bool | None = None


class BusinessCalendarDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    timezone: str = "Asia/Karachi"
    working_days: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holiday_country: str | None = "PK"
    extra_holidays: list[date] = Field(default_factory=list)
    is_default: bool = False


class BusinessCalendarChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)] | None = None
    timezone: str | None = None
    working_days: list[int] | None = None
    opens: time | None = None
    closes: time | None = None
    holiday_country: str | None = None
    extra_holidays: list[date] | None = None
    is_default: bool | None = None


CannedTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=120)]
CannedBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10000)]


class CannedResponseDraft(BaseModel):
    """A new canned response; `team_id` None makes it available to every agent (administrators only)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle
    body: CannedBody
    team_id: int | None = None


class CannedResponseChanges(BaseModel):
    """A partial change: only the fields present are changed (`team_id` None moves it to everyone)."""

    model_config = ConfigDict(extra="forbid")

    title: CannedTitle | None = None
    body: CannedBody | None = None
    team_id: int | None = None
