"""Issue #13, cookies, CSRF, headers, /metrics and the API docs, against the real app (PostgreSQL, Redis).

Before: the session cookie was readable by page scripts, had no Secure flag, and signed any REST write on its own
(a cross-site form or multipart upload was stopped only by SameSite); no answer carried a CSP, X-Frame-Options,
nosniff, Referrer-Policy or HSTS; /metrics and the API docs were public everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import func, select

from helpdesk.core import settings
from helpdesk.core.client_ip import served_over_https
from helpdesk.core.db import session_scope
from helpdesk.identity import auth, browser_sessions
from helpdesk.models import Attachment, Ticket
from tests.factories import PASSWORD, Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}
EVIL = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, test_env) -> Iterator:  # noqa: ANN001
    """Sets environment variables for one test and re-reads the settings (and back afterwards)."""

    def setting(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        settings.reset_settings_cache()

    yield setting
    monkeypatch.undo()
    settings.reset_settings_cache()


def _app() -> TestClient:
    from helpdesk.api.app import create_api

    return TestClient(create_api())


def _session_token(email: str) -> str:
    return auth.login(email, PASSWORD).token


def _tickets() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Ticket)).one()


def test_a_cookie_only_write_from_another_site_is_refused_with_a_reason(client: TestClient, org: Org) -> None:
    token = _session_token("alice@example.org")
    client.cookies.set("hd_session", token)
    before = _tickets()

    forged = client.post("/api/v1/tickets", json=NEW_TICKET, headers=EVIL)
    assert forged.status_code == 403
    assert "Cross-site request refused" in forged.json()["detail"] and "X-CSRF-Token" in forged.json()["detail"]
    assert _tickets() == before

    # Reads still work with the cookie (attachment and export downloads are links in the pages).
    assert client.get("/api/v1/auth/me").json()["email"] == "alice@example.org"

    # A page of ours reads the CSRF token (another origin cannot read this answer) and sends it.
    csrf = client.get("/api/v1/auth/csrf").json()
    assert csrf["header"] == "X-CSRF-Token" and csrf["csrf_token"] == browser_sessions.csrf_token(token)
    filed = client.post("/api/v1/tickets", json=NEW_TICKET, headers={"X-CSRF-Token": csrf["csrf_token"]})
    assert filed.status_code == 201, filed.text
    ticket_id = filed.json()["id"]

    # The issue's example: a cross-site multipart upload signed by the cookie alone.
    upload = client.post(f"/api/v1/tickets/{ticket_id}/attachments", headers=EVIL,
                         files={"file": ("note.txt", b"hello", "text/plain")})
    assert upload.status_code == 403 and "Cross-site" in upload.json()["detail"]
    with session_scope() as session:
        assert session.exec(select(func.count()).select_from(Attachment)).one() == 0

    # Another session's token, or a made-up one, does not pass.
    other = browser_sessions.csrf_token(_session_token("bob@example.org"))
    for wrong in (other, "0" * 64, ""):
        refused = client.patch(f"/api/v1/tickets/{ticket_id}", json={"title": "Changed"},
                               headers={"X-CSRF-Token": wrong})
        assert refused.status_code == 403
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).title == NEW_TICKET["title"]


def test_bearer_tokens_need_no_csrf_token_and_the_cookie_never_signs_for_them(client: TestClient, org: Org) -> None:
    bearer = {"Authorization": f"Bearer {_session_token('alice@example.org')}"}
    client.cookies.set("hd_session", _session_token("bob@example.org"))
    filed = client.post("/api/v1/tickets", json=NEW_TICKET, headers=bearer)
    assert filed.status_code == 201 and filed.json()["requester"] == "Alice Requester"
    # A bad bearer token is refused; the cookie next to it is not used instead.
    assert client.post("/api/v1/tickets", json=NEW_TICKET, headers={"Authorization": "Bearer forged"}).status_code \
        == 401
    # Signing in needs no cookie and no CSRF token (the cookie, if any, is not the credential there).
    assert client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": PASSWORD}) \
        .status_code == 200


def test_the_handoff_sets_an_httponly_cookie_once_and_only_for_our_own_pages(client: TestClient, org: Org) -> None:
    token = _session_token("hank@example.org")
    code = browser_sessions.issue_handoff(token, "/queue")

    # A link on another site (login CSRF: the attacker's own code) does not sign the visitor in.
    cross = client.get(f"/api/v1/auth/handoff?code={code}", headers={"Sec-Fetch-Site": "cross-site"},
                       follow_redirects=False)
    assert cross.status_code == 303 and cross.headers["location"] == "/login?signin=elsewhere"
    assert "set-cookie" not in cross.headers

    ours = client.get(f"/api/v1/auth/handoff?code={code}", headers={"Sec-Fetch-Site": "same-origin"},
                      follow_redirects=False)
    assert ours.status_code == 303 and ours.headers["location"] == "/queue"
    cookie = ours.headers["set-cookie"]
    assert cookie.startswith(f"hd_session={token};")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Secure" not in cookie

    again = client.get(f"/api/v1/auth/handoff?code={code}", headers={"Sec-Fetch-Site": "same-origin"},
                       follow_redirects=False)
    assert again.headers["location"] == "/login?signin=expired" and "set-cookie" not in again.headers
    # Without Sec-Fetch-Site (older browsers) the Referer must be one of our pages.
    code = browser_sessions.issue_handoff(token, "/queue")
    referred = client.get(f"/api/v1/auth/handoff?code={code}", headers={"Referer": "https://evil.example/"},
                          follow_redirects=False)
    assert referred.headers["location"] == "/login?signin=elsewhere"


def test_cookies_are_secure_and_hsts_is_sent_when_served_over_https(configured, org: Org) -> None:  # noqa: ANN001
    configured(PUBLIC_URL="https://helpdesk.example")
    client = _app()
    code = browser_sessions.issue_handoff(_session_token("hank@example.org"), "/queue")
    answer = client.get(f"/api/v1/auth/handoff?code={code}", headers={"Sec-Fetch-Site": "same-origin"},
                        follow_redirects=False)
    assert "Secure" in answer.headers["set-cookie"] and "HttpOnly" in answer.headers["set-cookie"]
    assert answer.headers["strict-transport-security"].startswith("max-age=31536000")


def test_https_is_believed_only_from_a_trusted_proxy(configured) -> None:  # noqa: ANN001
    configured(PUBLIC_URL="http://helpdesk.internal", TRUSTED_PROXIES='["10.0.0.0/8"]')
    assert served_over_https("http", "10.1.2.3", "https") is True
    assert served_over_https("http", "203.0.113.9", "https") is False  # anyone can write the header
    assert served_over_https("http", "10.1.2.3", "http") is False
    assert served_over_https("https", "203.0.113.9", None) is True
    assert "strict-transport-security" not in _app().get("/health").headers


def test_every_answer_carries_the_security_headers(client: TestClient, org: Org) -> None:
    for answer in (client.get("/health"), client.get("/api/v1/tickets"),
                   client.post("/api/v1/auth/login", json={"email": "x@example.org", "password": "y"})):
        headers = answer.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "strict-transport-security" not in headers  # plain HTTP
    api_policy = client.get("/api/v1/tickets").headers["content-security-policy"]
    assert "default-src 'none'" in api_policy and "sandbox" in api_policy


def test_metrics_need_the_token_when_one_is_set(configured, org: Org) -> None:  # noqa: ANN001
    assert _app().get("/metrics").status_code == 200  # no token, not production: open (development, tests)
    configured(METRICS_TOKEN="scrape-me-please")
    client = _app()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "METRICS_TOKEN" in wrong.json()["detail"]
    assert wrong.headers["www-authenticate"] == "Bearer"
    good = client.get("/metrics", headers={"Authorization": "Bearer scrape-me-please"})
    assert good.status_code == 200 and "# HELP" in good.text


def test_production_hides_the_api_docs_and_metrics_unless_enabled(configured, org: Org) -> None:  # noqa: ANN001
    assert _app().get("/api/openapi.json").status_code == 200  # tests run with HELPDESK_ENV=test
    configured(HELPDESK_ENV="production", SECRET_KEY="x" * 64)
    client = _app()
    assert client.get("/api/openapi.json").status_code == 404
    assert client.get("/api/docs").status_code == 404
    assert client.get("/metrics").status_code == 404
    configured(API_DOCS="true")
    client = _app()
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Helpdesk REST API"
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "frame-ancestors 'none'" in docs.headers["content-security-policy"]
