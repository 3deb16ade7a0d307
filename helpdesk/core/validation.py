"""Turning pydantic validation errors into one clear message per field: every door's input models use `parse`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from helpdesk.core import bounds
from helpdesk.core.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: dict) -> M:
    """Validates `data` into `model` or raises ValidationFailed with one message per field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else "form"
            label = field.replace("_id", "").replace("_", " ").capitalize()
            errors.setdefault(field, bounds.describe(error, label))
        raise ValidationFailed(errors) from None
