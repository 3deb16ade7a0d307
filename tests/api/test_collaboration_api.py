"""REST API v1 for issue #18's collaboration features: replies with files, filing on behalf, the requester marking a
ticket solved, following, CCs and the notification centre."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import Org

NEW_TICKET = {"title": "Monitor is blank", "description": "Since this morning the monitor shows nothing."}


def file_ticket(client: TestClient, headers: dict[str, str], **fields) -> dict:  # noqa: ANN003
    response = client.post("/api/v1/tickets", json=NEW_TICKET | fields, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_replies_and_notes_carry_files_that_only_the_right_people_download(client: TestClient, org: Org,
                                                                           login) -> None:  # noqa: ANN001
    alice, hank, bob = login("alice@example.org"), login("hank@example.org"), login("bob@example.org")
    ticket = file_ticket(client, alice, category_id=org.hardware)
    url = f"/api/v1/tickets/{ticket['id']}/comments/with-files"

    sent = client.post(url, headers=alice, data={"body": "Photo attached"},
                       files=[("files", ("screen.jpg", b"\xff\xd8\xff jpeg", "image/jpeg"))])
    assert sent.status_code == 201, sent.text
    assert [a["filename"] for a in sent.json()["attachments"]] == ["screen.jpg"]
    assert sent.json()["attachments"][0]["comment_id"] == sent.json()["id"]

    note = client.post(url, headers=hank, data={"body": "Internal log", "internal": "true"},
                       files=[("files", ("trace.txt", b"secret trace", "text/plain"))])
    assert note.status_code == 201 and note.json()["is_internal"] is True
    note_file = note.json()["attachments"][0]["id"]
    assert client.get(f"/api/v1/attachments/{note_file}", headers=hank).content == b"secret trace"
    assert client.get(f"/api/v1/attachments/{note_file}", headers=alice).status_code == 404
    assert client.get(f"/api/v1/attachments/{note_file}", headers=bob).status_code == 404
    assert [a["filename"] for a in client.get(f"/api/v1/tickets/{ticket['id']}/attachments",
                                              headers=alice).json()] == ["screen.jpg"]
    requester_view = client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=alice).json()
    assert [c["body"] for c in requester_view] == ["Photo attached"]

    refused = client.post(url, headers=alice, data={"body": "A note?", "internal": "true"})
    assert refused.status_code == 403
    blocked = client.post(url, headers=alice, data={"body": "Try this"},
                          files=[("files", ("fix.bat", b"del *", "application/octet-stream"))])
    assert blocked.status_code == 422 and "attachments" in blocked.json()["errors"]
    empty = client.post(url, headers=alice, data={"body": "   "})
    assert empty.status_code == 422 and "body" in empty.json()["errors"]
    assert len(client.get(f"/api/v1/tickets/{ticket['id']}/comments", headers=hank).json()) == 2


def test_an_agent_files_for_someone_on_the_phone(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    hank, alice = login("hank@example.org"), login("alice@example.org")
    found = client.get("/api/v1/people", params={"q": "bob"}, headers=hank)
    assert found.status_code == 200 and [p["email"] for p in found.json()] == ["bob@example.org"]
    assert client.get("/api/v1/people", params={"q": "bob"}, headers=alice).status_code == 403

    filed = client.post("/api/v1/tickets/on-behalf", headers=hank,
                        json=NEW_TICKET | {"channel": "phone", "requester_id": found.json()[0]["id"]})
    assert filed.status_code == 201, filed.text
    assert (filed.json()["requester"], filed.json()["source"]) == ("Bob Requester", "phone")

    new = client.post("/api/v1/tickets/on-behalf", headers=hank,
                      json=NEW_TICKET | {"channel": "walk_in",
                                         "new_requester": {"full_name": "Walk Up", "email": "walk.up@example.org"}})
    assert new.status_code == 201 and new.json()["requester"] == "Walk Up"
    twice = client.post("/api/v1/tickets/on-behalf", headers=hank,
                        json=NEW_TICKET | {"channel": "walk_in",
                                           "new_requester": {"full_name": "Walk Up", "email": "walk.up@example.org"}})
    assert twice.status_code == 422 and "requester_email" in twice.json()["errors"]
    bad = client.post("/api/v1/tickets/on-behalf", headers=hank, json=NEW_TICKET | {"channel": "pigeon"})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"channel", "requester"}
    assert client.post("/api/v1/tickets/on-behalf", headers=alice,
                       json=NEW_TICKET | {"channel": "phone", "requester_id": org.bob}).status_code == 403


def test_requester_solves_and_cc_follow_and_notifications(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank, bob = login("alice@example.org"), login("hank@example.org"), login("bob@example.org")
    ticket = file_ticket(client, alice, category_id=org.hardware)
    tid = ticket["id"]

    assert client.put(f"/api/v1/tickets/{tid}/follow", headers=hank).json() == {"following": True}
    assert client.get(f"/api/v1/tickets/{tid}", headers=hank).json()["following"] is True
    assert client.put(f"/api/v1/tickets/{tid}/follow", headers=alice).status_code == 403

    added = client.post(f"/api/v1/tickets/{tid}/cc", headers=alice, json={"email": "bob@example.org"})
    assert added.status_code == 201 and added.json() == [{"user_id": org.bob, "name": "Bob Requester", "email": None}]
    assert client.get(f"/api/v1/tickets/{tid}/cc", headers=hank).json()[0]["email"] == "bob@example.org"
    unknown = client.post(f"/api/v1/tickets/{tid}/cc", headers=alice, json={"email": "ghost@example.org"})
    assert unknown.status_code == 422 and "email" in unknown.json()["errors"]
    assert client.post(f"/api/v1/tickets/{tid}/cc", headers=bob, json={"email": "hank@example.org"}).status_code == 403
    bob_view = client.get(f"/api/v1/tickets/{tid}", headers=bob)
    assert bob_view.status_code == 200 and "alice@example.org" not in bob_view.text

    solved = client.post(f"/api/v1/tickets/{tid}/solve", headers=alice, json={"note": "Works after a restart"})
    assert solved.status_code == 200 and solved.json()["status"] == "resolved"
    assert client.post(f"/api/v1/tickets/{tid}/solve", headers=alice, json={}).status_code == 422
    assert client.post(f"/api/v1/tickets/{tid}/solve", headers=bob, json={}).status_code == 403

    hank_inbox = client.get("/api/v1/me/notifications", headers=hank).json()
    assert [n["kind"] for n in hank_inbox["items"]] == ["solved", "reply"] and hank_inbox["unread"] == 2
    bob_inbox = client.get("/api/v1/me/notifications", headers=bob).json()
    assert [n["kind"] for n in bob_inbox["items"]] == ["solved", "reply", "cc"]
    first = hank_inbox["items"][0]["id"]
    assert client.post(f"/api/v1/me/notifications/{first}/read", headers=bob).status_code == 404
    assert client.post(f"/api/v1/me/notifications/{first}/read", headers=hank).json() == {"unread": 1}
    assert client.get("/api/v1/me/notifications", params={"unread_only": True},
                      headers=hank).json()["items"][0]["kind"] == "reply"
    assert client.post("/api/v1/me/notifications/read-all", headers=hank).json() == {"unread": 0}
    assert client.get("/api/v1/me/notifications/unread-count", headers=hank).json() == {"unread": 0}

    assert client.delete(f"/api/v1/tickets/{tid}/cc/{org.bob}", headers=bob).status_code == 204
    assert client.get(f"/api/v1/tickets/{tid}", headers=bob).status_code == 404
    assert client.delete(f"/api/v1/tickets/{tid}/follow", headers=hank).json() == {"following": False}


def test_notification_paging_and_email_preferences(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    alice, hank = login("alice@example.org"), login("hank@example.org")
    ticket = file_ticket(client, alice, category_id=org.hardware)
    for n in range(3):
        reply = client.post(f"/api/v1/tickets/{ticket['id']}/comments", headers=hank,
                            json={"body": f"Question {n}", "internal": False})
        assert reply.status_code == 201, reply.text
    first = client.get("/api/v1/me/notifications", params={"limit": 2}, headers=alice).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get("/api/v1/me/notifications", params={"limit": 2, "cursor": first["next_cursor"]},
                      headers=alice).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    assert {i["id"] for i in first["items"]}.isdisjoint(i["id"] for i in rest["items"])
    # A cursor past the id column's range is a bad page link (422), not a server error.
    assert client.get("/api/v1/me/notifications", params={"cursor": "9" * 30}, headers=alice).status_code == 422

    mine = client.get("/api/v1/me/notification-preferences", headers=alice).json()["items"]
    assert {i["kind"] for i in mine} == {"request_received", "request_reply", "request_resolved", "request_merged"}
    changed = client.patch("/api/v1/me/notification-preferences", headers=alice,
                           json={"choices": {"request_reply": False}})
    assert changed.status_code == 200, changed.text
    assert {i["kind"]: i["enabled"] for i in changed.json()["items"]}["request_reply"] is False
    # Requesters have no work switches; unknown kinds and extra fields are refused.
    assert client.patch("/api/v1/me/notification-preferences", headers=alice,
                        json={"choices": {"assigned": False}}).status_code == 422
    assert client.patch("/api/v1/me/notification-preferences", headers=hank,
                        json={"choices": {"mention": False}, "user_id": org.alice}).status_code == 422
    staff = client.get("/api/v1/me/notification-preferences", headers=hank).json()["items"]
    assert {i["group"] for i in staff} == {"requests", "work"}
    # Hank's switches are his own: Alice's choice is unchanged by anything he does.
    assert client.patch("/api/v1/me/notification-preferences", headers=hank,
                        json={"choices": {"request_reply": False, "mention": False}}).status_code == 200
    again = client.get("/api/v1/me/notification-preferences", headers=alice).json()["items"]
    assert {i["kind"]: i["enabled"] for i in again}["request_reply"] is False
