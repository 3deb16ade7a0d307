"""REST API v1: tags, saved views, macros and the bulk actions built on them (issue #18)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import AuditLog, Comment, Team
from tests.factories import Org

NEW_TICKET = {"title": "VPN drops every hour", "description": "The VPN disconnects every hour since Monday."}


def file_ticket(client: TestClient, headers: dict[str, str], **fields) -> dict:  # noqa: ANN003
    response = client.post("/api/v1/tickets", json=NEW_TICKET | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_tags_on_a_ticket_filter_and_suggestions(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, ada = login("alice@example.org"), login("hank@example.org"), login("ada@example.org")
    ticket = file_ticket(client, alice, category_id=org.hardware)
    other = file_ticket(client, alice, category_id=org.hardware, title="Printer jams on tray two")
    url = f"/api/v1/tickets/{ticket['id']}/tags"

    added = client.post(url, json={"names": ["VPN", "Remote Work"]}, headers=hank)
    assert added.status_code == 200, added.text
    assert added.json() == {"tags": ["remote-work", "vpn"], "changed": ["vpn", "remote-work"]}
    assert client.post(url, json={"names": ["vpn"]}, headers=hank).json()["changed"] == []
    bad = client.post(url, json={"names": ["no!"]}, headers=hank)
    assert bad.status_code == 422 and "letters and digits" in bad.text
    assert client.post(url, json={"names": []}, headers=hank).status_code == 422
    assert client.post(url, json={"names": ["mine"]}, headers=alice).status_code == 403
    assert client.post(url, json={"names": ["mine"]}, headers=ada).status_code == 404
    assert client.get(url, headers=alice).status_code == 403
    assert client.get(url, headers=hank).json() == ["remote-work", "vpn"]

    listed = client.get("/api/v1/tickets", params={"tag": "VPN"}, headers=hank).json()["items"]
    assert [(t["id"], t["tags"]) for t in listed] == [(ticket["id"], ["remote-work", "vpn"])]
    assert client.get("/api/v1/tickets", params={"tag": "a b!"}, headers=hank).status_code == 422
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=hank).json()["tags"] == ["remote-work", "vpn"]
    assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=alice).json()["tags"] == []

    client.post(f"/api/v1/tickets/{other['id']}/tags", json={"names": ["vpn"]}, headers=hank)
    assert client.get("/api/v1/tags", headers=hank).json() == [{"name": "vpn", "uses": 2},
                                                               {"name": "remote-work", "uses": 1}]
    assert [t["name"] for t in client.get("/api/v1/tags", params={"q": "re"}, headers=hank).json()] == [
        "remote-work"]
    assert client.get("/api/v1/tags", headers=alice).status_code == 403

    removed = client.delete(f"{url}/Remote%20Work", headers=hank)
    assert removed.json() == {"tags": ["vpn"], "changed": ["remote-work"]}
    assert client.delete(f"{url}/remote-work", headers=hank).json()["changed"] == []


def test_bulk_actions_say_what_changed_and_why_some_were_skipped(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, root = login("alice@example.org"), login("hank@example.org"), login("root@example.org")
    first = file_ticket(client, alice, category_id=org.hardware)
    second = file_ticket(client, alice, category_id=org.laptops)
    closed = file_ticket(client, alice, category_id=org.hardware)
    unseen = file_ticket(client, alice, category_id=org.access)
    assert client.patch(f"/api/v1/tickets/{closed['id']}", json={"status": "closed"}, headers=root).status_code == 200
    ids = [first["id"], second["id"], closed["id"], unseen["id"]]

    tagged = client.post("/api/v1/tickets/bulk/tags", json={"ticket_ids": ids, "names": ["Outage"]}, headers=hank)
    assert tagged.status_code == 200, tagged.text
    assert tagged.json()["updated"] == [first["id"], second["id"]]
    assert {f["ticket_id"]: f["reason"] for f in tagged.json()["failed"]} == {closed["id"]: "closed",
                                                                              unseen["id"]: "not found"}
    priority = client.post("/api/v1/tickets/bulk", json={"ticket_ids": ids, "changes": {"priority": "high"}},
                           headers=hank).json()
    assert priority["updated"] == [first["id"], second["id"]] and len(priority["failed"]) == 2
    again = client.post("/api/v1/tickets/bulk", json={"ticket_ids": ids[:2], "changes": {"priority": "high"}},
                        headers=hank).json()
    assert (again["updated"], again["unchanged"]) == ([], ids[:2])
    team = client.post("/api/v1/tickets/bulk", json={"ticket_ids": ids[:2], "changes": {"team_id": org.access_team,
                                                                                       "assignee_id": None}},
                       headers=hank).json()
    assert team["updated"] == ids[:2]
    assert client.post("/api/v1/tickets/bulk/tags", json={"ticket_ids": ids, "names": ["x"]},
                       headers=alice).status_code == 403


def test_saved_views_rest(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, ada = login("alice@example.org"), login("hank@example.org"), login("ada@example.org")
    mona = login("mona@example.org")
    mine = file_ticket(client, alice, category_id=org.hardware)
    client.patch(f"/api/v1/tickets/{mine['id']}", json={"assignee_id": org.hank}, headers=hank)
    file_ticket(client, alice, category_id=org.hardware, title="Someone else's VPN problem")
    client.post(f"/api/v1/tickets/{mine['id']}/tags", json={"names": ["vpn"]}, headers=hank)

    created = client.post("/api/v1/views", json={"name": "My VPN", "filters": {"tag": "VPN", "assignee": "me",
                                                                                 "tab": "all", "sort": "oldest"}},
                          headers=hank)
    assert created.status_code == 201, created.text
    view = created.json()
    assert (view["scope"], view["can_edit"], view["filters"]["tag"]) == ("personal", True, "vpn")
    shown = client.get(f"/api/v1/views/{view['id']}/tickets", headers=hank).json()["items"]
    assert [t["id"] for t in shown] == [mine["id"]]

    denied = client.post("/api/v1/views", json={"name": "For all", "shared": True, "filters": {}}, headers=hank)
    assert denied.status_code == 403 and "managers and admins" in denied.json()["detail"]
    bad = client.post("/api/v1/views", json={"name": "Bad", "filters": {"tab": "pending"}}, headers=hank)
    assert bad.status_code == 422 and "tab" in str(bad.json()["errors"])
    assert client.post("/api/v1/views", json={"name": "Mine", "filters": {}}, headers=alice).status_code == 403
    assert client.get(f"/api/v1/views/{view['id']}", headers=ada).status_code == 404

    shared = client.post("/api/v1/views", json={"name": "Hardware new", "shared": True, "team_id": org.hardware_team,
                                                 "filters": {"tab": "new"}}, headers=mona)
    assert shared.status_code == 201 and shared.json()["scope"] == "team"
    assert [v["name"] for v in client.get("/api/v1/views", headers=hank).json()] == ["My VPN", "Hardware new"]
    assert [v["name"] for v in client.get("/api/v1/views", headers=ada).json()] == []
    assert client.patch(f"/api/v1/views/{shared.json()['id']}", json={"name": "Mine now"},
                        headers=hank).status_code == 403

    renamed = client.patch(f"/api/v1/views/{view['id']}", json={"name": "My VPN, oldest first"}, headers=hank)
    assert renamed.status_code == 200 and renamed.json()["name"] == "My VPN, oldest first"
    assert client.delete(f"/api/v1/views/{view['id']}", headers=hank).status_code == 204
    assert client.get(f"/api/v1/views/{view['id']}", headers=hank).status_code == 404
    with session_scope() as session:
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity_type == "saved_view")
                               .order_by(AuditLog.id)).all()
    assert actions == ["saved_view.create", "saved_view.create", "saved_view.update", "saved_view.delete"]


def test_macros_rest(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, root = login("alice@example.org"), login("hank@example.org"), login("root@example.org")
    mona = login("mona@example.org")
    with session_scope() as session:
        team = session.get(Team, org.hardware_team)
        team.lead_id = org.hank
        session.add(team)
    ticket = file_ticket(client, alice, category_id=org.hardware)
    closed = file_ticket(client, alice, category_id=org.hardware)
    client.patch(f"/api/v1/tickets/{closed['id']}", json={"status": "closed"}, headers=root)
    actions = {"status": "waiting_on_customer", "assignee": "me", "add_tags": ["needs-info"],
               "reply": "Hi {{ requester.first_name }}, which VPN client version do you use?"}

    shared = client.post("/api/v1/macros", json={"name": "Ask VPN version", "personal": False, "actions": actions},
                         headers=root)
    assert shared.status_code == 201, shared.text
    assert shared.json()["summary"] == "status → waiting on customer, assign to me, tag +needs-info, public reply"
    denied = client.post("/api/v1/macros", json={"name": "Team one", "personal": False, "actions": actions},
                         headers=hank)
    assert denied.status_code == 403  # even a team lead: shared macros are the admins'
    assert client.post("/api/v1/macros", json={"name": "Manager", "actions": actions}, headers=mona).status_code == 403
    nothing = client.post("/api/v1/macros", json={"name": "Nothing", "actions": {}}, headers=hank)
    assert nothing.status_code == 422 and "at least one" in str(nothing.json()["errors"])
    personal = client.post("/api/v1/macros", json={"name": "Mine", "actions": {"priority": "low"}}, headers=hank)
    assert personal.status_code == 201 and personal.json()["personal"] is True

    listed = client.get("/api/v1/macros", params={"ticket_id": ticket["id"]}, headers=hank).json()
    assert [(m["name"], m["can_edit"]) for m in listed] == [("Mine", True), ("Ask VPN version", False)]
    assert client.patch(f"/api/v1/macros/{shared.json()['id']}", json={"name": "Mine!"},
                        headers=hank).status_code == 403

    applied = client.post(f"/api/v1/tickets/{ticket['id']}/apply-macro", json={"macro_id": shared.json()["id"]},
                          headers=hank)
    assert applied.status_code == 200, applied.text
    result = applied.json()
    assert (result["fields"], result["tags_added"], result["replied"]) == (["assignee_id", "status"],
                                                                          ["needs-info"], True)
    assert (result["ticket"]["status"], result["ticket"]["assignee_id"]) == ("waiting_on_customer", org.hank)
    with session_scope() as session:
        body = session.exec(select(Comment.body).where(Comment.ticket_id == ticket["id"])).one()
    assert body == "Hi Alice, which VPN client version do you use?"
    refused = client.post(f"/api/v1/tickets/{closed['id']}/apply-macro", json={"macro_id": shared.json()["id"]},
                          headers=hank)
    assert refused.status_code == 422 and "closed" in refused.text
    assert client.post(f"/api/v1/tickets/{ticket['id']}/apply-macro", json={"macro_id": shared.json()["id"]},
                       headers=mona).status_code == 403

    bulk = client.post(f"/api/v1/macros/{personal.json()['id']}/apply",
                       json={"ticket_ids": [ticket["id"], closed["id"], 987654]}, headers=hank).json()
    assert bulk["updated"] == [ticket["id"]]
    assert {f["ticket_id"]: f["reason"] for f in bulk["failed"]} == {closed["id"]: "closed", 987654: "not found"}
    assert client.delete(f"/api/v1/macros/{personal.json()['id']}", headers=hank).status_code == 204
    assert client.get(f"/api/v1/macros/{personal.json()['id']}", headers=hank).status_code == 404
