"""Single sign-on through a real OpenID Connect provider process (tests/oidc_provider.py), driven through the REST
doors a browser uses (/api/v1/auth/sso/start and /callback): provisioning, matching by subject, role and team
mapping, and every forged or misdirected answer refused."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from helpdesk.api.app import create_api
from helpdesk.core.db import session_scope
from helpdesk.core.errors import ValidationFailed
from helpdesk.core.settings import reset_settings_cache
from helpdesk.identity import auth
from helpdesk.models import AuditLog, TeamMembership, User
from tests.factories import Org
from tests.oidc import TestProvider, new_rsa_pem


@pytest.fixture
def sso_on(oidc_provider: TestProvider, org: Org) -> Iterator[TestProvider]:
    """The in-process app configured for the test provider (as the web servers under test are)."""
    saved = {k: os.environ.get(k) for k in oidc_provider.app_env()}
    os.environ.update(oidc_provider.app_env())
    reset_settings_cache()
    try:
        yield oidc_provider
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        reset_settings_cache()


@pytest.fixture
def browser_client(sso_on: TestProvider) -> TestClient:
    return TestClient(create_api())


def through_provider(client: TestClient, next_path: str = "") -> tuple[str, str]:
    """Starts a sign-in and follows the provider's approval; returns (our callback path with query, nonce)."""
    started = client.get("/api/v1/auth/sso/start", params={"next": next_path}, follow_redirects=False)
    assert started.status_code == 303, started.text
    authorization = started.headers["location"]
    query = parse_qs(urlsplit(authorization).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    approved = httpx.get(authorization, follow_redirects=False)
    assert approved.status_code == 302, approved.text
    callback = urlsplit(approved.headers["location"])
    assert callback.path == "/api/v1/auth/sso/callback"
    return f"{callback.path}?{callback.query}", query["nonce"][0]


def sign_in(client: TestClient, next_path: str = "") -> httpx.Response:
    callback, _ = through_provider(client, next_path)
    return client.get(callback, follow_redirects=False)


def user_by_email(email: str) -> User | None:
    with session_scope() as session:
        return session.exec(select(User).where(func.lower(User.email) == email)).first()


def user_count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(User)).one()


def failures() -> list[str]:
    with session_scope() as session:
        rows = session.exec(select(AuditLog).where(AuditLog.action == "auth.sso_failed")).all()
        return [row.details["reason"] for row in rows]


def test_first_sign_in_creates_the_person_with_their_mapped_role_and_team(browser_client: TestClient,
                                                                          sso_on: TestProvider, org: Org) -> None:
    sso_on.sign_in_next("u-1001", "Nadia.Agent@example.org", "Nadia Agent", ["it-agents", "it-hardware", "staff"])
    answer = sign_in(browser_client)
    assert answer.status_code == 303 and answer.headers["location"] == "/queue"
    token = answer.cookies["hd_session"]
    # Written by the server for the server: no page script can read it (issue #13).
    session_cookie = next(v for v in answer.headers.get_list("set-cookie") if v.startswith("hd_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie and "Secure" not in session_cookie
    nadia = user_by_email("nadia.agent@example.org")
    assert nadia is not None and nadia.role == "agent" and nadia.full_name == "Nadia Agent"
    assert nadia.sso_subject == f"{sso_on.issuer} u-1001"
    assert auth.user_id_for_token(token) == nadia.id
    with session_scope() as session:
        teams = session.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == nadia.id)).all()
    assert teams == [org.hardware_team]
    # The provider was asked with our client secret and the PKCE verifier.
    requests = httpx.get(sso_on.issuer + "/test/requests").json()
    assert requests[-1]["grant_type"] == "authorization_code" and requests[-1]["code_verifier"]


def test_a_second_sign_in_matches_the_same_person_by_subject_not_e_mail(browser_client: TestClient,
                                                                       sso_on: TestProvider, org: Org) -> None:
    sso_on.sign_in_next("u-2002", "omar@example.org", "Omar Requester", ["staff"])
    assert sign_in(browser_client).headers["location"] == "/portal"
    omar = user_by_email("omar@example.org")
    count = user_count()
    # Omar's address changed at the provider, and he became an agent in the access team.
    sso_on.sign_in_next("u-2002", "omar.farooq@example.org", "Omar Farooq", ["it-agents", "it-access"])
    again = sign_in(browser_client, next_path="/kb")
    assert again.headers["location"] == "/kb"
    assert user_count() == count
    assert auth.user_id_for_token(again.cookies["hd_session"]) == omar.id
    renamed = user_by_email("omar.farooq@example.org")
    assert renamed.id == omar.id and renamed.role == "agent"
    # Somebody else at the provider who now uses Omar's old address is a different person.
    sso_on.sign_in_next("u-3003", "omar@example.org", "Another Omar", [])
    third = sign_in(browser_client)
    assert auth.user_id_for_token(third.cookies["hd_session"]) != omar.id
    assert user_count() == count + 1


def test_an_existing_account_is_linked_only_by_a_verified_address(browser_client: TestClient, sso_on: TestProvider,
                                                                  org: Org) -> None:
    sso_on.sign_in_next("u-alice", "alice@example.org", "Alice", email_verified=False)
    refused = sign_in(browser_client)
    assert refused.headers["location"] == "/login?sso_error=failed" and "hd_session" not in refused.cookies
    sso_on.sign_in_next("u-alice", "alice@example.org", "Alice", [])
    linked = sign_in(browser_client)
    assert auth.user_id_for_token(linked.cookies["hd_session"]) == org.alice
    assert user_by_email("alice@example.org").sso_subject.endswith(" u-alice")


