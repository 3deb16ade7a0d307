"""An MTA pipes raw messages to POST /api/v1/email/inbound with the configured bearer token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import Ticket
from tests.factories import Org

RAW = (b"Authentication-Results: mx.test; dmarc=pass header.from=example.org\r\nFrom: alice@example.org\r\n"
       b"To: it@example.org\r\nSubject: Keyboard missing keys\r\nMessage-ID: <kbd-1@example.org>\r\n"
       b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe E and R keys fell off.\r\n")


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from helpdesk.core import settings

    monkeypatch.setenv("EMAIL_INGEST_TOKEN", "pipe-secret-123")
    monkeypatch.setenv("EMAIL_TRUSTED_AUTHSERV_IDS", '["mx.test"]')
    settings.reset_settings_cache()
    yield "pipe-secret-123"
    monkeypatch.undo()
    settings.reset_settings_cache()


def test_a_piped_message_files_a_ticket_once_and_needs_the_token(client: TestClient, org: Org, token: str) -> None:
    url = "/api/v1/email/inbound"
    assert client.post(url, content=RAW).status_code == 401
    assert client.post(url, content=RAW, headers={"Authorization": "Bearer wrong"}).status_code == 401
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"}
    assert client.post(url, content=b"  ", headers=auth).status_code == 422
    assert client.post(f"{url}?mailbox_id=999", content=RAW, headers=auth).status_code == 404

    first = client.post(url, content=RAW, headers=auth)
    again = client.post(url, content=RAW, headers=auth)

    assert first.status_code == 200 and first.json()["outcome"] == "created"
    assert again.json() == {"outcome": "duplicate", "ticket_id": first.json()["ticket_id"],
                            "reason": "already received"}
    with session_scope() as session:
        rows = session.exec(select(Ticket.title, Ticket.requester_id)).all()
    assert rows == [("Keyboard missing keys", org.alice)]


def test_without_a_configured_token_the_endpoint_is_off(client: TestClient, org: Org) -> None:
    response = client.post("/api/v1/email/inbound", content=RAW, headers={"Authorization": "Bearer "})
    assert response.status_code == 404
