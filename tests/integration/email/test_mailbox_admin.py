"""The mailbox console's domain: administrators alone add, edit, enable and test mailboxes and review held mail;
every change is audited, a password never comes back out, the connection test talks to the real IMAP (Dovecot) and
SMTP servers and says what went wrong in the servers' own words."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import select

from helpdesk.core import settings
from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.email import intake, mailboxes
from helpdesk.identity.actor import Actor
from helpdesk.models import AuditLog, Comment, EmailRecord, Mailbox, Ticket
from helpdesk.tickets import tickets
from tests.factories import Org, draft


def closed_port() -> int:
    """A port nothing listens on (bound for a moment by us, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    settings.reset_settings_cache()
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        settings.reset_settings_cache()


def settings_for(dovecot, org: Org, **changes: object) -> dict[str, object]:  # noqa: ANN001
    return {"name": "Service desk", "address": "Desk@Example.org", "imap_host": "127.0.0.1", "imap_port": dovecot.port,
            "imap_tls": False, "username": dovecot.USER, "secret": dovecot.PASSWORD, "folder": "INBOX",
            "processed_folder": "", "team_id": org.access_team, "category_id": org.access} | changes


def audit_rows(action: str) -> list[AuditLog]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)).all())


def unverified(sender: str, subject: str, body: str = "Please help, it broke this morning.") -> str:
    """No verdict from our MTA: the From could be anyone's, so the intake holds it."""
    return f"From: {sender}\r\nTo: it@example.org\r\nSubject: {subject}\r\n\r\n{body}\r\n"


def test_only_administrators_manage_mailboxes_and_review_held_mail(org: Org, mailbox: int) -> None:
    with session_scope() as session:
        held = intake.ingest(session, unverified("alice@example.org", "Reset my token")).record_id
    root = org.actor(org.root)
    token_actor = Actor(root.user_id, root.role, root.full_name, root.email, root.team_ids, scopes=("tickets:read",))
    for someone in (org.actor(org.alice), org.actor(org.hank), org.actor(org.mona), token_actor):
        attempts = [
            lambda s, a: mailboxes.list_mailboxes(s, a),
            lambda s, a: mailboxes.overview(s, a),
            lambda s, a: mailboxes.mailbox_details(s, a, mailbox),
            lambda s, a: mailboxes.create_mailbox(s, a, {"name": "x"}),
            lambda s, a: mailboxes.update_mailbox(s, a, mailbox, {"name": "x"}),
            lambda s, a: mailboxes.set_mailbox_active(s, a, mailbox, False),
            lambda s, a: mailboxes.try_connection(a, mailbox),
            lambda s, a: intake.held_page(s, a),
            lambda s, a: intake.held_message(s, a, held),
            lambda s, a: intake.accept_held(s, a, held),
            lambda s, a: intake.discard_held(s, a, held),
        ]
        for attempt in attempts:
            with session_scope() as session, pytest.raises(PermissionDenied):
                attempt(session, someone)
    with session_scope() as session:
        assert session.get(Mailbox, mailbox).is_active
        assert session.get(EmailRecord, held).outcome == "held"
    assert audit_rows("mailbox.test_connection") == []


def test_a_new_mailbox_is_validated_field_by_field_then_created_and_audited_without_its_password(
        org: Org, dovecot) -> None:  # noqa: ANN001
    root = org.actor(org.root)
    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        mailboxes.create_mailbox(session, root, settings_for(
            dovecot, org, name=" ", address="not-an-address", imap_host="imap host", imap_port="99999", username="",
            secret="", folder="", team_id=10**9, category_id=10**9))
    assert set(refused.value.field_errors) == {"name", "address", "imap_host", "imap_port", "username", "secret",
                                               "folder", "team_id", "category_id"}
    assert "65535" in refused.value.field_errors["imap_port"]
    with session_scope() as session:
        assert session.exec(select(Mailbox)).all() == []

    with session_scope() as session:
        created = mailboxes.create_mailbox(session, root, settings_for(dovecot, org, imap_port=str(dovecot.port)))
        mailbox_id = created.id
    with session_scope() as session, pytest.raises(ValidationFailed) as clash:
        mailboxes.create_mailbox(session, root, settings_for(dovecot, org, name="service DESK"))
    assert clash.value.field_errors == {"name": "A mailbox with this name already exists."}

    with session_scope() as session:
        row = mailboxes.mailbox_details(session, root, mailbox_id)
        assert (row["address"], row["imap_port"], row["team"], row["category"]) == (
            "desk@example.org", dovecot.port, "Access", "Access")
        assert row["has_secret"] is True and "secret" not in row
        assert all(dovecot.PASSWORD not in str(value) for value in row.values())
        assert mailboxes.overview(session, root) == {"mailboxes": 1, "mailboxes_active": 1, "mailboxes_failing": 0,
                                                    "held": 0}
    (entry,) = audit_rows("mailbox.create")
    assert (entry.actor_id, entry.entity_id, entry.details["via"]) == (org.root, str(mailbox_id), "console")
    assert dovecot.PASSWORD not in str(entry.details)


