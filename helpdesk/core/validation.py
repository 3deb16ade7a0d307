"""Turning pydantic validation errors into one clear message per field: every door's input models use `parse`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from helpdesk.core.errors import ValidationFailed

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
