"""API tokens: personal access tokens and service accounts, scopes enforced, shown once, revocable, last used."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import ApiToken, AuditLog
from tests.factories import Org

NEW_TICKET = {"title": "Printer jams", "description": "The third-floor printer jams on every page."}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_personal_token_is_shown_once_stored_hashed_and_acts_as_its_owner(client: TestClient, org: Org,
                                                                            login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    made = client.post("/api/v1/tokens", json={"name": "my script", "scopes": ["tickets:read", "tickets:write"]},
                       headers=alice)
    assert made.status_code == 201, made.text
    token = made.json()["token"]
    assert token.startswith("hdp_") and len(token) > 40
    with session_scope() as session:
        row = session.exec(select(ApiToken)).one()
        assert token not in (row.token_hash, row.prefix) and row.last_used_at is None
    # Listing never shows the token again.
    listed = client.get("/api/v1/tokens", headers=alice).json()
    assert [t["name"] for t in listed] == ["my script"] and "token" not in listed[0]

    created = client.post("/api/v1/tickets", json=NEW_TICKET, headers=bearer(token))
    assert created.status_code == 201 and created.json()["requester"] == "Alice Requester"
    assert client.get("/api/v1/auth/me", headers=bearer(token)).json()["id"] == org.alice
    assert client.get("/api/v1/tokens", headers=alice).json()[0]["last_used_at"] is not None


def test_scopes_are_enforced(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    mona = login("mona@example.org")
    reader = client.post("/api/v1/tokens", json={"name": "dashboards", "scopes": ["tickets:read"]},
                         headers=mona).json()["token"]
    assert client.get("/api/v1/tickets", headers=bearer(reader)).status_code == 200
    refused = client.post("/api/v1/tickets", json=NEW_TICKET, headers=bearer(reader))
    assert refused.status_code == 403 and "tickets:write" in refused.json()["detail"]
    assert client.get("/api/v1/reports/volume", headers=bearer(reader)).status_code == 403
    # A token never manages tokens, even its own owner's.
    assert client.get("/api/v1/tokens", headers=bearer(reader)).status_code == 403
    assert client.post("/api/v1/tokens", json={"name": "x", "scopes": ["reports:read"]},
                       headers=bearer(reader)).status_code == 403

    bad = client.post("/api/v1/tokens", json={"name": " ", "scopes": ["admin:all"]}, headers=mona)
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"name", "scopes"}


def test_a_revoked_token_is_refused(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    hank = login("hank@example.org")
    made = client.post("/api/v1/tokens", json={"name": "cli", "scopes": ["tickets:read"]}, headers=hank).json()
    assert client.get("/api/v1/tickets", headers=bearer(made["token"])).status_code == 200
    # Someone else cannot revoke it.
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=login("ada@example.org")).status_code == 404
    assert client.delete(f"/api/v1/tokens/{made['id']}", headers=hank).status_code == 204
    refused = client.get("/api/v1/tickets", headers=bearer(made["token"]))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    with session_scope() as session:
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity_type == "api_token")
                               .order_by(AuditLog.occurred_at)).all()
        assert actions == ["api_token.create", "api_token.revoke"]


def test_service_accounts_are_for_admins_and_their_tokens_work(client: TestClient, org: Org,
                                                               login) -> None:  # noqa: ANN001
    for email in ("alice@example.org", "hank@example.org", "mona@example.org"):
        headers = login(email)
        assert client.get("/api/v1/admin/service-accounts", headers=headers).status_code == 403
        assert client.post("/api/v1/admin/service-accounts", json={"name": "Monitoring"},
                           headers=headers).status_code == 403
    root = login("root@example.org")
    account = client.post("/api/v1/admin/service-accounts", json={"name": "Monitoring", "role": "agent"},
                          headers=root)
    assert account.status_code == 201, account.text
    account_id = account.json()["id"]
    assert client.post("/api/v1/admin/service-accounts", json={"name": "x", "role": "admin"},
                       headers=root).status_code == 422
    token = client.post(f"/api/v1/admin/service-accounts/{account_id}/tokens",
                        json={"name": "alerts", "scopes": ["tickets:write", "tickets:read"]}, headers=root).json()
    created = client.post("/api/v1/tickets", json=NEW_TICKET, headers=bearer(token["token"]))
    assert created.status_code == 201 and created.json()["requester"] == "Monitoring"
    # A personal token of an agent cannot be used to create tokens for the service account.
    assert client.post(f"/api/v1/admin/service-accounts/{account_id}/tokens", json={"name": "x",
                       "scopes": ["tickets:read"]}, headers=login("hank@example.org")).status_code == 404
    # The service account cannot sign in with any password.
    assert client.get("/api/v1/admin/service-accounts", headers=root).json()[0]["tokens"] == 1


def test_a_session_cookie_holding_an_api_token_does_not_sign_in_pages(org: Org, client: TestClient,
                                                                     login) -> None:  # noqa: ANN001
    from helpdesk.core.errors import NotAuthenticated
    from helpdesk.identity import auth

    token = client.post("/api/v1/tokens", json={"name": "t", "scopes": ["tickets:read"]},
                        headers=login("root@example.org")).json()["token"]
    with session_scope() as session:
        try:
            auth.actor_for_token(session, token)
        except NotAuthenticated:
            pass
        else:
            raise AssertionError("pages must accept sign-in sessions only")
