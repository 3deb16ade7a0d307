"""The e-mail channel end to end against a real Dovecot IMAP server, PostgreSQL, Redis, SMTP (aiosmtpd) and, where
the point is a crash, a real Celery worker that gets killed."""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr

import psutil
from sqlmodel import func, select

from helpdesk.core import cache, jobs, live_bus
from helpdesk.core.db import session_scope
from helpdesk.email import mailboxes
from helpdesk.models import Comment, EmailRecord, EmailSuppression, Ticket
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org
from tests.processes import celery_worker_command, mail_text, running


def message(sender: str, subject: str, body: str, *, to: str = "helpdesk@example.org", message_id: str | None = None,
            in_reply_to: str | None = None, references: str | None = None, authenticated: bool = True,
            authserv: str = "mx.test", headers: dict[str, str] | None = None) -> bytes:
    mail = EmailMessage()
    if authenticated:
        # What our MTA stamps after checking the sender's domain (RFC 8601).
        domain = parseaddr(sender)[1].rpartition("@")[2]
        mail["Authentication-Results"] = f"{authserv}; dmarc=pass header.from={domain}"
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = message_id or make_msgid(domain="example.org")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
    if references:
        mail["References"] = references
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail.as_bytes()


def count(model: type, *where: object) -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def only_ticket() -> Ticket:
    with session_scope() as session:
        ticket = session.exec(select(Ticket)).one()
        session.expunge(ticket)
        return ticket


def comments_on(ticket_id: int) -> list[tuple[int, str]]:
    with session_scope() as session:
        return [(c.author_id, c.body) for c in session.exec(
            select(Comment).where(Comment.ticket_id == ticket_id).order_by(Comment.id)).all()]


def test_a_new_message_becomes_a_ticket_that_appears_live_in_the_queue(org: Org, dovecot, mailbox: int) -> None:
    version_before = live_bus.current_version()
    dovecot.deliver(message("Alice <alice@example.org>", "VPN drops every hour", "Since this morning, hourly."))

    result = mailboxes.poll(mailbox)

    assert result.outcomes == {"created": 1} and result.failed == 0
    ticket = only_ticket()
    assert (ticket.title, ticket.source, ticket.requester_id, ticket.team_id) == (
        "VPN drops every hour", "email", org.alice, org.hardware_team)
    # The queue: the hardware agent's list has it, and the live bus told every open queue tab after the commit.
    with session_scope() as session:
        page = tickets.list_tickets(session, org.actor(org.hank), tickets.TicketFilters())
    assert [row["id"] for row in page.rows] == [ticket.id]
    assert live_bus.current_version() > version_before
    entries = cache.get_redis().xrange(live_bus.stream_key(), "-", "+")
    assert any(fields.get("ticket_id") == str(ticket.id) for _id, fields in entries)
    # Fetched once: flagged on the server after the commit, so the next poll files nothing.
    assert all(mailboxes.INGESTED.encode() in flags for flags in dovecot.flags().values())
    assert mailboxes.poll(mailbox).fetched == 0