def test_editing_keeps_the_password_unless_a_new_one_is_given_and_a_new_folder_forgets_old_uids(
        org: Org, mailbox: int, dovecot) -> None:  # noqa: ANN001
    root = org.actor(org.root)
    with session_scope() as session:
        row = session.get(Mailbox, mailbox)
        row.uidvalidity, row.last_uid, row.last_error = 7, 42, "IMAP: timed out"
    with session_scope() as session:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(dovecot, org, name="IT inbox", secret="",
                                                                      address=dovecot.USER,
                                                                      team_id=org.hardware_team, category_id=None))
    with session_scope() as session:
        row = session.get(Mailbox, mailbox)
        assert (row.secret, row.uidvalidity, row.last_uid) == (dovecot.PASSWORD, 7, 42)  # nothing that matters
    assert audit_rows("mailbox.update") == []  # nothing changed, nothing recorded

    with session_scope() as session:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(
            dovecot, org, name="IT inbox", address=dovecot.USER, folder="Archive", secret="a new secret",
            team_id=org.hardware_team, category_id=None))
    with session_scope() as session:
        row = session.get(Mailbox, mailbox)
        assert (row.folder, row.secret, row.uidvalidity, row.last_uid, row.last_error) == (
            "Archive", "a new secret", None, 0, "")
    (entry,) = audit_rows("mailbox.update")
    assert entry.details == {"folder": {"from": "INBOX", "to": "Archive"}, "secret": "changed"}

    with session_scope() as session, pytest.raises(ValidationFailed) as refused:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(dovecot, org, processed_folder="Archive",
                                                                      folder="Archive"))
    assert "processed_folder" in refused.value.field_errors
    with session_scope() as session, pytest.raises(NotFound):
        mailboxes.update_mailbox(session, root, 10**9, settings_for(dovecot, org))


def test_a_disabled_mailbox_is_not_polled_and_both_switches_are_audited(org: Org, mailbox: int) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        mailboxes.set_mailbox_active(session, root, mailbox, False)
        mailboxes.set_mailbox_active(session, root, mailbox, False)  # already off: no second entry
    with session_scope() as session:
        assert mailboxes.active_mailbox_ids(session) == []
        mailboxes.set_mailbox_active(session, root, mailbox, True)
    with session_scope() as session:
        assert mailboxes.active_mailbox_ids(session) == [mailbox]
    assert [e.action for e in audit_rows("mailbox.disable") + audit_rows("mailbox.enable")] == [
        "mailbox.disable", "mailbox.enable"]


def test_the_connection_test_signs_in_to_imap_and_greets_smtp(org: Org, mailbox: int, dovecot, inbox) -> None:  # noqa: ANN001
    root = org.actor(org.root)
    dovecot.deliver(unverified("alice@example.org", "Waiting on the server"))
    report = mailboxes.try_connection(root, mailbox)
    assert report.ok, report
    assert f"signed in as {dovecot.USER}" in report.imap and "1 waiting to be filed" in report.imap
    assert report.smtp.startswith(f"SMTP 127.0.0.1:{inbox.port} answered")
    assert inbox.messages == []  # nothing is sent
    assert len(dovecot.flags()) == 1 and not any(dovecot.flags().values())  # nothing is flagged or moved
    (entry,) = audit_rows("mailbox.test_connection")
    assert entry.details == {"imap_ok": True, "smtp_ok": True}


