"""Issue #18's collaboration features on real PostgreSQL and Redis: files on replies and notes, filing for someone
who phoned or walked up, the requester marking a ticket solved, following, CCs and the notification centre."""

from __future__ import annotations

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.identity.accounts import NO_PASSWORD_YET
from helpdesk.models import AuditLog, Notification, OutboxJob, Ticket, TicketEvent, User
from helpdesk.notifications import inbox
from helpdesk.tickets import attachments, cc, conversation, following, on_behalf, solving, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def file_ticket(org: Org, requester: int | None = None, category_id: int | None = None) -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(requester or org.alice),
                                     draft(category_id=category_id or org.hardware)).id


def reply(org: Org, author: int, ticket_id: int, body: str, *, internal: bool = False,
          files: tuple = ()) -> int:  # noqa: ANN001
    with session_scope() as session:
        return conversation.add_comment(session, org.actor(author), ticket_id,
                                        CommentDraft(body=body, internal=internal), files=files).id


def comments_as(org: Org, reader: int, ticket_id: int) -> list[dict]:
    with session_scope() as session:
        return conversation.list_comments(session, org.actor(reader), ticket_id)


def notifications_of(org: Org, user_id: int) -> list[dict]:
    with session_scope() as session:
        return inbox.list_notifications(session, org.actor(user_id), limit=100).rows


def audit_actions(entity_id: int) -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(AuditLog.action).where(AuditLog.entity_id == str(entity_id))
                                 .order_by(AuditLog.id)).all())


# ---------------------------------------------------------------- files on replies and notes


def test_files_come_with_their_reply_and_a_notes_files_stay_inside_it(org: Org) -> None:
    ticket_id = file_ticket(org)
    reply_id = reply(org, org.alice, ticket_id, "Here is a photo of the screen.",
                     files=(("screen.png", "image/png", PNG),))
    note_id = reply(org, org.hank, ticket_id, "Driver log attached.", internal=True,
                    files=(("driver.log", "text/plain", b"display driver crashed at 09:14"),))

    agent_view = {c["id"]: c for c in comments_as(org, org.hank, ticket_id)}
    assert [a["filename"] for a in agent_view[reply_id]["attachments"]] == ["screen.png"]
    assert [a["filename"] for a in agent_view[note_id]["attachments"]] == ["driver.log"]
    requester_view = comments_as(org, org.alice, ticket_id)
    assert [c["id"] for c in requester_view] == [reply_id]
    assert [a["filename"] for a in requester_view[0]["attachments"]] == ["screen.png"]

    with session_scope() as session:
        listed = attachments.list_attachments(session, org.actor(org.alice), ticket_id)
        assert [a["filename"] for a in listed] == ["screen.png"]
        note_file = next(a["id"] for a in attachments.list_attachments(session, org.actor(org.hank), ticket_id)
                         if a["filename"] == "driver.log")
        with pytest.raises(NotFound):
            attachments.read_attachment(session, org.actor(org.alice), note_file)
        _, data = attachments.read_attachment(session, org.actor(org.hank), note_file)
        assert data == b"display driver crashed at 09:14"
        with pytest.raises(NotFound):  # another requester: not even the ticket
            attachments.read_attachment(session, org.actor(org.bob), note_file)


def test_a_bad_file_leaves_the_reply_unsent(org: Org) -> None:
    ticket_id = file_ticket(org)
    with pytest.raises(ValidationFailed) as refused:
        reply(org, org.alice, ticket_id, "Run this to see it", files=(("fix.exe", "application/octet-stream", b"MZ"),))
    assert "programs and scripts" in refused.value.field_errors["attachments"]
    with pytest.raises(ValidationFailed):
        reply(org, org.alice, ticket_id, "Six files", files=tuple((f"{n}.png", "image/png", PNG) for n in range(6)))
    assert comments_as(org, org.hank, ticket_id) == []


# ---------------------------------------------------------------- filing for someone who phoned or walked up


