"""REST API v1 against real PostgreSQL and Redis: the same rules as the portal."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}


def test_login_rejects_bad_credentials_with_a_reason(client: TestClient, org: Org) -> None:
    response = client.post("/api/v1/auth/login", json={"email": "alice@example.org", "password": "wrong"})
    assert response.status_code == 401
    assert "do not match" in response.json()["detail"]
    response = client.post("/api/v1/auth/login", json={"email": "not-an-email", "password": "x"})
    assert response.status_code == 422 and "email" in response.json()["errors"]


def test_endpoints_require_a_token(client: TestClient, org: Org) -> None:
    assert client.get("/api/v1/tickets").status_code == 401
    assert client.get("/api/v1/tickets", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_create_list_get_patch_and_comment(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    created = client.post("/api/v1/tickets", json=NEW_TICKET | {"category_id": org.hardware}, headers=alice)
    assert created.status_code == 201, created.text
    ticket = created.json()
    assert ticket["number"] >= 1001 and ticket["status"] == "new" and ticket["team"] == "Hardware"
    assert ticket["source"] == "api"

    listed = client.get("/api/v1/tickets", params={"with_counts": True}, headers=hank).json()
    assert [t["id"] for t in listed["items"]] == [ticket["id"]] and listed["counts"]["new"] == 1

    patched = client.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": "in_progress", "assignee_id": org.hank},
                           headers=hank)
    assert patched.status_code == 200 and patched.json()["assignee"] == "Hank Hardware"

    reply = client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "Try another cable"}, headers=hank)
    assert reply.status_code == 201 and reply.json()["author_is_staff"] is True
    note = client.post(f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "cable stock low", "internal": True},
                       headers=hank)
    assert note.status_code == 201
    seen_by_alice = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=alice).json()
    assert [c["body"] for c in seen_by_alice] == ["Try another cable"]
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=alice).json()["first_responded_at"] is not None


def test_a_requester_cannot_reach_another_requesters_ticket(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, bob = login("alice@example.org"), login("bob@example.org")
    ticket_id = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    assert client.get(f"/api/v1/tickets/{ticket_id}", headers=bob).status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket_id}/comments", headers=bob).status_code == 404
    comment = client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "mine now"}, headers=bob)
    assert comment.status_code == 404
    assert client.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "closed"}, headers=bob).status_code == 404
    assert client.get("/api/v1/tickets", headers=bob).json()["items"] == []
    upload = client.post(f"/api/v1/tickets/{ticket_id}/attachments", files={"file": ("x.txt", b"hi")}, headers=bob)
    assert upload.status_code == 404
    # Alice herself may read but not change fields.
    assert client.patch(f"/api/v1/tickets/{ticket_id}", json={"priority": "critical"}, headers=alice).status_code == 403


def test_idempotency_key_returns_the_same_ticket(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice | key)
    again = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice | key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(client.get("/api/v1/tickets", headers=alice).json()["items"]) == 1
    different = client.post("/api/v1/tickets", json=NEW_TICKET | {"title": "Other problem"}, headers=alice | key)
    assert different.status_code == 409
    # Keys belong to a user: Bob's identical key is his own.
    bob = login("bob@example.org")
    assert client.post("/api/v1/tickets", json=NEW_TICKET, headers=bob | key).json()["id"] != first.json()["id"]


def test_invalid_input_is_422_with_field_errors_and_creates_nothing(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    response = client.post("/api/v1/tickets", json={"title": "x", "description": "y", "priority": "urgent"},
                           headers=alice)
    assert response.status_code == 422
    assert set(response.json()["errors"]) >= {"title", "description", "priority"}
    bad_category = client.post("/api/v1/tickets", json=NEW_TICKET | {"category_id": 424242}, headers=alice)
    assert bad_category.status_code == 422 and "category_id" in bad_category.json()["errors"]
    bad_cursor = client.get("/api/v1/tickets", params={"cursor": "garbage"}, headers=alice)
    assert bad_cursor.status_code == 422
    assert client.get("/api/v1/tickets", headers=alice).json()["items"] == []


def test_attachments_upload_and_download_with_permissions(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, bob, hank = login("alice@example.org"), login("bob@example.org"), login("hank@example.org")
    created = client.post("/api/v1/tickets", json=NEW_TICKET | {"category_id": org.hardware}, headers=alice)
    ticket_id = created.json()["id"]
    upload = client.post(f"/api/v1/tickets/{ticket_id}/attachments",
                         files={"file": ("../error <1>.png", b"\x89PNG fake", "image/png")}, headers=alice)
    assert upload.status_code == 201, upload.text
    attachment = upload.json()
    assert attachment["filename"] == "error _1_.png" and attachment["size_bytes"] == 9
    download = client.get(f"/api/v1/attachments/{attachment['id']}", headers=hank)
    assert download.status_code == 200 and download.content == b"\x89PNG fake"
    assert download.headers["content-disposition"].startswith("attachment")
    assert client.get(f"/api/v1/attachments/{attachment['id']}", headers=bob).status_code == 404
    empty = client.post(f"/api/v1/tickets/{ticket_id}/attachments", files={"file": ("e.txt", b"")}, headers=alice)
    assert empty.status_code == 422


def test_pagination_through_the_api(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    for i in range(7):
        client.post("/api/v1/tickets", json=NEW_TICKET | {"title": f"Problem number {i}"}, headers=alice)
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/tickets", params=params, headers=alice).json()
        seen += [t["number"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 7


def test_logout_revokes_the_token(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    assert client.get("/api/v1/auth/me", headers=alice).json()["role"] == "requester"
    assert client.post("/api/v1/auth/logout", headers=alice).status_code == 204
    assert client.get("/api/v1/auth/me", headers=alice).status_code == 401


def test_health_ready_and_openapi(client: TestClient, test_env) -> None:  # noqa: ANN001
    assert client.get("/health").json()["status"] == "healthy"
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["dependencies"] == {"database": "healthy", "redis": "healthy"}
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/auth/login", "/api/v1/tickets", "/api/v1/tickets/{ticket_id}"} <= set(spec["paths"])


def test_ready_is_503_when_redis_is_down(client: TestClient, test_env, monkeypatch) -> None:  # noqa: ANN001
    from helpdesk.core import cache, settings

    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    settings.reset_settings_cache()
    cache.reset_redis_client()
    try:
        response = client.get("/ready")
        assert response.status_code == 503
        assert response.json()["dependencies"]["redis"] == "unhealthy"
    finally:
        monkeypatch.undo()
        settings.reset_settings_cache()
        cache.reset_redis_client()


def test_a_request_while_the_session_store_is_down_is_a_retryable_503(client: TestClient, org: Org, login,  # noqa: ANN001
                                                                      monkeypatch) -> None:  # noqa: ANN001
    from helpdesk.core import cache, settings

    alice = login("alice@example.org")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    settings.reset_settings_cache()
    cache.reset_redis_client()
    try:
        response = client.get("/api/v1/tickets", headers=alice)
        assert response.status_code == 503 and response.headers["retry-after"]
        assert "unavailable" in response.json()["detail"]
    finally:
        monkeypatch.undo()
        settings.reset_settings_cache()
        cache.reset_redis_client()
    assert client.get("/api/v1/tickets", headers=alice).status_code == 200


def test_a_person_reads_and_changes_their_own_language(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice = login("alice@example.org")
    assert client.get("/api/v1/auth/me", headers=alice).json()["language"] == "en"
    changed = client.patch("/api/v1/auth/me", json={"language": "ur"}, headers=alice)
    assert changed.status_code == 200 and changed.json()["language"] == "ur"
    assert client.get("/api/v1/auth/me", headers=alice).json()["language"] == "ur"  # the cached actor was dropped
    assert client.patch("/api/v1/auth/me", json={"language": "fr"}, headers=alice).status_code == 422
    assert client.patch("/api/v1/auth/me", json={"language": "en"}).status_code == 401
