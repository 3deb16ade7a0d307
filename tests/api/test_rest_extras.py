"""REST API v1 agent tools: canned responses, merge, related tickets, bulk changes and availability."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import CannedResponse, OutboxJob, Ticket, User
from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}


def file_ticket(client: TestClient, headers: dict[str, str], **fields) -> dict:  # noqa: ANN003
    response = client.post("/api/v1/tickets", json=NEW_TICKET | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def add_response(org: Org, title: str, body: str, team_id: int | None = None) -> int:
    """Stored directly, as an admin screen or an import would (the service's own checks are tested elsewhere)."""
    with session_scope() as session:
        response = CannedResponse(title=title, body=body, team_id=team_id, created_by_id=org.root)
        session.add(response)
        session.flush()
        return response.id


def test_canned_responses_are_listed_and_rendered_for_a_ticket(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, ada = login("alice@example.org"), login("hank@example.org"), login("ada@example.org")
    mona = login("mona@example.org")
    greeting = add_response(org, "Need more details", "Hello {{ requester.first_name }}, about #{{ ticket.number }}: "
                                                      "more details please. {{ agent.first_name }}, {{ team.name }}")
    add_response(org, "Password reset done", "Reset.", team_id=org.access_team)
    typo = add_response(org, "Typo", "Hello {{ requester.firstname }}")
    escape = add_response(org, "Escape", "{{ ''.__class__.__mro__ }}")
    ticket = file_ticket(client, alice, category_id=org.hardware)
    url = f"/api/v1/tickets/{ticket['id']}/canned-responses"

    listed = client.get(url, headers=hank)
    assert listed.status_code == 200
    assert [r["title"] for r in listed.json()] == ["Escape", "Need more details", "Typo"]
    assert listed.json()[1]["team_id"] is None and "{{ requester.first_name }}" in listed.json()[1]["body"]

    rendered = client.post(f"{url}/{greeting}/render", headers=hank)
    assert rendered.status_code == 200
    assert rendered.json() == {"body": f"Hello Alice, about #{ticket['number']}: more details please. Hank, Hardware"}

    unknown = client.post(f"{url}/{typo}/render", headers=hank)
    assert unknown.status_code == 422 and "{{ requester.firstname }}" in unknown.json()["errors"]["body"]
    blocked = client.post(f"{url}/{escape}/render", headers=hank)
    assert blocked.status_code == 422 and "mro" not in blocked.text and "object" not in blocked.json()["errors"]["body"]

    assert client.get(url, headers=alice).status_code == 403
    assert client.get(url, headers=mona).status_code == 403
    assert client.get(url, headers=ada).status_code == 404
    assert client.post(f"{url}/{greeting}/render", headers=alice).status_code == 403
    assert client.post(f"{url}/424242/render", headers=hank).status_code == 404


def test_merge_moves_the_conversation_and_the_requester_follows(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, bob, hank = login("alice@example.org"), login("bob@example.org"), login("hank@example.org")
    duplicate = file_ticket(client, alice, category_id=org.hardware, title="My screen is blank")
    target = file_ticket(client, bob, category_id=org.hardware)
    client.post(f"/api/v1/tickets/{duplicate['id']}/comments", json={"body": "Still blank after reboot"}, headers=alice)
    client.post(f"/api/v1/tickets/{target['id']}/comments", json={"body": "Known issue", "internal": True},
                headers=hank)

    assert client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": target["id"]},
                       headers=alice).status_code == 404  # Alice can't see Bob's ticket at all
    itself = client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": duplicate["id"]}, headers=hank)
    assert itself.status_code == 422 and "into" in itself.json()["errors"]

    merged = client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": target["id"]}, headers=hank)
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["moved_comments"] == 1 and body["moved_attachments"] == 0
    assert body["duplicate"]["status"] == "closed" and body["duplicate"]["merged_into_id"] == target["id"]
    assert body["duplicate"]["merged_into_number"] == target["number"]

    assert client.get(f"/api/v1/tickets/{target['id']}", headers=alice).status_code == 200
    seen_by_alice = [c["body"] for c in client.get(f"/api/v1/tickets/{target['id']}/comments", headers=alice).json()]
    assert seen_by_alice == ["Still blank after reboot"]  # no internal notes, not even the merge note
    seen_by_hank = [c["body"] for c in client.get(f"/api/v1/tickets/{target['id']}/comments", headers=hank).json()]
    assert len(seen_by_hank) == 3 and seen_by_hank[-1].startswith(f"Merged #{duplicate['number']} into this ticket")
    listed = {t["id"] for t in client.get("/api/v1/tickets", headers=alice).json()["items"]}
    assert listed == {duplicate["id"], target["id"]}
    with session_scope() as session:
        assert session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.ticket_merged")).one().args == {
            "duplicate_id": duplicate["id"], "target_id": target["id"]}

    again = client.post(f"/api/v1/tickets/{duplicate['id']}/merge", json={"into": target["id"]}, headers=hank)
    assert again.status_code == 422 and "ticket_id" in again.json()["errors"]


def test_links_are_added_listed_and_removed(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, ada = login("alice@example.org"), login("hank@example.org"), login("ada@example.org")
    first = file_ticket(client, alice, category_id=org.hardware, title="Printer jams")
    second = file_ticket(client, alice, category_id=org.hardware, title="Printer error 42")
    access = file_ticket(client, alice, category_id=org.access, title="VPN keeps dropping")
    links_url = f"/api/v1/tickets/{first['id']}/links"

    added = client.post(links_url, json={"related_ticket_id": second["id"]}, headers=hank)
    assert added.status_code == 201
    assert added.json() == [{"id": second["id"], "number": second["number"], "title": "Printer error 42",
                             "status": "new"}]
    assert client.post(links_url, json={"related_ticket_id": second["id"]}, headers=hank).status_code == 200
    assert [t["id"] for t in client.get(f"/api/v1/tickets/{second['id']}/links", headers=hank).json()] == [first["id"]]
    assert [t["id"] for t in client.get(links_url, headers=alice).json()] == [second["id"]]

    assert client.post(links_url, json={"related_ticket_id": access["id"]}, headers=hank).status_code == 404
    assert client.post(links_url, json={"related_ticket_id": second["id"]}, headers=alice).status_code == 403
    assert client.get(links_url, headers=ada).status_code == 404
    same = client.post(links_url, json={"related_ticket_id": first["id"]}, headers=hank)
    assert same.status_code == 422 and "related_ticket_id" in same.json()["errors"]

    assert client.delete(f"{links_url}/{second['id']}", headers=hank).status_code == 204
    assert client.get(links_url, headers=hank).json() == []
    assert client.delete(f"{links_url}/{second['id']}", headers=hank).status_code == 404


def test_bulk_changes_report_each_tickets_outcome(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    open_one = file_ticket(client, alice, category_id=org.hardware)
    closed = file_ticket(client, alice, category_id=org.hardware, title="Old keyboard issue")
    access = file_ticket(client, alice, category_id=org.access, title="VPN keeps dropping")
    assert client.patch(f"/api/v1/tickets/{closed['id']}", json={"status": "closed"}, headers=hank).status_code == 200

    ids = [open_one["id"], closed["id"], access["id"], 987654]
    response = client.post("/api/v1/tickets/bulk", json={"ticket_ids": ids, "changes": {"status": "in_progress"}},
                           headers=hank)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["updated"] == [open_one["id"]]
    reasons = {failure["ticket_id"]: failure["reason"] for failure in result["failed"]}
    assert reasons[access["id"]] == reasons[987654] == "not found"
    assert "closed" in reasons[closed["id"]]
    with session_scope() as session:
        assert session.get(Ticket, open_one["id"]).status == "in_progress"
        assert session.get(Ticket, closed["id"]).status == "closed"

    denied = client.post("/api/v1/tickets/bulk", json={"ticket_ids": [open_one["id"]], "changes": {"priority": "low"}},
                         headers=alice)
    assert denied.status_code == 403
    empty = client.post("/api/v1/tickets/bulk", json={"ticket_ids": [], "changes": {"priority": "low"}}, headers=hank)
    assert empty.status_code == 422 and "ticket_ids" in empty.json()["errors"]
    bad = client.post("/api/v1/tickets/bulk", json={"ticket_ids": [open_one["id"]], "changes": {"status": "done"}},
                      headers=hank)
    assert bad.status_code == 422 and "changes.status" in bad.json()["errors"]


def test_agents_set_their_availability(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    response = client.put("/api/v1/me/availability", json={"available": False}, headers=hank)
    assert response.status_code == 200 and response.json() == {"available": False}
    with session_scope() as session:
        assert session.get(User, org.hank).is_available is False
    assert client.put("/api/v1/me/availability", json={"available": True}, headers=hank).json() == {"available": True}
    with session_scope() as session:
        assert session.get(User, org.hank).is_available is True
    assert client.put("/api/v1/me/availability", json={"available": False}, headers=alice).status_code == 403
    assert client.put("/api/v1/me/availability", json={"available": "maybe"}, headers=hank).status_code == 422
    assert client.put("/api/v1/me/availability", json={"available": False}).status_code == 401


def test_the_new_endpoints_are_documented(client: TestClient, org: Org) -> None:
    paths = set(client.get("/api/openapi.json").json()["paths"])
    assert {"/api/v1/tickets/{ticket_id}/canned-responses", "/api/v1/tickets/{ticket_id}/merge",
            "/api/v1/tickets/{ticket_id}/links", "/api/v1/tickets/bulk", "/api/v1/me/availability"} <= paths