def test_an_agent_files_for_an_existing_person_and_for_a_new_one(org: Org) -> None:
    hank = org.actor(org.hank)
    with session_scope() as session:
        ticket = on_behalf.file_on_behalf(session, hank, draft(category_id=org.hardware), channel="phone",
                                          requester_id=org.bob)
        phoned = ticket.id
    with session_scope() as session:
        ticket = on_behalf.file_on_behalf(
            session, hank, draft(title="Badge does not open the door"), channel="walk_in",
            new_requester=on_behalf.NewRequester(full_name="Nadia Newcomer", email="Nadia.Newcomer@Example.org"))
        walked_up = ticket.id
        newcomer = session.exec(select(User).where(User.email == "nadia.newcomer@example.org")).one()
        assert (newcomer.role, newcomer.password_hash, newcomer.full_name) == ("requester", NO_PASSWORD_YET,
                                                                              "Nadia Newcomer")
        assert ticket.requester_id == newcomer.id and ticket.source == "walk_in"
        assert session.get(Ticket, phoned).requester_id == org.bob and session.get(Ticket, phoned).source == "phone"
        creation = session.exec(select(AuditLog).where(AuditLog.action == "ticket.file_on_behalf",
                                                       AuditLog.entity_id == str(walked_up))).one()
        assert creation.actor_id == org.hank
        assert creation.details == {"requester_id": newcomer.id, "channel": "walk_in", "new_requester": True}
        account = session.exec(select(AuditLog).where(AuditLog.action == "user.create",
                                                      AuditLog.entity_id == str(newcomer.id))).one()
        assert account.actor_id == org.hank and account.details["via"] == "ticket on behalf (walk_in)"
        detail = tickets.ticket_detail(session, hank, phoned)
        assert detail["requester"] == "Bob Requester" and detail["filed_by"] == "Hank Hardware"
        # The requester reads it as their own, is told who filed it, and never learns the staff-only detail.
        bob_view = tickets.ticket_detail(session, org.actor(org.bob), phoned)
        assert bob_view["filed_by"] is None and bob_view["requester_email"] == "bob@example.org"
    assert notifications_of(org, org.bob)[0]["kind"] == "filed_for_you"
    assert notifications_of(org, org.bob)[0]["title"].startswith("Hank Hardware filed #")


def test_filing_on_behalf_refuses_bad_input_and_writes_nothing(org: Org) -> None:
    hank = org.actor(org.hank)
    cases = [
        ({"channel": "fax", "requester_id": org.bob}, "channel"),
        ({"channel": "phone"}, "requester"),
        ({"channel": "phone", "requester_id": org.bob,
          "new_requester": on_behalf.NewRequester("Someone", "someone@example.org")}, "requester"),
        ({"channel": "phone", "new_requester": on_behalf.NewRequester("Alice Again", "alice@example.org")},
         "requester_email"),
        ({"channel": "phone", "new_requester": on_behalf.NewRequester("", "x@example.org")}, "requester_full_name"),
        ({"channel": "phone", "requester_id": 424242}, "requester"),
    ]
    for arguments, field in cases:
        with pytest.raises(ValidationFailed) as refused, session_scope() as session:
            on_behalf.file_on_behalf(session, hank, draft(), **arguments)
        assert field in refused.value.field_errors, (arguments, refused.value.field_errors)
    for person in (org.alice, org.mona):  # a requester, and a manager (read-only)
        with pytest.raises(PermissionDenied), session_scope() as session:
            on_behalf.file_on_behalf(session, org.actor(person), draft(), channel="phone", requester_id=org.bob)
    with session_scope() as session:
        assert session.exec(select(Ticket)).all() == []
        assert session.exec(select(User).where(User.email == "x@example.org")).first() is None


# ---------------------------------------------------------------- the requester marks it solved


