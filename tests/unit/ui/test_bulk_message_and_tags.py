"""The bulk actions' message and the tag name rule: exact counts, reasons, and one spelling per tag."""

from __future__ import annotations

import pytest

from helpdesk.state.queue import bulk_message
from helpdesk.tickets.tickets import BulkResult
from helpdesk.tickets.validation import tag_name


@pytest.mark.parametrize(("result", "expected"), [
    (BulkResult(updated=[1, 2, 3], failed={4: "closed"}), ("warning", "Updated 3 tickets; 1 skipped: closed.")),
    (BulkResult(updated=[1]), ("success", "Updated 1 ticket.")),
    (BulkResult(updated=[1], unchanged=[2]), ("success", "Updated 1 ticket; 1 already had it.")),
    (BulkResult(unchanged=[1, 2]), ("info", "Nothing to change: the 2 tickets already had it.")),
    (BulkResult(updated=[], failed={1: "closed", 2: "not found", 3: "closed"}),
     ("warning", "Updated 0 tickets; 3 skipped: closed (2), not found (1).")),
])
def test_bulk_message_says_exactly_what_happened(result: BulkResult, expected: tuple[str, str]) -> None:
    assert bulk_message(result) == expected


def test_tag_names_are_normalised_or_refused_with_a_reason() -> None:
    assert tag_name("  Printer   Jam ") == "printer-jam"
    assert tag_name("VPN") == "vpn"
    assert tag_name("c++") == "c++"
    assert tag_name("اردو") == "اردو"  # letters of any script
    for bad, reason in (("", "Write a tag first"), ("x" * 41, "at most 40"), ("-vpn", "letters and digits"),
                        ("a,b", "letters and digits")):
        with pytest.raises(ValueError, match=reason):
            tag_name(bad)
