"""The sign-in path: progressive delay, limits that never lock an admin out from elsewhere, trusted proxies, the
absolute session lifetime, SSO-only staff, service accounts, demo data only outside production."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from helpdesk.core import app_settings, cache, settings
from helpdesk.core.client_ip import client_address
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotAuthenticated, RateLimited
from helpdesk.identity import auth
from tests.factories import PASSWORD, Org

pytestmark = pytest.mark.usefixtures("each_redis")


def test_failures_from_elsewhere_slow_an_address_but_never_lock_it_out(org: Org) -> None:
    for attempt in range(6):
        with pytest.raises((NotAuthenticated, RateLimited)):
            auth.login("root@example.org", "guess", f"203.0.113.{attempt}")
    assert auth._progressive_delay(6) == 4.0 and auth._progressive_delay(2) == 0.0
    started = time.monotonic()
    # The admin, from their own address, still signs in; slowed, not refused.
    assert auth.login("root@example.org", PASSWORD, "10.9.9.9").actor.user_id == org.root
    assert time.monotonic() - started >= 3.5
    # A success clears the address's counter: the next sign-in is fast again.
    started = time.monotonic()
    auth.login("root@example.org", PASSWORD, "10.9.9.9")
    assert time.monotonic() - started < 2


def test_one_client_guessing_is_stopped(org: Org) -> None:
    for _ in range(5):
        with pytest.raises(NotAuthenticated):
            auth.login("bob@example.org", "guess", "198.51.100.7")
    with pytest.raises(RateLimited):
        auth.login("bob@example.org", PASSWORD, "198.51.100.7")


@pytest.fixture
def proxies():  # noqa: ANN201
    import os

    os.environ["TRUSTED_PROXIES"] = '["10.0.0.0/8"]'
    settings.reset_settings_cache()
    yield
    os.environ.pop("TRUSTED_PROXIES")
    settings.reset_settings_cache()


def test_client_address_behind_trusted_proxies(proxies: None) -> None:
    assert client_address("10.1.2.3", "198.51.100.9, 10.0.0.5") == "198.51.100.9"
    # A client forging the header only adds to the left of what our proxies appended.
    assert client_address("10.1.2.3", "1.2.3.4, 198.51.100.9") == "198.51.100.9"
    # An untrusted peer's header is ignored.
    assert client_address("198.51.100.20", "1.2.3.4") == "198.51.100.20"
    assert client_address("10.1.2.3", "not-an-ip") == "10.1.2.3"


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address("10.1.2.3", "198.51.100.9") == "10.1.2.3"


def test_a_session_ends_at_its_absolute_lifetime_however_active(org: Org) -> None:
    import json

    token = auth.login("alice@example.org", PASSWORD).token
    client = cache.get_redis()
    key = auth._session_key(token)
    data = json.loads(client.get(key))
    assert data["ends"] - time.time() == pytest.approx(7 * 24 * 3600, abs=60)
    auth.user_id_for_token(token)  # active use slides the expiry, but never past "ends"
    data["ends"] = int(time.time()) + 30
    client.set(key, json.dumps(data), ex=3600)
    auth.user_id_for_token(token)
    assert client.ttl(key) <= 30
    data["ends"] = int(time.time()) - 1
    client.set(key, json.dumps(data), ex=3600)
    with pytest.raises(NotAuthenticated):
        auth.user_id_for_token(token)


def test_sso_only_staff_cannot_use_a_password_but_requesters_can(org: Org) -> None:
    with session_scope() as session:
        session.execute(text("INSERT INTO app_settings (key, value, updated_at) VALUES "
                             "('sso_only_staff', 'true', now())"))
    app_settings.invalidate()
    try:
        with pytest.raises(NotAuthenticated):
            auth.login("hank@example.org", PASSWORD)
        assert auth.login("alice@example.org", PASSWORD).actor.user_id == org.alice
    finally:
        with session_scope() as session:
            session.execute(text("DELETE FROM app_settings"))
        app_settings.invalidate()


def test_no_demo_accounts_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from helpdesk.runtime import bootstrap

    monkeypatch.setenv("HELPDESK_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-random-production-secret-for-this-test")
    settings.reset_settings_cache()
    try:
        called = []
        monkeypatch.setattr("helpdesk.seed.demo.seed_demo", lambda: called.append(1) or True)
        assert bootstrap.seed_if_empty() is False and called == []
    finally:
        monkeypatch.undo()
        settings.reset_settings_cache()
