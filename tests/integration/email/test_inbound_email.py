"""Inbound e-mail becomes tickets and replies, through the same rules as every other door."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.email import intake as inbound_email
from helpdesk.models import Ticket
from helpdesk.tickets import conversation, tickets
from tests.factories import Org, draft


def mail(sender: str, subject: str, body: str) -> str:
    # As our MTA delivers it: with its verdict that the sender's domain authenticated the From address.
    return (f"Authentication-Results: mx.test; dmarc=pass header.from={sender.rpartition('@')[2].rstrip('>')}\r\n"
            f"From: {sender}\r\nTo: it@example.org\r\nSubject: {subject}\r\nContent-Type: text/plain\r\n\r\n"
            f"{body}\r\n")


def test_a_known_sender_files_a_ticket(org: Org) -> None:
    with session_scope() as session:
        result = inbound_email.ingest(session, mail("Alice <ALICE@example.org>", "Printer jams on tray 2",
                                                    "It jams every third page."))
    assert result.outcome == "created"
    with session_scope() as session:
        ticket = session.get(Ticket, result.ticket_id)
        assert (ticket.title, ticket.source, ticket.requester_id) == ("Printer jams on tray 2", "email", org.alice)


def test_a_reply_with_a_ticket_number_becomes_a_comment_without_the_quote(org: Org) -> None:
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft())
        number, ticket_id = ticket.number, ticket.id
    body = "Yes, it still happens.\n\nOn Mon, IT wrote:\n> Does it still happen?"
    with session_scope() as session:
        result = inbound_email.ingest(session, mail("alice@example.org", f"Re: [#{number}] Laptop", body))
    assert (result.outcome, result.ticket_id) == ("replied", ticket_id)
    with session_scope() as session:
        bodies = [c["body"] for c in conversation.list_comments(session, org.actor(org.alice), ticket_id)]
    assert bodies == ["Yes, it still happens."]


def test_strangers_and_other_peoples_tickets_are_ignored(org: Org) -> None:
    with session_scope() as session:
        number = tickets.create_ticket(session, org.actor(org.alice), draft()).number
    with session_scope() as session:
        assert inbound_email.ingest(session, mail("spam@evil.example", "Win", "Click here now")).outcome == "ignored"
        result = inbound_email.ingest(session, mail("bob@example.org", f"Re: [#{number}] hi", "let me in"))
    assert result.outcome == "ignored"
    with session_scope() as session:
        ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).one()
        assert conversation.list_comments(session, org.actor(org.root), ticket_id) == []


def test_the_requester_of_a_merged_duplicate_replies_by_e_mail_on_the_ticket_it_continues_on(org: Org) -> None:
    from helpdesk.tickets import merging

    with session_scope() as session:
        duplicate = tickets.create_ticket(session, org.actor(org.alice), draft(title="Monitor flickers")).id
        target = tickets.create_ticket(session, org.actor(org.bob), draft(title="Office monitors flicker"))
        target_id, number = target.id, target.number
    with session_scope() as session:
        merging.merge(session, org.actor(org.hank), duplicate, target_id)
    # Alice answers the "continues here" e-mail, whose subject names the target.
    with session_scope() as session:
        result = inbound_email.ingest(session, mail("alice@example.org", f"Re: [#{number}] Office monitors flicker",
                                                    "Mine started on Monday too."))
    assert (result.outcome, result.ticket_id) == ("replied", target_id)
    with session_scope() as session:
        bodies = [c["body"] for c in conversation.list_comments(session, org.actor(org.bob), target_id)]
        assert "Mine started on Monday too." in bodies


def test_a_held_message_is_filed_only_when_an_administrator_accepts_it(org: Org) -> None:
    from helpdesk.core.errors import NotFound, PermissionDenied

    # No verdict from our MTA: Alice's From could be anyone's.
    raw = "From: alice@example.org\r\nTo: it@example.org\r\nSubject: Reset my token\r\n\r\nIt expired today.\r\n"
    with session_scope() as session:
        held = inbound_email.ingest(session, raw)
    assert held.outcome == "held"
    with session_scope() as session:
        assert session.exec(select(Ticket)).all() == []
        for someone in (org.alice, org.hank, org.mona):  # accepting vouches for the sender: administrators only
            with pytest.raises(PermissionDenied):
                inbound_email.list_held(session, org.actor(someone))
        assert [h["from"] for h in inbound_email.list_held(session, org.actor(org.root))] == ["alice@example.org"]
        accepted = inbound_email.accept_held(session, org.actor(org.root), held.record_id)
    assert accepted.outcome == "created"
    with session_scope() as session:
        ticket = session.get(Ticket, accepted.ticket_id)
        assert (ticket.title, ticket.requester_id) == ("Reset my token", org.alice)
        with pytest.raises(NotFound):
            inbound_email.accept_held(session, org.actor(org.root), held.record_id)
