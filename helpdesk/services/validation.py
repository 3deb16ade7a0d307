"""Input models shared by every door, and the translation of pydantic errors into field messages."""

from __future__ import annotations

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
