"""Issue #13, finding "14 server errors, all PostgreSQL data errors (ids beyond bigint, NUL bytes in text)": every
value PostgreSQL cannot store is refused at the door with 422 and a reason, and nothing changes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import Comment, Ticket, TicketEvent
from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}
BEYOND_BIGINT = 2**63
BEYOND_INT = 2**31


@pytest.fixture
def strict_client(client: TestClient) -> TestClient:
    """A server error answers 500 here (as it would to a browser) instead of raising inside the test."""
    return TestClient(client.app, raise_server_exceptions=False)


def _counts() -> tuple[int, int, int]:
    with session_scope() as session:
        return tuple(session.exec(select(func.count()).select_from(model)).one()
                     for model in (Ticket, Comment, TicketEvent))


def _refused(response, field: str, words: str) -> None:  # noqa: ANN001
    assert response.status_code == 422, response.text
    message = response.json()["errors"][field]
    assert words in message, message


def test_ids_beyond_the_columns_range_are_422_with_a_reason(strict_client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    ticket_id = strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"category_id": org.hardware},
                                   headers=alice).json()["id"]
    before = _counts()

    _refused(strict_client.get(f"/api/v1/tickets/{BEYOND_BIGINT}", headers=alice), "ticket_id",
             "at most 9223372036854775807")
    _refused(strict_client.get(f"/api/v1/tickets/{2**70}/comments", headers=alice), "ticket_id", "at most")
    _refused(strict_client.get(f"/api/v1/attachments/{BEYOND_BIGINT}", headers=alice), "attachment_id", "at most")
    _refused(strict_client.get("/api/v1/tickets", params={"team_id": BEYOND_BIGINT}, headers=hank), "team_id",
             "at most 2147483647")
    _refused(strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"category_id": BEYOND_BIGINT}, headers=alice),
             "category_id", "at most 2147483647")
    _refused(strict_client.patch(f"/api/v1/tickets/{ticket_id}", json={"team_id": BEYOND_INT}, headers=hank),
             "team_id", "at most 2147483647")
    _refused(strict_client.patch(f"/api/v1/tickets/{ticket_id}", json={"assignee_id": BEYOND_BIGINT}, headers=hank),
             "assignee_id", "at most")
    _refused(strict_client.post(f"/api/v1/tickets/{ticket_id}/merge", json={"into": BEYOND_BIGINT}, headers=hank),
             "into", "at most")
    _refused(strict_client.post("/api/v1/tickets/bulk", json={"ticket_ids": [ticket_id, BEYOND_BIGINT],
                                                              "changes": {"priority": "high"}}, headers=hank),
             "ticket_ids.1", "at most")
    _refused(strict_client.get("/api/v1/kb/search", params={"q": "vpn", "category_id": BEYOND_INT}, headers=alice),
             "category_id", "at most")
    _refused(strict_client.post(f"/api/v1/tickets/{ticket_id}/canned-responses/{BEYOND_INT}/render", headers=hank),
             "response_id", "at most 2147483647")
    _refused(strict_client.get("/api/v1/tickets/0", headers=alice), "ticket_id", "at least 1")

    assert _counts() == before
    assert strict_client.get(f"/api/v1/tickets/{ticket_id}", headers=hank).json()["team"] == "Hardware"


def test_nul_and_control_characters_are_422_with_a_reason(strict_client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    ticket_id = strict_client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    before = _counts()

    _refused(strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"title": "Printer\x00 jams"}, headers=alice),
             "title", "single line without control characters")
    _refused(strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"title": "Two\nlines here"}, headers=alice),
             "title", "single line")
    _refused(strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"description": "It broke\x00 again today"},
                                headers=alice), "description", "must not contain control characters")
    _refused(strict_client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "see\x00this"}, headers=alice),
             "body", "must not contain control characters")
    _refused(strict_client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "bell \x07"}, headers=alice),
             "body", "control characters")
    _refused(strict_client.patch(f"/api/v1/tickets/{ticket_id}", json={"title": "New\x00title"}, headers=hank),
             "title", "single line")
    _refused(strict_client.get("/api/v1/tickets", params={"q": "print\x00er"}, headers=hank), "q", "single line")
    _refused(strict_client.get("/api/v1/tickets", params={"status": "new\x00"}, headers=hank), "status.0",
             "single line")
    _refused(strict_client.get("/api/v1/kb/articles/vpn%00setup", headers=alice), "path",
             "must not contain control characters")
    _refused(strict_client.get("/api/v1/reports/sla%0Aweekly", headers=alice), "path", "control characters")
    _refused(strict_client.get("/api/v1/kb/search", params={"q": "vpn\x00"}, headers=alice), "q", "single line")
    _refused(strict_client.post("/api/v1/kb/deflections", json={"query": "vpn\x00", "outcome": "solved"},
                                headers=alice), "query", "control characters")
    # Not UTF-8 (a lone surrogate escaped in JSON): refused the same way.
    lone = strict_client.post(f"/api/v1/tickets/{ticket_id}/comments", content=b'{"body": "x \\ud800 y"}',
                              headers=alice | {"content-type": "application/json"})
    _refused(lone, "body", "UTF-8")

    assert _counts() == before
    # Tab and line breaks stay welcome in multi-line text.
    kept = strict_client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Steps:\n\t1. reboot\r\n"},
                              headers=alice)
    assert kept.status_code == 201 and kept.json()["body"] == "Steps:\n\t1. reboot"


def test_over_long_text_is_422_with_a_reason(strict_client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    before = _counts()
    _refused(strict_client.post("/api/v1/tickets", json=NEW_TICKET | {"title": "x" * 201}, headers=alice), "title",
             "too long (at most 200 characters)")
    _refused(strict_client.get("/api/v1/tickets", params={"q": "x" * 501}, headers=hank), "q", "at most 500")
    assert _counts() == before


def test_the_openapi_schema_states_the_bounds(strict_client: TestClient, test_env) -> None:  # noqa: ANN001
    spec = strict_client.get("/api/openapi.json").json()
    ticket_id = next(p for p in spec["paths"]["/api/v1/tickets/{ticket_id}"]["get"]["parameters"]
                     if p["name"] == "ticket_id")
    assert ticket_id["schema"]["minimum"] == 1 and ticket_id["schema"]["maximum"] == 2**63 - 1
    title = spec["components"]["schemas"]["TicketCreate"]["properties"]["title"]
    assert title["maxLength"] == 200 and "\\x00" in title["pattern"]
