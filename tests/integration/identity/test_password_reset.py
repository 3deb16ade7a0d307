"""Password reset: same answer for any address, signed single-use links with expiry, sessions end after a reset."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated, ValidationFailed
from helpdesk.identity import auth, password_links
from helpdesk.models import OutboxJob, PasswordReset
from tests.factories import PASSWORD, Org

NEW_PASSWORD = "a brand new passphrase"


def _request(email: str) -> str:
    with session_scope() as session:
        return password_links.request_reset(session, email, "10.1.1.1")


def _only_link() -> str:
    with session_scope() as session:
        return password_links.link_token(session.exec(select(PasswordReset)).one())


def test_the_answer_is_the_same_whether_or_not_the_address_exists(org: Org) -> None:
    assert _request("nobody@example.org") == _request("Alice@Example.org ")
    with session_scope() as session:
        # Only the real address gets a link e-mail, through the outbox.
        assert len(session.exec(select(PasswordReset)).all()) == 1
        assert [j.task_name for j in session.exec(select(OutboxJob)).all()] == ["email.password_link"]
    with pytest.raises(ValidationFailed):
        _request("not an address")


def test_a_link_sets_the_password_once_and_ends_every_session(org: Org) -> None:
    old_session = auth.login("alice@example.org", PASSWORD).token
    _request("alice@example.org")
    token = _only_link()
    with session_scope() as session, pytest.raises(ValidationFailed) as short:
        password_links.set_password(session, token, "short", "short")
    assert set(short.value.field_errors) == {"password"}
    with session_scope() as session, pytest.raises(ValidationFailed) as differ:
        password_links.set_password(session, token, NEW_PASSWORD, NEW_PASSWORD + "x")
    assert set(differ.value.field_errors) == {"confirm"}
    with session_scope() as session:
        password_links.set_password(session, token, NEW_PASSWORD, NEW_PASSWORD)
    with pytest.raises(NotAuthenticated):
        auth.user_id_for_token(old_session)
    assert auth.login("alice@example.org", NEW_PASSWORD).actor.user_id == org.alice
    with pytest.raises(NotAuthenticated):
        auth.login("alice@example.org", PASSWORD)
    # Single use.
    with session_scope() as session, pytest.raises(ValidationFailed, match="not valid any more"):
        password_links.set_password(session, token, "another passphrase", "another passphrase")


def test_forged_and_expired_links_are_refused(org: Org) -> None:
    _request("bob@example.org")
    token = _only_link()
    reset_id, expiry, signature = token.split(".")
    forged = [f"{reset_id}.{int(expiry) + 86400}.{signature}", f"{reset_id}.{expiry}.{signature[:-2]}AA",
              f"{int(reset_id) + 1}.{expiry}.{signature}", "garbage", ""]
    for bad in forged:
        with session_scope() as session, pytest.raises(ValidationFailed):
            password_links.check_link(session, bad)
    with session_scope() as session:
        reset = session.exec(select(PasswordReset)).one()
        reset.expires_at = reset.expires_at - timedelta(hours=2)
        session.add(reset)
    with session_scope() as session, pytest.raises(ValidationFailed):
        password_links.check_link(session, _only_link())


def test_reset_mails_per_hour_are_limited(org: Org) -> None:
    for _ in range(5):
        _request("bob@example.org")
    with session_scope() as session:
        assert len(session.exec(select(PasswordReset)).all()) == password_links.MAX_RESETS_PER_HOUR


def test_the_link_mail_carries_the_link(org: Org) -> None:
    _request("bob@example.org")
    with session_scope() as session:
        reset = session.exec(select(PasswordReset)).one()
        mail = password_links.link_mail(session, reset.id)
    assert mail.to == ["bob@example.org"] and password_links.link_token(reset) in mail.body.replace("%3D", "=")