def test_the_agents_reply_is_threaded_and_the_requesters_answers_land_on_the_same_ticket(
        org: Org, dovecot, mailbox: int, celery_worker, inbox) -> None:  # noqa: ANN001
    first_id = "<vpn-1@example.org>"
    dovecot.deliver(message("alice@example.org", "VPN drops every hour", "Since this morning.", message_id=first_id))
    mailboxes.poll(mailbox)
    ticket = only_ticket()

    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket.id,
                                 CommentDraft(body="Please restart the VPN client <b>now</b>."))
    reply = inbox.wait_for(lambda m: "Please restart the VPN client" in mail_text(m) and "alice" in m["To"])
    # Threading: mail clients group it under Alice's first message.
    assert reply["In-Reply-To"] and reply["Message-ID"]
    assert first_id in reply["References"]
    assert re.search(rf"\+r{ticket.id}-{org.alice}-[a-z2-7]{{20}}@", reply["Reply-To"])
    assert reply["Auto-Submitted"] is None  # a person wrote it
    assert reply.get_content_type() == "multipart/alternative"
    html = next(p for p in reply.walk() if p.get_content_type() == "text/html").get_payload(decode=True).decode()
    assert "&lt;b&gt;now&lt;/b&gt;" in html  # autoescaped: the agent's text cannot inject markup

    # (a) by headers: a reply to the agent's message, subject changed, sent to the plain address.
    dovecot.deliver(message("alice@example.org", "Re: that thing", "Restarted, still drops.\n\nOn Mon, IT wrote:\n> x",
                            in_reply_to=reply["Message-ID"], references=f"{first_id} {reply['Message-ID']}"))
    # (b) by the signed reply address alone: no threading headers, no tag, and no authentication needed.
    dovecot.deliver(message("alice@example.org", "still here", "Now it drops every 10 minutes.",
                            to=reply["Reply-To"], authenticated=False))
    # (c) by the subject tag alone, from an authenticated sender.
    dovecot.deliver(message("alice@example.org", f"Re: [#{ticket.number}] VPN", "Also on the office Wi-Fi."))
    result = mailboxes.poll(mailbox)

    assert result.outcomes == {"replied": 3}
    assert count(Ticket) == 1
    assert comments_on(ticket.id) == [
        (org.hank, "Please restart the VPN client <b>now</b>."),
        (org.alice, "Restarted, still drops."),
        (org.alice, "Now it drops every 10 minutes."),
        (org.alice, "Also on the office Wi-Fi."),
    ]


def test_forged_staff_and_requester_senders_change_nothing_that_belongs_to_someone_else(
        org: Org, dovecot, mailbox: int) -> None:
    first_id = "<printer-1@example.org>"
    dovecot.deliver(message("alice@example.org", "Printer jams on tray 2", "Every third page.", message_id=first_id))
    mailboxes.poll(mailbox)
    ticket = only_ticket()

    forged = [
        # An agent's From (even with a passing DMARC verdict) on Alice's thread: no reply token, no agent reply.
        message("hank@example.org", f"Re: [#{ticket.number}] Printer", "Resolved, closing.", in_reply_to=first_id),
        # A reply token with a made-up signature.
        message("hank@example.org", "Re: Printer", "Resolved.",
                to=f"helpdesk+r{ticket.id}-{org.hank}-{'a' * 20}@example.org"),
        # Alice's From without our MTA's verdict, and with a verdict written by someone else's server.
        message("alice@example.org", f"Re: [#{ticket.number}] Printer", "Never mind, close it.",
                authenticated=False),
        message("alice@example.org", "Order 50 laptops for me", "Ship them to the lobby.", authserv="evil.example"),
        # Bob is who he says he is, but it is not his ticket.
        message("bob@example.org", f"Re: [#{ticket.number}] Printer", "Let me in."),
    ]
    dovecot.deliver(*forged)
    result = mailboxes.poll(mailbox)

    assert result.outcomes == {"held": 4, "ignored": 1}
    assert count(Ticket) == 1 and comments_on(ticket.id) == []
    assert only_ticket().status == ticket.status
    with session_scope() as session:
        held = session.exec(select(EmailRecord.address).where(EmailRecord.outcome == "held")).all()
    assert sorted(held) == ["alice@example.org", "alice@example.org", "hank@example.org", "hank@example.org"]

    # Control: Hank's own signed reply address does act as Hank.
    from helpdesk.email.addresses import reply_address

    dovecot.deliver(message("hank@example.org", "Re: Printer", "Replaced the roller.",
                            to=reply_address(ticket.id, org.hank), authenticated=False))
    assert mailboxes.poll(mailbox).outcomes == {"replied": 1}
    assert comments_on(ticket.id) == [(org.hank, "Replaced the roller.")]


