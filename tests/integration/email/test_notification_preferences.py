"""Each person chooses their notification e-mails (helpdesk/email/preferences.py): the sender honours the choice
when it builds each mail (checked on the suite's SMTP server), the bell still shows everything, and nobody can set a
switch they do not have."""

from __future__ import annotations

import pytest

from helpdesk.core.db import session_scope
from helpdesk.core.errors import ValidationFailed
from helpdesk.email import agent_notifications, preferences
from helpdesk.notifications import inbox as notification_inbox
from helpdesk.tickets import cc, conversation, notifications, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft
from tests.processes import mail_text


def _to(message, address: str) -> bool:  # noqa: ANN001
    return address in (message["To"] or "")


def test_an_opted_out_reply_sends_no_mail_and_an_opted_in_one_does(org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        changed = preferences.set_preferences(session, org.actor(org.alice),
                                              {"request_reply": False, "request_received": False})
    assert {row["kind"]: row["enabled"] for row in changed} == {
        "request_received": False, "request_reply": False, "request_resolved": True, "request_merged": True}

    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.laptops))
        ticket_id, number = ticket.id, ticket.number
        cc.add_cc(session, org.actor(org.alice), ticket_id, "bob@example.org")  # Bob kept the defaults
    with session_scope() as session:
        # Alice switched the acknowledgement off: the job builds no mail for her.
        assert preferences.if_wanted(session, "request_received",
                                     notifications.ticket_acknowledgement(session, ticket_id)) is None
        comment = conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                           CommentDraft(body="Please restart the laptop and tell me.", internal=False))
        comment_id = comment.id

    # One job mails the reply to everyone it concerns: Bob's arriving means Alice's was decided too.
    to_bob = inbox.wait_for(lambda m: f"Re: [#{number}]" in (m["Subject"] or "") and _to(m, "bob@example.org"))
    assert "Please restart the laptop" in mail_text(to_bob)
    assert not any(f"Re: [#{number}]" in (m["Subject"] or "") and _to(m, "alice@example.org")
                   for m in inbox.messages)
    assert not any("We received your request" in (m["Subject"] or "") and _to(m, "alice@example.org")
                   for m in inbox.messages)
    with session_scope() as session:
        # The bell still tells her: only e-mail was switched off.
        page = notification_inbox.list_notifications(session, org.actor(org.alice))
    assert any(row["kind"] == "reply" and row["ticket_id"] == ticket_id for row in page.rows)
    with session_scope() as session:
        assert [recipient for recipient, _ in agent_notifications.comment_mails(session, comment_id)] == [org.bob]

    # "Resolved" stayed on: that mail comes.
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id,
                              TicketChanges(assignee_id=org.hank, status="resolved"))
    resolved = inbox.wait_for(lambda m: f"[#{number}] Resolved" in (m["Subject"] or "") and _to(m, "alice@"))
    assert "rating=good" in mail_text(resolved)


def test_the_assignee_switching_requester_replies_off_hears_nothing_but_the_requester_still_does(
        org: Org, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        preferences.set_preference(session, org.actor(org.hank), "requester_replied", False)
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.laptops))
        ticket_id, number = ticket.id, ticket.number
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(assignee_id=org.hank))
        from_alice = conversation.add_comment(session, org.actor(org.alice), ticket_id,
                                              CommentDraft(body="It happened again this morning.", internal=False)).id
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Thanks, I will bring a spare.", internal=False))
    with session_scope() as session:
        # The job that mails Alice's reply has nobody left to mail (Hank, its one recipient, said no) ...
        assert agent_notifications.comment_mails(session, from_alice) == []
    # ... while Alice, who kept the default, gets Hank's answer; the SMTP server saw nothing for Hank.
    inbox.wait_for(lambda m: f"Re: [#{number}]" in (m["Subject"] or "") and _to(m, "alice@example.org"))
    inbox.wait_for(lambda m: "assigned to you" in (m["Subject"] or "") and _to(m, "hank@example.org"))
    assert not any(f"Re: [#{number}]" in (m["Subject"] or "") and _to(m, "hank@example.org")
                   for m in inbox.messages)


def test_nobody_sets_a_switch_they_do_not_have(org: Org) -> None:
    with session_scope() as session:
        with pytest.raises(ValidationFailed):  # a requester has no work switches
            preferences.set_preferences(session, org.actor(org.alice), {"assigned": False})
        with pytest.raises(ValidationFailed):
            preferences.set_preferences(session, org.actor(org.hank), {"no_such_kind": True})
        # All or nothing: with one unknown kind, the known one is not changed either.
        with pytest.raises(ValidationFailed):
            preferences.set_preferences(session, org.actor(org.hank), {"mention": False, "nope": True})
    with session_scope() as session:
        kinds = {row["kind"]: row["enabled"] for row in preferences.preferences(session, org.actor(org.hank))}
    assert kinds["mention"] is True and set(kinds) == set(preferences.KINDS)
