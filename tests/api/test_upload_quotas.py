"""Issue #13: uploads have per-ticket and per-person quotas (administrators' settings, defaults from the
environment) and a size limit enforced before a large body is taken in; over any of them the answer is 413 with a
reason, and nothing is stored."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from helpdesk.admin import settings as admin_settings
from helpdesk.core import settings
from helpdesk.core.db import session_scope
from helpdesk.models import Attachment
from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}
MB = 1024 * 1024


def _stored() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(Attachment)).one()


def _upload(client: TestClient, ticket_id: int, headers: dict, size: int, name: str = "trace.log"):  # noqa: ANN202
    return client.post(f"/api/v1/tickets/{ticket_id}/attachments", files={"file": (name, b"x" * size)},
                       headers=headers)


def test_a_ticket_holds_at_most_its_quota(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    with session_scope() as session:
        admin_settings.save(session, org.actor(org.root), {"attachment_ticket_quota_mb": 1})
    alice = login("alice@example.org")
    ticket_id = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    assert _upload(client, ticket_id, alice, 600 * 1024).status_code == 201
    refused = _upload(client, ticket_id, alice, 600 * 1024)
    assert refused.status_code == 413
    assert "a ticket holds at most 1 MB" in refused.json()["errors"]["attachments"]
    assert _stored() == 1
    # Another ticket has room of its own.
    other = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    assert _upload(client, other, alice, 600 * 1024).status_code == 201


def test_a_person_uploads_at_most_the_daily_quota(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    with session_scope() as session:
        admin_settings.save(session, org.actor(org.root), {"attachment_daily_quota_mb": 1})
    alice, bob = login("alice@example.org"), login("bob@example.org")
    first = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    second = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    assert _upload(client, first, alice, 700 * 1024).status_code == 201
    refused = _upload(client, second, alice, 700 * 1024)
    assert refused.status_code == 413 and "the limit is 1 MB a day" in refused.json()["errors"]["attachments"]
    bobs = client.post("/api/v1/tickets", json=NEW_TICKET, headers=bob).json()["id"]
    assert _upload(client, bobs, bob, 700 * 1024).status_code == 201
    assert _stored() == 2


@pytest.fixture
def small_files(monkeypatch: pytest.MonkeyPatch, test_env) -> Iterator[int]:  # noqa: ANN001
    monkeypatch.setenv("MAX_ATTACHMENT_BYTES", str(MB))
    settings.reset_settings_cache()
    yield MB
    monkeypatch.delenv("MAX_ATTACHMENT_BYTES")
    settings.reset_settings_cache()


def test_a_file_over_the_size_limit_is_413_and_not_stored(client: TestClient, org: Org, login,  # noqa: ANN001
                                                          small_files: int) -> None:
    alice = login("alice@example.org")
    ticket_id = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    # Past the request limit (the file plus its multipart wrapping): refused on its Content-Length.
    whole = _upload(client, ticket_id, alice, 2 * small_files)
    assert whole.status_code == 413 and "larger than this endpoint accepts" in whole.json()["detail"]
    # Within the wrapping allowance but over the file limit: measured while stored, refused, nothing kept.
    just_over = _upload(client, ticket_id, alice, small_files + 10)
    assert just_over.status_code == 413 and "larger than 1 MB" in just_over.json()["errors"]["attachments"]
    assert _stored() == 0
    assert _upload(client, ticket_id, alice, small_files).status_code == 201
    # No file part at all, or a body that is not multipart: 422 with the reason.
    empty = client.post(f"/api/v1/tickets/{ticket_id}/attachments", data={"note": "x"}, headers=alice)
    assert empty.status_code == 422 and "part named `file`" in empty.json()["errors"]["file"]
