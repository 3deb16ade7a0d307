"""CSV that a spreadsheet opens as data, never as formulas (CSV injection, OWASP).

Excel, LibreOffice and Google Sheets treat a cell that starts with `=`, `+`, `-` or `@` as a formula, and a leading
tab or carriage return can hide one. A requester who titles a ticket `=HYPERLINK("https://evil.example", "Open")`
must not get a live link (or a DDE command) into the manager's spreadsheet, so every CSV the product writes goes
through `SafeCsvWriter`: a text cell starting with one of those characters gets a leading apostrophe, which
spreadsheets show as plain text and hide. Numbers stay numbers (a negative number is not a formula and is not
written by a person).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def safe_cell(value: object) -> object:
    """The value a CSV cell may hold: None as empty, numbers as they are, text neutralised when a spreadsheet would
    read it as a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_row(values: Iterable[object]) -> list[object]:
    return [safe_cell(value) for value in values]


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `safe_cell`: the one way the product writes CSV."""

    def __init__(self, handle: _Writable) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, values: Iterable[object]) -> None:
        self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