def _bounce(recipient: str) -> bytes:
    """A delivery status notification as Postfix writes it (RFC 3464)."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@example.org>\r\nTo: helpdesk@example.org\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <bounce-1@mx.example.org>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
        "--b1--\r\n"
    ).encode()


def test_an_out_of_office_and_a_bounce_open_nothing(org: Org, dovecot, mailbox: int) -> None:
    first_id = "<monitor-1@example.org>"
    dovecot.deliver(message("alice@example.org", "Monitor flickers", "Since Monday.", message_id=first_id))
    mailboxes.poll(mailbox)
    ticket = only_ticket()
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket.id, TicketChanges(status="resolved"))

    dovecot.deliver(
        message("alice@example.org", f"Automatic reply: [#{ticket.number}] Monitor flickers", "I am away.",
                in_reply_to=first_id, headers={"Auto-Submitted": "auto-replied"}),
        message("alice@example.org", f"Out of Office: [#{ticket.number}]", "Back Monday.",
                headers={"X-Auto-Response-Suppress": "All"}),
        message("alice@example.org", f"Re: [#{ticket.number}]", "Vacation.", headers={"X-Autoreply": "yes"}),
        message("news@example.org", "Weekly digest", "Lots of news.", headers={"Precedence": "bulk"}),
        _bounce("alice@example.org"),
    )
    result = mailboxes.poll(mailbox)

    assert result.outcomes == {"ignored": 5}
    assert count(Ticket) == 1 and only_ticket().status == "resolved"
    assert comments_on(ticket.id) == []
    assert count(EmailSuppression, EmailSuppression.address == "alice@example.org") == 1


def test_a_worker_killed_mid_batch_loses_and_duplicates_nothing(org: Org, dovecot, mailbox: int, test_env,
                                                                 tmp_path) -> None:  # noqa: ANN001
    from tests.integration.email.conftest import EMAIL_ENV

    total = 120
    dovecot.deliver(*[message(f"user{i % 7}@example.org", f"Request number {i:03d} from the batch",
                              f"Body of request {i}.") for i in range(total)])
    log = tmp_path / "intake-worker.log"
    command = celery_worker_command("mail_intake", concurrency=1, name="intake", purge=True)
    with running(command, test_env.as_env() | EMAIL_ENV, log, lambda: b" ready." in log.read_bytes(),
                 timeout=60) as worker:
        with session_scope() as session:
            jobs.enqueue(session, mailboxes.POLL_TASK, "mail_intake", {"mailbox_id": mailbox})
        deadline = time.monotonic() + 60
        while count(Ticket) < 15:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)
        # Kill the pool process doing the work, mid-batch, without a chance to clean up.
        children = psutil.Process(worker.pid).children(recursive=True)
        assert children
        for child in children:
            child.kill()
        killed_at = count(Ticket)
        assert killed_at < total
        # Celery redelivers the poll (acks late, rejected on worker loss); it takes over its own lock and goes on.
        deadline = time.monotonic() + 120
        while count(EmailRecord, EmailRecord.direction == "in") < total:
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)

    with session_scope() as session:
        titles = session.exec(select(Ticket.title)).all()
    assert len(titles) == total and len(set(titles)) == total
    flags = dovecot.flags()
    assert len(flags) == total and all(mailboxes.INGESTED.encode() in f for f in flags.values())
    assert b"WorkerLostError" in log.read_bytes() or b"SIGKILL" in log.read_bytes()


def test_the_mailbox_command_adds_lists_and_tests_a_mailbox_without_showing_its_password(org: Org, dovecot) -> None:
    from click.testing import CliRunner

    from helpdesk.runtime.cli import main

    dovecot.empty()
    dovecot.deliver(message("alice@example.org", "Waiting message", "Not filed yet."))
    runner = CliRunner()
    common = ["--address", "it@example.org", "--host", "127.0.0.1", "--port", str(dovecot.port), "--no-tls",
              "--user", dovecot.USER, "--password", dovecot.PASSWORD]

    bad = runner.invoke(main, ["mailbox", "add", "--name", "IT", *common[:4], "--port", "0", *common[6:]])
    added = runner.invoke(main, ["mailbox", "add", "--name", "IT inbox", *common, "--team-id", str(org.access_team)])
    listed = runner.invoke(main, ["mailbox", "list"])
    mailbox_id = re.search(r"Added mailbox (\d+)", added.output).group(1)
    tested = runner.invoke(main, ["mailbox", "test", mailbox_id])

    assert bad.exit_code == 2 and "imap_port: Enter a port between 1 and 65535" in bad.output
    assert added.exit_code == 0, added.output
    assert "IT inbox" in listed.output and dovecot.PASSWORD not in listed.output
    assert tested.exit_code == 0 and "1 messages, 1 waiting to be filed" in tested.output and "IDLE" in tested.output
    assert count(Ticket) == 0  # testing changes nothing