def test_the_requester_marks_their_ticket_solved_and_a_reply_reopens_it(org: Org) -> None:
    ticket_id = file_ticket(org)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(assignee_id=org.hank))
    for outsider in (org.bob, org.hank):
        with pytest.raises((PermissionDenied, NotFound)), session_scope() as session:
            solving.mark_solved(session, org.actor(outsider), ticket_id)
    with session_scope() as session:
        solving.mark_solved(session, org.actor(org.alice), ticket_id, "  Restarting the dock fixed it.  ")
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket.status == "resolved" and ticket.resolved_at is not None
        change = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                        TicketEvent.field == "status")
                              .order_by(TicketEvent.id.desc())).first()
        assert (change.actor_id, change.old_value, change.new_value) == (org.alice, "open", "resolved")
    assert [c["body"] for c in comments_as(org, org.hank, ticket_id)] == ["Restarting the dock fixed it."]
    assert "ticket.requester_solved" in audit_actions(ticket_id)
    assert notifications_of(org, org.hank)[0]["kind"] == "solved"
    with pytest.raises(ValidationFailed), session_scope() as session:
        solving.mark_solved(session, org.actor(org.alice), ticket_id)

    reply(org, org.alice, ticket_id, "It broke again after lunch.")
    with session_scope() as session:
        assert session.get(Ticket, ticket_id).status == "open"


# ---------------------------------------------------------------- following


def test_an_agent_following_a_ticket_hears_of_its_changes_within_what_they_may_see(org: Org) -> None:
    ticket_id = file_ticket(org)
    with session_scope() as session:
        assert following.follow(session, org.actor(org.hank), ticket_id) is True
        assert following.follow(session, org.actor(org.hank), ticket_id) is False
        assert tickets.ticket_detail(session, org.actor(org.hank), ticket_id)["following"] is True
    for outsider in (org.ada, org.bob):  # Ada's team does not see it; Bob is another requester
        with pytest.raises(NotFound), session_scope() as session:
            following.follow(session, org.actor(outsider), ticket_id)
    with pytest.raises(PermissionDenied), session_scope() as session:  # a requester on their own ticket
        following.follow(session, org.actor(org.alice), ticket_id)

    reply(org, org.alice, ticket_id, "Any news?")
    reply(org, org.root, ticket_id, "Checking the warranty", internal=True)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(priority="high"))
    kinds = [n["kind"] for n in notifications_of(org, org.hank)]
    assert kinds == ["changed", "note", "reply"]
    with session_scope() as session:
        mails = session.exec(select(OutboxJob.args).where(OutboxJob.task_name == "email.agent_notification")).all()
    assert [m["kind"] for m in mails if m["recipient_id"] == org.hank] == ["following", "following"]

    # Moved to a team Hank is not on: the ticket and its news are out of his sight.
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(team_id=org.access_team))
    assert notifications_of(org, org.hank) == []
    with session_scope() as session:
        assert following.unfollow(session, org.actor(org.hank), ticket_id) is True
        assert audit_actions(ticket_id).count("ticket.follow") == 1


# ---------------------------------------------------------------- CCs


