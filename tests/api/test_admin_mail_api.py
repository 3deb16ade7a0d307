"""The e-mail channel's admin routes over REST: mailboxes (the password goes in, never out), the connection test
against the real Dovecot and SMTP servers, held mail; nobody but an administrator's sign-in session gets in."""

from __future__ import annotations

import socket

from fastapi.testclient import TestClient
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.email import intake
from helpdesk.models import AuditLog, Ticket
from tests.factories import Org


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_admin_adds_edits_tests_and_disables_a_mailbox_over_rest(client: TestClient, org: Org, login,  # noqa: ANN001
                                                                      dovecot, inbox) -> None:  # noqa: ANN001
    root = login("root@example.org")
    dovecot.empty()
    bad = client.post("/api/v1/admin/mailboxes", headers=root, json={
        "name": "IT", "address": "nope", "imap_host": "127.0.0.1", "username": dovecot.USER, "secret": ""})
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"address", "secret"}

    created = client.post("/api/v1/admin/mailboxes", headers=root, json={
        "name": "IT inbox", "address": "it@example.org", "imap_host": "127.0.0.1", "imap_port": dovecot.port,
        "imap_tls": False, "username": dovecot.USER, "secret": dovecot.PASSWORD, "team_id": org.hardware_team})
    assert created.status_code == 201, created.text
    mailbox = created.json()
    assert mailbox["has_secret"] is True and "secret" not in mailbox and dovecot.PASSWORD not in created.text

    tested = client.post(f"/api/v1/admin/mailboxes/{mailbox['id']}/test", headers=root).json()
    assert tested["ok"] and tested["imap_ok"] and tested["smtp_ok"], tested

    changed = client.patch(f"/api/v1/admin/mailboxes/{mailbox['id']}", headers=root,
                           json={"imap_port": _closed_port(), "is_active": False})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["is_active"], changed.json()["has_secret"]) == (False, True)
    failed = client.post(f"/api/v1/admin/mailboxes/{mailbox['id']}/test", headers=root).json()
    assert not failed["ok"] and "connection was refused" in failed["imap"]
    listed = client.get("/api/v1/admin/mailboxes", headers=root)
    assert [m["name"] for m in listed.json()] == ["IT inbox"] and dovecot.PASSWORD not in listed.text
    assert client.get("/api/v1/admin/mailboxes/999999", headers=root).status_code == 404
    with session_scope() as session:
        actions = session.exec(select(AuditLog.action).where(AuditLog.entity_type == "mailbox")
                               .order_by(AuditLog.id)).all()
    assert actions == ["mailbox.create", "mailbox.test_connection", "mailbox.update", "mailbox.disable",
                       "mailbox.test_connection"]


def test_an_admin_reviews_held_mail_over_rest(client: TestClient, org: Org, login) -> None:  # noqa: ANN001
    root = login("root@example.org")
    with session_scope() as session:
        for subject in ("Screen cracked", "Free money"):
            intake.ingest(session, f"From: alice@example.org\r\nTo: it@example.org\r\nSubject: {subject}\r\n\r\n"
                                   f"{subject}, see above.\r\n")
    page = client.get("/api/v1/admin/held-mail?limit=1", headers=root).json()
    assert (page["total"], len(page["items"]), page["items"][0]["subject"]) == (2, 1, "Free money")
    older = client.get(f"/api/v1/admin/held-mail?limit=1&cursor={page['next_cursor']}", headers=root).json()
    assert [i["subject"] for i in older["items"]] == ["Screen cracked"] and older["next_cursor"] is None
    spam, screen = page["items"][0]["id"], older["items"][0]["id"]
    assert "unverified sender" in client.get(f"/api/v1/admin/held-mail/{screen}", headers=root).json()["reason"]

    accepted = client.post(f"/api/v1/admin/held-mail/{screen}/accept", headers=root).json()
    assert accepted["outcome"] == "created"
    assert client.post(f"/api/v1/admin/held-mail/{spam}/discard", headers=root).status_code == 204
    assert client.post(f"/api/v1/admin/held-mail/{spam}/discard", headers=root).status_code == 404
    assert client.get("/api/v1/admin/held-mail", headers=root).json()["total"] == 0
    with session_scope() as session:
        ticket = session.get(Ticket, accepted["ticket_id"])
        assert (ticket.title, ticket.requester_id) == ("Screen cracked", org.alice)