def test_the_connection_test_says_what_failed_in_the_servers_words(org: Org, mailbox: int, dovecot, inbox) -> None:  # noqa: ANN001
    root = org.actor(org.root)
    with session_scope() as session:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(dovecot, org, secret="wrong password"))
    report = mailboxes.try_connection(root, mailbox)
    assert not report.imap_ok and not report.ok
    assert "refused the sign-in" in report.imap and "Authentication failed" in report.imap, report.imap

    with session_scope() as session:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(dovecot, org, folder="Nowhere"))
    report = mailboxes.try_connection(root, mailbox)
    assert "folder 'Nowhere' could not be opened" in report.imap, report.imap

    port = closed_port()
    with session_scope() as session:
        mailboxes.update_mailbox(session, root, mailbox, settings_for(dovecot, org, imap_port=port))
    report = mailboxes.try_connection(root, mailbox)
    assert report.imap.startswith(f"IMAP 127.0.0.1:{port}: the connection was refused"), report.imap
    assert "Connection refused" in report.imap

    with smtp_env(SMTP_PORT=str(closed_port())):
        report = mailboxes.try_connection(root, mailbox)
    assert report.smtp_ok is False and "the connection was refused" in report.smtp, report.smtp
    with smtp_env(SMTP_HOST=""):
        report = mailboxes.try_connection(root, mailbox)
    assert report.smtp_ok is None and "SMTP_HOST is empty" in report.smtp
    with smtp_env(SMTP_USERNAME="desk", SMTP_PASSWORD="x"):  # the test server offers no AUTH
        report = mailboxes.try_connection(root, mailbox)
    assert report.smtp_ok is False and "SMTP 127.0.0.1" in report.smtp, report.smtp


def test_held_mail_pages_newest_first_without_repeats(org: Org) -> None:
    root = org.actor(org.root)
    with session_scope() as session:
        for n in range(30):
            intake.ingest(session, unverified(f"person{n}@elsewhere.example", f"Held message {n:02d}"))
    seen: list[str] = []
    cursor = None
    with session_scope() as session:
        while True:
            page = intake.held_page(session, root, cursor)
            assert page.total == 30
            seen += [row["subject"] for row in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert len(intake.held_page(session, root).rows) == intake.HELD_PAGE_SIZE
        with pytest.raises(ValidationFailed):
            intake.held_page(session, root, "not a cursor")
    assert seen == [f"Held message {n:02d}" for n in reversed(range(30))]


def test_accepting_files_a_ticket_or_a_reply_and_discarding_deletes_the_message(org: Org, test_env) -> None:  # noqa: ANN001
    root = org.actor(org.root)
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.bob), draft(title="VPN drops hourly"))
        ticket_id, number = ticket.id, ticket.number
    with session_scope() as session:
        new = intake.ingest(session, unverified("newcomer@elsewhere.example", "Printer offline",
                                                "The third floor printer is offline.")).record_id
        reply = intake.ingest(session, unverified("bob@example.org", f"Re: [#{number}] VPN drops hourly",
                                                  "It dropped again at noon.")).record_id
        junk = intake.ingest(session, unverified("spam@elsewhere.example", "You won")).record_id
        raw_key = session.get(EmailRecord, junk).raw_key
    stored = Path(test_env.data_dir) / "attachments" / raw_key
    assert stored.exists()

    with session_scope() as session:
        shown = intake.held_message(session, root, new)
        assert (shown["from"], shown["text"]) == ("newcomer@elsewhere.example", "The third floor printer is offline.")
        created = intake.accept_held(session, root, new)
        replied = intake.accept_held(session, root, reply)
        intake.discard_held(session, root, junk)
    assert created.outcome == "created" and (replied.outcome, replied.ticket_id) == ("replied", ticket_id)
    with session_scope() as session:
        filed = session.get(Ticket, created.ticket_id)
        assert (filed.title, filed.source) == ("Printer offline", "email")
        assert any(c.body == "It dropped again at noon." for c in session.exec(
            select(Comment).where(Comment.ticket_id == ticket_id)).all())
        assert intake.held_page(session, root).total == 0
        assert session.get(EmailRecord, junk).outcome == "ignored"
        assert all(session.get(EmailRecord, r).raw_key == "" for r in (new, reply, junk))
        with pytest.raises(NotFound):
            intake.discard_held(session, root, junk)
    assert not stored.exists()
    accepted = audit_rows("email.accept_held")
    assert [(e.actor_id, e.details["outcome"]) for e in accepted] == [(org.root, "created"), (org.root, "replied")]
    (discarded,) = audit_rows("email.discard_held")
    assert discarded.details["from"] == "spam@elsewhere.example"