def test_a_cc_reads_the_public_conversation_only_and_sees_nobody_elses_address(org: Org) -> None:
    ticket_id = file_ticket(org)
    with session_scope() as session:
        cc.add_cc(session, org.actor(org.alice), ticket_id, " BOB@example.org ")
    for bad, message in (("nobody@example.org", "Nobody with that e-mail"), ("bob@example.org", "already copied"),
                         ("alice@example.org", "requester"), ("not an address", "e-mail address")):
        with pytest.raises(ValidationFailed) as refused, session_scope() as session:
            cc.add_cc(session, org.actor(org.alice), ticket_id, bad)
        assert message in refused.value.field_errors["email"]

    bob = org.actor(org.bob)
    reply(org, org.hank, ticket_id, "Please try another cable.")
    reply(org, org.hank, ticket_id, "Cable stock is low", internal=True, files=(("stock.csv", "text/csv", b"1"),))
    with session_scope() as session:
        ticket = session.get(Ticket, ticket_id)
        assert tickets.can_read(bob, ticket) and not tickets.sees_internal_notes(bob, ticket)
        assert not tickets.can_work(bob, ticket)
        detail = tickets.ticket_detail(session, bob, ticket_id)
        assert detail["requester_email"] is None and detail["followers"] == []
        assert detail["cc"] == [{"user_id": org.bob, "name": "Bob Requester", "email": None, "removable": True}]
        assert tickets.ticket_detail(session, org.actor(org.hank), ticket_id)["cc"][0]["email"] == "bob@example.org"
        assert attachments.list_attachments(session, bob, ticket_id) == []
    assert [c["body"] for c in comments_as(org, org.bob, ticket_id)] == ["Please try another cable."]
    assert [n["kind"] for n in notifications_of(org, org.bob)] == ["reply", "cc"]
    with session_scope() as session:
        mails = session.exec(select(OutboxJob.args).where(OutboxJob.task_name == "email.comment_notification")).all()
        from helpdesk.tickets import notifications as mail
        recipients = {r for m in mails for r, _ in mail.comment_notifications(session, m["comment_id"])}
    assert recipients == {org.alice, org.bob}  # the public reply by e-mail to the requester and the CC

    # A CC may take themselves off; someone else's CC is the requester's or IT's to remove.
    with session_scope() as session:
        cc.add_cc(session, org.actor(org.hank), ticket_id, "ada@example.org")
    with pytest.raises(PermissionDenied), session_scope() as session:
        cc.remove_cc(session, bob, ticket_id, org.ada)
    with session_scope() as session:
        cc.remove_cc(session, bob, ticket_id, org.bob)
        cc.remove_cc(session, org.actor(org.alice), ticket_id, org.ada)
    with pytest.raises(NotFound), session_scope() as session:
        tickets.get_for(session, bob, ticket_id)
    assert audit_actions(ticket_id).count("ticket.cc_add") == 2
    assert audit_actions(ticket_id).count("ticket.cc_remove") == 2


# ---------------------------------------------------------------- the notification centre


def test_the_notification_centre_counts_lists_and_marks_read(org: Org) -> None:
    ticket_id = file_ticket(org)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(assignee_id=org.root))
    reply(org, org.hank, ticket_id, "On it.")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(status="waiting_on_customer"))
    alice = notifications_of(org, org.alice)
    # Assigning the new ticket opened it: the requester hears of both status changes and of the reply.
    assert [n["kind"] for n in alice] == ["status", "reply", "status"]
    assert "Waiting on you" in alice[0]["title"] and "Open" in alice[2]["title"]
    assert alice[0]["ticket_number"] is not None
    with session_scope() as session:
        assert inbox.unread_count(session, org.actor(org.alice)) == 3
        with pytest.raises(NotFound):  # someone else's notification
            inbox.mark_read(session, org.actor(org.bob), alice[0]["id"])
        inbox.mark_read(session, org.actor(org.alice), alice[0]["id"])
        assert inbox.unread_count(session, org.actor(org.alice)) == 2
        page = inbox.list_notifications(session, org.actor(org.alice), limit=1)
        assert page.next_cursor is not None and len(page.rows) == 1
        rest = inbox.list_notifications(session, org.actor(org.alice), cursor=page.next_cursor)
        assert [n["id"] for n in rest.rows] == [alice[1]["id"], alice[2]["id"]]
        assert inbox.mark_all_read(session, org.actor(org.alice)) == 2
        assert inbox.unread_count(session, org.actor(org.alice)) == 0
        # Root was assigned (by someone else) and reads "assigned" first; nobody is told of their own change.
        assert session.exec(select(Notification.kind).where(Notification.user_id == org.root)
                            .order_by(Notification.id)).first() == "assigned"
        assert session.exec(select(Notification).where(Notification.user_id == org.hank)).all() == []
