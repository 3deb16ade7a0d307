"""Sign-in, sessions in Redis, the rate limit and the audit trail."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated, RateLimited, ValidationFailed
from helpdesk.identity import auth, directory
from helpdesk.models import AuditLog
from tests.factories import PASSWORD, Org

# Every sign-in test runs on the machine's Redis and on the embedded one `make run` starts.
pytestmark = pytest.mark.usefixtures("each_redis")


def test_login_returns_a_session_that_identifies_the_user(org: Org) -> None:
    signed_in = auth.login("ALICE@example.org ", PASSWORD, "10.0.0.1")
    assert signed_in.actor.user_id == org.alice and signed_in.actor.role == "requester"
    assert auth.user_id_for_token(signed_in.token) == org.alice
    with session_scope() as session:
        assert session.exec(select(AuditLog.action).where(AuditLog.actor_id == org.alice)).all() == ["auth.login"]


def test_wrong_password_and_unknown_email_give_the_same_answer(org: Org) -> None:
    with pytest.raises(NotAuthenticated) as wrong:
        auth.login("alice@example.org", "nope", "10.0.0.2")
    with pytest.raises(NotAuthenticated) as unknown:
        auth.login("nobody@example.org", "nope", "10.0.0.3")
    assert wrong.value.message == unknown.value.message


def test_empty_fields_are_field_errors(org: Org) -> None:
    with pytest.raises(ValidationFailed) as caught:
        auth.login("", "", "")
    assert set(caught.value.field_errors) == {"email", "password"}


def test_logout_ends_the_session(org: Org) -> None:
    token = auth.login("alice@example.org", PASSWORD).token
    auth.logout(token)
    with pytest.raises(NotAuthenticated):
        auth.user_id_for_token(token)


def test_sessions_expire(org: Org) -> None:
    from helpdesk.core import cache

    token = auth.login("alice@example.org", PASSWORD).token
    cache.get_redis().delete(auth._session_key(token))  # what Redis does when the TTL runs out
    with pytest.raises(NotAuthenticated, match="expired"):
        auth.user_id_for_token(token)
    assert cache.get_redis().ttl(auth._session_key(auth.login("alice@example.org", PASSWORD).token)) > 0


def test_repeated_failures_lock_out_that_email_even_with_the_right_password(org: Org) -> None:
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            auth.login("bob@example.org", "guess", "10.0.0.9")
    with pytest.raises(RateLimited) as caught:
        auth.login("bob@example.org", PASSWORD, "10.0.0.9")
    assert caught.value.retry_after_seconds > 0
    # Another account from elsewhere is unaffected.
    assert auth.login("alice@example.org", PASSWORD, "10.0.0.10").actor.user_id == org.alice


def test_failures_are_counted_within_one_window(org: Org) -> None:
    from helpdesk.core import cache

    for _ in range(2):
        with pytest.raises(NotAuthenticated):
            auth.login("carol-unknown@example.org", "guess", "10.0.0.20")
    failures_key = auth._failures_key("email", "carol-unknown@example.org")
    client = cache.get_redis()
    assert client.get(failures_key) == "2"
    assert 0 < client.ttl(failures_key) <= 900


def test_wrong_password_through_the_api_is_401_with_a_reason(org: Org) -> None:
    from fastapi.testclient import TestClient

    from helpdesk.api.app import create_api

    response = TestClient(create_api()).post("/api/v1/auth/login",
                                             json={"email": "alice@example.org", "password": "wrong"})
    assert response.status_code == 401
    assert "do not match" in response.json()["detail"]
    with session_scope() as session:
        failed = session.exec(select(AuditLog.action).where(AuditLog.action == "auth.login_failed")).all()
    assert failed == ["auth.login_failed"]


def test_deactivated_account_loses_its_sessions(org: Org) -> None:
    token = auth.login("alice@example.org", PASSWORD).token
    with session_scope() as session:
        directory.set_active(session, org.actor(org.root), org.alice, False)
    with pytest.raises(NotAuthenticated):
        auth.user_id_for_token(token)
    with pytest.raises(NotAuthenticated):
        auth.login("alice@example.org", PASSWORD)


def test_audit_log_is_partitioned_by_month(test_env) -> None:
    from sqlalchemy import text

    from helpdesk.core.db import write_engine

    with write_engine().connect() as connection:
        kind = connection.execute(text("SELECT relkind FROM pg_class WHERE relname = 'audit_logs'")).scalar()
        partitions = connection.execute(text(
            "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass")).scalar()
    assert kind == "p" and partitions >= 4
