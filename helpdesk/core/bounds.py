"""What PostgreSQL can store, said once: every door's input (REST bodies, path and query parameters, Reflex forms
and event arguments) is checked against these bounds, so a value the database would refuse is answered with a
clear "422: this field ..." and changes nothing, never with a 500 from a data error.

- Ids: serial columns are 32-bit (`Id`), the big tables' are 64-bit (`BigId`); ids start at 1.
- Whole numbers stored in `integer` columns: `Int32`.
- Text: no NUL or other control characters (PostgreSQL refuses NUL outright; the others only break the pages,
  e-mails and CSV files that show it). Single-line fields (`SINGLE_LINE`) allow none; multi-line text
  (`MULTI_LINE`) keeps tab, newline and carriage return. Lone surrogates (text that is not UTF-8) are refused by
  pydantic itself. Length limits stay with each field (`StringConstraints(max_length=...)`).

The markers are pydantic metadata, so they show in the OpenAPI schema (minimum/maximum, pattern) and in every
input model's validation; hand-written validators and Reflex handlers use `text_problem()` and `as_id()`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from helpdesk.core.i18n import N_, NF_, Message

MAX_INT32 = 2**31 - 1
MAX_INT64 = 2**63 - 1

# JSON Schema (ECMA) and Rust/Python regular expressions read these the same way.
SINGLE_LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
MULTI_LINE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
SINGLE_LINE = StringConstraints(pattern=SINGLE_LINE_PATTERN)
MULTI_LINE = StringConstraints(pattern=MULTI_LINE_PATTERN)
_SINGLE_LINE = re.compile(SINGLE_LINE_PATTERN)
_MULTI_LINE = re.compile(MULTI_LINE_PATTERN)

Id = Annotated[int, Field(ge=1, le=MAX_INT32)]
BigId = Annotated[int, Field(ge=1, le=MAX_INT64)]
Int32 = Annotated[int, Field(ge=-MAX_INT32 - 1, le=MAX_INT32)]
# Free text in query strings (search words, filters): one line, bounded.
QueryText = Annotated[str, SINGLE_LINE, StringConstraints(max_length=500)]
# Names, slugs and other short identifiers in paths and queries.
Name = Annotated[str, SINGLE_LINE, StringConstraints(max_length=200)]

# What each kind of refusal says, for pydantic's error types (helpdesk/core/validation.py and the REST API's
# RequestValidationError handler both use it): whole sentences with the field's label, so that a page shows them
# in its language (the label translated too) and the REST API in English.
CONTROL_CHARACTERS = N_("{label} must not contain control characters (such as NUL)")
LINE_BREAKS = N_("{label} must be a single line without control characters")
MESSAGES = {
    "string_too_short": N_("{label} is too short (at least {min_length} characters)"),
    "string_too_long": N_("{label} is too long (at most {max_length} characters)"),
    "too_long": N_("{label} has too many items (at most {max_length})"),
    "enum": N_("{label} must be one of: {expected}"),
    "literal_error": N_("{label} must be one of: {expected}"),
    "missing": N_("{label} is required"),
    "int_parsing": N_("{label} must be a whole number"),
    "int_from_float": N_("{label} must be a whole number"),
    "int_type": N_("{label} must be a whole number"),
    "string_type": N_("{label} must be text"),
    "string_unicode": N_("{label} must be valid UTF-8 text"),
    "bool_parsing": N_("{label} must be true or false"),
    "greater_than_equal": N_("{label} must be at least {ge}"),
    "less_than_equal": N_("{label} must be at most {le}"),
    "greater_than": N_("{label} must be greater than {gt}"),
    "less_than": N_("{label} must be less than {lt}"),
    "finite_number": N_("{label} must be a finite number"),
    "extra_forbidden": N_("{label} is not a field of this request"),
    "json_invalid": N_("{label} is not valid JSON"),
}


def _template(error: dict[str, Any]) -> str | None:
    """The sentence for one pydantic error; None for an error this module has no words for (a model's own
    validator, which writes a whole sentence)."""
    kind = error.get("type", "")
    pattern = (error.get("ctx") or {}).get("pattern")
    if kind == "string_pattern_mismatch" and pattern == SINGLE_LINE_PATTERN:
        return LINE_BREAKS
    if kind == "string_pattern_mismatch" and pattern == MULTI_LINE_PATTERN:
        return CONTROL_CHARACTERS
    return MESSAGES.get(kind)


def field_message(template: str, label: str, **values: Any) -> Message:
    """`template` about the field called `label`, translatable where it is shown (the label as a catalog entry)."""
    return NF_(template, label=NF_(label), **values)


def describe(error: dict[str, Any], label: str) -> str:
    """The whole message for one field: "Team must be at most 2147483647", or the error's own sentence."""
    template = _template(error)
    if template is not None:
        values = {key: value for key, value in (error.get("ctx") or {}).items() if isinstance(value, (str, int, float))}
        try:
            return field_message(template, label, **values)
        except (KeyError, IndexError):
            pass
    # A validator's own sentence as it raised it: a translatable Message (core/i18n.py) stays one.
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, ValueError) and cause.args and isinstance(cause.args[0], str):
        return cause.args[0]
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text of that kind (a template of `MESSAGES`, with `{label}` still to fill
    in), or None when it can."""
    if not (_MULTI_LINE if multiline else _SINGLE_LINE).match(value):
        return CONTROL_CHARACTERS if multiline else LINE_BREAKS
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return MESSAGES["string_unicode"]
    return None


def is_storable(value: str, *, multiline: bool = False) -> bool:
    return text_problem(value, multiline=multiline) is None


def as_id(value: object, *, big: bool = False) -> int | None:
    """An id the browser (or a query string) sent, as a number the database can look up; None when it cannot be
    one (not a whole number, below 1, or past the column's range)."""
    text = str(value).strip() if value is not None else ""
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= (MAX_INT64 if big else MAX_INT32) else None


def searchable(text: str, max_length: int = 500) -> str:
    """Search words as a query may use them: control characters become spaces (a search box that was sent a NUL
    finds what the rest of the words find, rather than failing), cut to `max_length`."""
    cleaned = re.sub(r"[\x00-\x1f\x7f]", " ", text[: max_length * 2])
    return cleaned.encode("utf-8", "replace").decode("utf-8")[:max_length]


def unstorable(fields: dict[str, str], *, multiline: tuple[str, ...] = ()) -> dict[str, str]:
    """Field errors ("Name must be a single line ...") for the values of a hand-validated form that PostgreSQL
    could not store; empty when all can be. `multiline` names the fields that may hold line breaks."""
    errors: dict[str, str] = {}
    for name, value in fields.items():
        problem = text_problem(str(value or ""), multiline=name in multiline)
        if problem is not None:
            errors[name] = field_message(problem, name.replace("_", " ").capitalize())
    return errors


def storable(text: str, *, multiline: bool = False) -> str:
    """Text from outside that is taken rather than refused (an e-mail's subject and body): the characters that
    could not be stored become spaces (single line: tabs and line breaks too), and it is valid UTF-8."""
    cleaned = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]" if multiline else r"[\x00-\x1f\x7f]", " ", text)
    return cleaned.encode("utf-8", "replace").decode("utf-8")
