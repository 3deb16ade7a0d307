"""Pure functions: input validation messages, settings safety, password hashing, cursors."""

from __future__ import annotations

import pytest

from helpdesk.core.errors import ValidationFailed
from helpdesk.core.validation import parse
from helpdesk.identity.passwords import hash_password, verify_password
from helpdesk.tickets.validation import CommentDraft, TicketDraft


def test_short_title_and_description_give_one_message_per_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse(TicketDraft, {"title": "hi", "description": "short"})
    assert caught.value.field_errors == {
        "title": "Title is too short (at least 5 characters)",
        "description": "Description is too short (at least 10 characters)",
    }


def test_unknown_priority_is_rejected_with_the_choices() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse(TicketDraft, {"title": "Printer broken", "description": "Paper jam all day", "priority": "urgent"})
    assert "low" in caught.value.field_errors["priority"] and "critical" in caught.value.field_errors["priority"]


def test_blank_reply_is_rejected() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse(CommentDraft, {"body": "   "})
    assert "body" in caught.value.field_errors


def test_whitespace_is_trimmed() -> None:
    draft = parse(TicketDraft, {"title": "  VPN drops  ", "description": "  every ten minutes  "})
    assert draft.title == "VPN drops" and draft.description == "every ten minutes"


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from helpdesk.core.settings import Settings

    monkeypatch.setenv("HELPDESK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings()
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-for-production-use")
    assert Settings().environment == "production"


def test_default_timezone_is_karachi(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.core.settings import Settings

    monkeypatch.delenv("TIMEZONE", raising=False)
    assert Settings().timezone == "Asia/Karachi"


def test_password_hashing_round_trip() -> None:
    hashed = hash_password("a long passphrase")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a long passphrase")
    assert not verify_password(hashed, "a long passphrasf")
    assert not verify_password(None, "anything")


def test_cursor_round_trip_and_tampering() -> None:
    from datetime import UTC, datetime

    from helpdesk.tickets.tickets import _decode_cursor, _encode_cursor

    moment = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert _decode_cursor(_encode_cursor(moment, 42), "created_at") == (moment, 42)
    with pytest.raises(ValidationFailed):
        _decode_cursor("not-a-cursor", "created_at")


def test_safe_filename_strips_paths_and_odd_characters() -> None:
    from helpdesk.tickets.attachments import safe_filename

    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Users\\me\\report (final).pdf") == "report _final_.pdf"
    assert safe_filename("<script>.html") == "_script_.html"
    assert safe_filename("...") == "attachment"
