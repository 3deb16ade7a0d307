"""The one place that says what PostgreSQL can store (helpdesk/core/bounds.py), as the pages' forms and event
handlers use it: a field error with a reason, never a data error from the database."""

from __future__ import annotations

import pytest

from helpdesk.core import bounds, i18n
from helpdesk.core.errors import ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.tickets.validation import CommentDraft, TicketChanges, TicketDraft


@pytest.mark.parametrize(("raw", "expected"), [
    ("42", 42), (" 7 ", 7), (42, 42), ("0", None), ("-3", None), ("", None), (None, None), ("abc", None),
    ("²", None), ("٣", None), (str(2**31 - 1), 2**31 - 1), (str(2**31), None), ("9" * 40, None), ([1], None),
])
def test_as_id_accepts_only_what_a_32_bit_id_column_holds(raw, expected) -> None:  # noqa: ANN001
    assert bounds.as_id(raw) == expected


def test_as_id_big_accepts_64_bit_ids() -> None:
    assert bounds.as_id(str(2**63 - 1), big=True) == 2**63 - 1
    assert bounds.as_id(str(2**63), big=True) is None


def test_the_new_ticket_form_gets_field_errors_for_text_the_database_cannot_store() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse(TicketDraft, {"title": "Print\x00er jams", "description": "It broke\x00 again and again",
                            "category_id": 2**40})
    errors = refused.value.field_errors
    assert errors["title"] == "Title must be a single line without control characters"
    assert errors["description"] == "Description must not contain control characters (such as NUL)"
    assert errors["category_id"] == "Category must be at most 2147483647"


def test_multi_line_text_keeps_tabs_and_line_breaks() -> None:
    assert parse(CommentDraft, {"body": "a\n\tb\r\nc"}).body == "a\n\tb\r\nc"
    with pytest.raises(ValidationFailed) as refused:
        parse(CommentDraft, {"body": "a\x1bb"})
    assert "control characters" in refused.value.field_errors["body"]


def test_changes_refuse_ids_out_of_range() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse(TicketChanges, {"assignee_id": 0, "team_id": 2**31})
    assert refused.value.field_errors == {"assignee_id": "Assignee must be at least 1",
                                          "team_id": "Team must be at most 2147483647"}


def test_hand_validated_forms_use_the_same_words() -> None:
    assert bounds.unstorable({"name": "ok", "description": "line\nbreak"}, multiline=("description",)) == {}
    assert bounds.unstorable({"name": "bad\x00name"}) == {
        "name": "Name must be a single line without control characters"}
    assert bounds.text_problem("x\ud800").format(label="Name") == "Name must be valid UTF-8 text"
    assert bounds.searchable("print\x00er\n") == "print er "


def test_field_errors_read_in_the_pages_language_label_and_all() -> None:
    """An Urdu page showed "عنوان is too short (at least 5 characters)": the sentence is translated, not only the
    field's name, and the REST API keeps the English."""
    with pytest.raises(ValidationFailed) as refused:
        parse(TicketDraft, {"title": "ab", "description": "Printer on floor 3 jams", "category_id": 2**40})
    errors = refused.value.field_errors
    assert errors["title"] == "Title is too short (at least 5 characters)"
    assert i18n.translate("ur", errors["title"]) == "عنوان بہت مختصر ہے (کم از کم 5 حروف)"
    assert i18n.translate("ur", errors["category_id"]) == "زمرہ زیادہ سے زیادہ 2147483647 ہونا چاہیے"
    assert i18n.translate("ur", bounds.unstorable({"name": "bad\x00name"})["name"]) == (
        "نام کنٹرول حروف کے بغیر ایک سطر ہونا چاہیے")