def test_a_deactivated_person_cannot_sign_in_through_the_provider(browser_client: TestClient, sso_on: TestProvider,
                                                                  org: Org) -> None:
    with session_scope() as session:
        bob = session.get(User, org.bob)
        bob.is_active = False
        session.add(bob)
    sso_on.sign_in_next("u-bob", "bob@example.org", "Bob", [])
    answer = sign_in(browser_client)
    assert answer.headers["location"] == "/login?sso_error=inactive" and "hd_session" not in answer.cookies


FORGERIES = {
    "bad signature": lambda provider, nonce: provider.forge({"nonce": nonce}, key_pem=new_rsa_pem()),
    "wrong audience": lambda provider, nonce: provider.forge({"nonce": nonce, "aud": "some-other-app"}),
    "wrong issuer": lambda provider, nonce: provider.forge({"nonce": nonce, "iss": "http://127.0.0.1:1"}),
    "expired": lambda provider, nonce: provider.forge({"nonce": nonce, "iat": 1_700_000_000, "exp": 1_700_000_300}),
    "another sign-in's nonce": lambda provider, nonce: provider.forge({"nonce": "replayed-nonce"}),
    "several audiences, not ours as azp": lambda provider, nonce: provider.forge(
        {"nonce": nonce, "aud": ["helpdesk-test", "other"], "azp": "other"}),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
def test_a_forged_or_misdirected_id_token_is_refused(browser_client: TestClient, sso_on: TestProvider, org: Org,
                                                     forgery: str) -> None:
    count = user_count()
    callback, nonce = through_provider(browser_client)
    sso_on.answer_next_with(FORGERIES[forgery](sso_on, nonce))
    answer = browser_client.get(callback, follow_redirects=False)
    assert answer.headers["location"] == "/login?sso_error=failed"
    assert "hd_session" not in answer.cookies
    assert user_count() == count and user_by_email("mallory@example.org") is None
    assert failures() and failures()[-1].startswith("ID token")


def test_unsigned_and_secret_keyed_tokens_are_refused(browser_client: TestClient, sso_on: TestProvider,
                                                      org: Org) -> None:
    """alg "none", and HS256 keyed with the client secret (which the app knows too), prove nothing."""
    import base64
    import json
    import time

    from joserfc import jwt
    from joserfc.jwk import OctKey

    def b64(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    for make in (
        lambda claims: jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(sso_on.client_secret),
                                  algorithms=["HS256"]),
        lambda claims: f"{b64({'alg': 'none'})}.{b64(claims)}.",
    ):
        callback, nonce = through_provider(browser_client)
        now = int(time.time())
        sso_on.answer_next_with(make({"iss": sso_on.issuer, "aud": "helpdesk-test", "sub": "x", "iat": now,
                                      "exp": now + 300, "nonce": nonce, "email": "x@example.org"}))
        assert browser_client.get(callback, follow_redirects=False).headers["location"] == "/login?sso_error=failed"
    assert user_by_email("x@example.org") is None


def test_the_callback_belongs_to_the_browser_that_started_it_and_works_once(browser_client: TestClient,
                                                                           sso_on: TestProvider, org: Org) -> None:
    sso_on.sign_in_next("u-4004", "zara@example.org", "Zara", [])
    callback, _ = through_provider(browser_client)
    # An attacker sends a victim's browser (no binding cookie) to the attacker's own callback: login CSRF.
    victim = TestClient(create_api())
    refused = victim.get(callback, follow_redirects=False)
    assert refused.headers["location"] == "/login?sso_error=failed"
    assert "hd_session" not in refused.cookies
    # The state was used up by that attempt; the rightful browser starts again and succeeds once only.
    callback, _ = through_provider(browser_client)
    assert browser_client.get(callback, follow_redirects=False).headers["location"] == "/portal"
    replay = browser_client.get(callback, follow_redirects=False)
    assert replay.headers["location"] == "/login?sso_error=expired"
    assert any(reason == "state from another browser" for reason in failures())


def test_a_next_address_off_this_site_is_ignored(browser_client: TestClient, sso_on: TestProvider, org: Org) -> None:
    sso_on.sign_in_next("u-5005", "yusuf@example.org", "Yusuf", [])
    assert sign_in(browser_client, "//evil.example.com/x").headers["location"] == "/portal"
    assert sign_in(browser_client, "https://evil.example.com/").headers["location"] == "/portal"


def test_staff_may_be_required_to_use_sso_once_it_is_configured(sso_on: TestProvider, org: Org) -> None:
    from helpdesk.admin import settings as admin_settings
    from helpdesk.core import app_settings

    try:
        with session_scope() as session:
            assert admin_settings.save(session, org.actor(org.root), {"sso_only_staff": True}) == {
                "sso_only_staff": {"from": False, "to": True}}
        with pytest.raises(Exception, match="do not match"):
            auth.login("hank@example.org", "correct horse battery")
    finally:
        with session_scope() as session:
            admin_settings.save(session, org.actor(org.root), {"sso_only_staff": False})
        app_settings.invalidate()


def test_without_a_provider_staff_cannot_be_locked_out(org: Org) -> None:
    from helpdesk.admin import settings as admin_settings

    with session_scope() as session, pytest.raises(ValidationFailed):
        admin_settings.save(session, org.actor(org.root), {"sso_only_staff": True})
