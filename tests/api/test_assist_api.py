"""REST API v1 agent assist: similar tickets with a likely duplicate, and the optional LLM summary and reply."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from helpdesk.core import settings
from tests.factories import Org
from tests.llm_server import REPLY_TEXT, SUMMARY_TEXT, FakeLlm

FIRST = {"title": "VPN keeps disconnecting",
         "description": "The VPN drops every 10 minutes when I am working from home."}
SECOND = {"title": "VPN disconnects every few minutes",
          "description": "Working from home today and my VPN connection keeps dropping."}
OTHER = {"title": "Badge does not open the door", "description": "My building badge stopped opening the main door."}


def file(client: TestClient, headers: dict[str, str], body: dict[str, str]) -> dict:
    response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_agents_get_similar_tickets_and_the_duplicate_requesters_get_404(client: TestClient, org: Org,
                                                                          login) -> None:  # noqa: ANN001
    alice, hank, mona = login("alice@example.org"), login("hank@example.org"), login("mona@example.org")
    first, other, second = file(client, alice, FIRST), file(client, alice, OTHER), file(client, alice, SECOND)

    response = client.get(f"/api/v1/tickets/{second['id']}/similar", headers=hank)
    assert response.status_code == 200, response.text
    body = response.json()
    assert [t["number"] for t in body["open"]] == [first["number"]] and body["resolved"] == []
    assert 0 < body["open"][0]["score"] <= 1 and body["open"][0]["resolution"] == ""
    assert body["duplicate"]["ticket"]["id"] == first["id"]
    assert body["duplicate"]["same_requester"] is True and body["duplicate"]["can_merge"] is True
    assert other["id"] not in [t["id"] for t in body["open"]]

    as_manager = client.get(f"/api/v1/tickets/{second['id']}/similar", headers=mona).json()
    assert as_manager["duplicate"]["can_merge"] is False  # managers read everything and change nothing

    # One click in the page is this call: the existing merge endpoint and its rules.
    merged = client.post(f"/api/v1/tickets/{second['id']}/merge", json={"into": first["id"]}, headers=hank)
    assert merged.status_code == 200, merged.text
    after = client.get(f"/api/v1/tickets/{first['id']}/similar", headers=hank).json()
    assert after["open"] == [] and after["duplicate"] is None

    assert client.get(f"/api/v1/tickets/{first['id']}/similar", headers=alice).status_code == 404
    assert client.get(f"/api/v1/tickets/{first['id']}/similar").status_code == 401
    assert client.get("/api/v1/tickets/424242/similar", headers=hank).status_code == 404
    assert client.get(f"/api/v1/tickets/{first['id']}/similar?limit=0", headers=hank).status_code == 422


@pytest.fixture
def fake_llm() -> Iterator[FakeLlm]:
    server = FakeLlm().start()
    os.environ.update({"LLM_BASE_URL": server.base_url, "LLM_MODEL": "tiny-test-model", "LLM_TIMEOUT_SECONDS": "1"})
    settings.reset_settings_cache()
    yield server
    for name in ("LLM_BASE_URL", "LLM_MODEL", "LLM_TIMEOUT_SECONDS"):
        os.environ.pop(name, None)
    settings.reset_settings_cache()
    server.stop()


def test_llm_summary_and_reply_for_agents_with_errors_as_502(client: TestClient, org: Org, login,  # noqa: ANN001
                                                              fake_llm: FakeLlm) -> None:
    alice, hank = login("alice@example.org"), login("hank@example.org")
    ticket = file(client, alice, FIRST)
    url = f"/api/v1/tickets/{ticket['id']}/ai"

    summary = client.post(f"{url}/summary", headers=hank)
    assert summary.status_code == 200, summary.text
    assert summary.json()["text"] == SUMMARY_TEXT and summary.json()["total_tokens"] > 0
    reply = client.post(f"{url}/suggested-reply", headers=hank)
    assert reply.status_code == 200 and reply.json()["text"] == REPLY_TEXT and reply.json()["purpose"] == "reply"
    assert "Authorization" not in fake_llm.headers[-1]  # no key configured, none sent

    assert client.post(f"{url}/summary", headers=alice).status_code == 404
    assert client.post(f"{url}/suggested-reply", headers=alice).status_code == 404
    fake_llm.status = 503
    failed = client.post(f"{url}/summary", headers=hank)
    assert failed.status_code == 502 and "HTTP 503" in failed.json()["detail"]
    assert len(fake_llm.requests) == 3

    metrics = client.get("/metrics").text
    assert 'helpdesk_llm_calls_total{outcome="error",purpose="summary"}' in metrics
    assert 'helpdesk_llm_tokens_total{kind="completion",purpose="reply"}' in metrics


def test_llm_endpoints_are_not_found_when_no_provider_is_configured(client: TestClient, org: Org,
                                                                     login) -> None:  # noqa: ANN001
    settings.reset_settings_cache()
    alice, hank = login("alice@example.org"), login("hank@example.org")
    ticket = file(client, alice, FIRST)
    response = client.post(f"/api/v1/tickets/{ticket['id']}/ai/summary", headers=hank)
    assert response.status_code == 404 and response.json()["detail"] == "The AI assistant is not configured."
