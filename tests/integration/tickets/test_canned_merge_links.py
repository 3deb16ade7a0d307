"""Canned responses, merging duplicates (and the follower rule it brings), related tickets: on real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.settings import get_settings
from helpdesk.models import (
    Attachment,
    AuditLog,
    CannedResponse,
    Comment,
    OutboxJob,
    Team,
    Ticket,
    TicketEvent,
    TicketFollower,
    TicketLink,
)
from helpdesk.models.base import utcnow
from helpdesk.tickets import attachments, canned_responses, conversation, links, merging, notifications, tickets
from helpdesk.tickets.validation import CannedResponseChanges, CannedResponseDraft, CommentDraft, TicketChanges
from tests.factories import Org, draft


def file_ticket(org: Org, requester: int, category_id: int | None = None, title: str = "Laptop screen flickers") -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(requester), draft(title=title, category_id=category_id)).id


def make_lead(team_id: int, user_id: int) -> None:
    with session_scope() as session:
        team = session.get(Team, team_id)
        team.lead_id = user_id
        session.add(team)


def create_response(org: Org, by: int, title: str, body: str, team_id: int | None = None) -> int:
    with session_scope() as session:
        return canned_responses.create(session, org.actor(by), CannedResponseDraft(title=title, body=body,
                                                                                   team_id=team_id)).id


def number_of(ticket_id: int) -> int:
    with session_scope() as session:
        return session.get(Ticket, ticket_id).number


# ---------------------------------------------------------------- canned responses


def test_placeholders_are_filled_in_for_the_ticket_and_the_agent(org: Org) -> None:
    make_lead(org.hardware_team, org.hank)
    body = ("Hi {{ requester.first_name }} ({{ requester.name }}), about #{{ ticket.number }} \"{{ ticket.title }}\": "
            "done. {{ agent.first_name }} / {{ agent.name }}, {{ team.name | upper }}")
    response_id = create_response(org, org.hank, "Done", body, team_id=org.hardware_team)
    ticket_id = file_ticket(org, org.alice, org.hardware, title="Docking station dead")
    with session_scope() as session:
        text = canned_responses.render(session, org.actor(org.hank), response_id, ticket_id)
    assert text == (f"Hi Alice (Alice Requester), about #{number_of(ticket_id)} \"Docking station dead\": done. "
                    "Hank / Hank Hardware, HARDWARE")


def test_an_untriaged_ticket_is_answered_in_the_desks_name(org: Org) -> None:
    response_id = create_response(org, org.root, "Signed", "{{ team.name }}")
    ticket_id = file_ticket(org, org.alice)
    with session_scope() as session:
        assert canned_responses.render(session, org.actor(org.hank), response_id, ticket_id) == \
            get_settings().organisation_name


def test_a_ticket_offers_its_teams_responses_and_everyones_but_no_other_teams(org: Org) -> None:
    make_lead(org.hardware_team, org.hank)
    make_lead(org.access_team, org.ada)
    everyone = create_response(org, org.root, "Need more details", "Hello {{ requester.first_name }}")
    hardware = create_response(org, org.hank, "Replacement ordered", "Ordered.", team_id=org.hardware_team)
    access = create_response(org, org.ada, "Password reset done", "Reset.", team_id=org.access_team)
    retired = create_response(org, org.root, "Old wording", "Old.")
    with session_scope() as session:
        canned_responses.deactivate(session, org.actor(org.root), retired)
    ticket_id = file_ticket(org, org.alice, org.hardware)
    with session_scope() as session:
        offered = [r["id"] for r in canned_responses.list_for_ticket(session, org.actor(org.hank), ticket_id)]
        assert offered == [hardware, everyone]  # the team's own first
        with pytest.raises(NotFound):
            canned_responses.render(session, org.actor(org.hank), access, ticket_id)
        with pytest.raises(NotFound):
            canned_responses.render(session, org.actor(org.hank), retired, ticket_id)


def test_unknown_placeholders_and_sandbox_escapes_are_refused_when_saved(org: Org) -> None:
    for body, expected in (
        ("Hi {{ requester.email }}", "{{ requester.email }}"),
        ("Hi {{ manager.name }}", "{{ manager.name }}"),
        ("{{ ''.__class__ }}", "Only these placeholders"),
        ("{{ requester.name.__class__.__mro__ }}", "Only these placeholders"),
        ("{{ 'x' * 1000000000 }}", "found: mul"),
        ("{% for x in range(10) %}x{% endfor %}", "found: for"),
        ("{{ requester.first_name | attr('__class__') }}", "filter 'attr'"),
        ("Hi {{ requester.first_name", "not written correctly"),
    ):
        with pytest.raises(ValidationFailed) as caught, session_scope() as session:
            canned_responses.create(session, org.actor(org.root), CannedResponseDraft(title="Bad one", body=body))
        assert expected in caught.value.field_errors["body"], body
    with session_scope() as session:
        assert session.exec(select(CannedResponse)).all() == []


def test_a_stored_body_that_escapes_fails_safely_when_rendered(org: Org) -> None:
    # Written around the service (an old import, a hand edit): rendering still refuses it.
    with session_scope() as session:
        bad = CannedResponse(title="Sneaky", body="{{ ''.__class__.__mro__[1].__subclasses__() }}",
                             created_by_id=org.root)
        unknown = CannedResponse(title="Typo", body="Hi {{ requester.firstname }}", created_by_id=org.root)
        session.add_all([bad, unknown])
        session.flush()
        bad_id, unknown_id = bad.id, unknown.id
    ticket_id = file_ticket(org, org.alice, org.hardware)
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        canned_responses.render(session, org.actor(org.hank), bad_id, ticket_id)
    assert "subclasses" not in caught.value.field_errors["body"] and "object" not in caught.value.field_errors["body"]
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        canned_responses.render(session, org.actor(org.hank), unknown_id, ticket_id)
    assert "{{ requester.firstname }}" in caught.value.field_errors["body"]


def test_the_sandbox_itself_blocks_attribute_tricks() -> None:
    from jinja2.sandbox import SecurityError

    environment = canned_responses._environment()
    with pytest.raises(SecurityError):
        environment.from_string("{{ ''.__class__.__mro__ }}").render()


def test_only_agents_working_the_ticket_use_canned_responses(org: Org) -> None:
    response_id = create_response(org, org.root, "Need more details", "Hello {{ requester.first_name }}")
    ticket_id = file_ticket(org, org.alice, org.hardware)
    with session_scope() as session:
        for who in (org.alice, org.mona):  # the requester, a manager
            with pytest.raises(PermissionDenied):
                canned_responses.list_for_ticket(session, org.actor(who), ticket_id)
            with pytest.raises(PermissionDenied):
                canned_responses.render(session, org.actor(who), response_id, ticket_id)
        with pytest.raises(NotFound):  # another team's agent does not learn the ticket exists
            canned_responses.list_for_ticket(session, org.actor(org.ada), ticket_id)
        with pytest.raises(NotFound):
            canned_responses.render(session, org.actor(org.ada), response_id, ticket_id)


def test_admins_manage_global_responses_and_leads_their_teams(org: Org) -> None:
    make_lead(org.hardware_team, org.hank)
    with pytest.raises(PermissionDenied), session_scope() as session:  # a lead, but not for everyone
        canned_responses.create(session, org.actor(org.hank), CannedResponseDraft(title="Global", body="x"))
    with pytest.raises(PermissionDenied), session_scope() as session:  # not the access team's lead
        canned_responses.create(session, org.actor(org.ada),
                                CannedResponseDraft(title="Mine", body="x", team_id=org.access_team))
    for who in (org.alice, org.mona):
        with pytest.raises(PermissionDenied), session_scope() as session:
            canned_responses.create(session, org.actor(who),
                                    CannedResponseDraft(title="Mine", body="x", team_id=org.hardware_team))
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        canned_responses.create(session, org.actor(org.root), CannedResponseDraft(title="Nowhere", body="x",
                                                                                  team_id=987654))
    assert "team_id" in caught.value.field_errors

    response_id = create_response(org, org.hank, "Replacement ordered", "Ordered.", team_id=org.hardware_team)
    with session_scope() as session:
        updated = canned_responses.update(session, org.actor(org.hank), response_id,
                                          CannedResponseChanges(body="Ordered for {{ requester.first_name }}."))
        assert updated.body == "Ordered for {{ requester.first_name }}."
    with pytest.raises(PermissionDenied), session_scope() as session:  # moving it to everyone needs an admin
        canned_responses.update(session, org.actor(org.hank), response_id, CannedResponseChanges(team_id=None))
    with pytest.raises(PermissionDenied), session_scope() as session:
        canned_responses.deactivate(session, org.actor(org.ada), response_id)
    with pytest.raises(ValidationFailed), session_scope() as session:
        canned_responses.update(session, org.actor(org.hank), response_id,
                                CannedResponseChanges(body="{{ ticket.secret }}"))
    with session_scope() as session:
        canned_responses.deactivate(session, org.actor(org.hank), response_id)
    with session_scope() as session:
        response = session.get(CannedResponse, response_id)
        assert response.is_active is False and response.team_id == org.hardware_team
        assert response.body == "Ordered for {{ requester.first_name }}."
        actions = [a.action for a in session.exec(select(AuditLog).where(AuditLog.entity_type == "canned_response")
                                                   .order_by(AuditLog.id))]
        assert actions == ["canned_response.create", "canned_response.update", "canned_response.deactivate"]
        assert [r["id"] for r in canned_responses.list_manageable(session, org.actor(org.hank))] == [response_id]


# ---------------------------------------------------------------- merging


def _duplicate_with_history(org: Org) -> tuple[int, int]:
    """Alice's duplicate (a reply, an internal note, a file) and Bob's ticket it belongs with, both hardware."""
    duplicate = file_ticket(org, org.alice, org.hardware, title="Screen flickers again")
    target = file_ticket(org, org.bob, org.hardware, title="Office monitors flicker")
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.alice), duplicate, CommentDraft(body="It started at 9"))
        conversation.add_comment(session, org.actor(org.hank), duplicate,
                                 CommentDraft(body="Same root cause as Bob's", internal=True))
        attachments.add_attachment(session, org.actor(org.alice), duplicate, "flicker.png", "image/png", b"png!")
        conversation.add_comment(session, org.actor(org.hank), target, CommentDraft(body="Checking the power strip"))
        conversation.add_comment(session, org.actor(org.hank), target,
                                 CommentDraft(body="Vendor case opened", internal=True))
    return duplicate, target


def test_merge_moves_the_conversation_closes_the_duplicate_and_tells_its_requester(org: Org) -> None:
    duplicate, target = _duplicate_with_history(org)
    with session_scope() as session:
        before = {c.id: c.created_at for c in session.exec(select(Comment).where(Comment.ticket_id == duplicate))}
    with session_scope() as session:
        result = merging.merge(session, org.actor(org.hank), duplicate, target)
        assert sorted(result.moved_comment_ids) == sorted(before) and len(result.moved_attachment_ids) == 1
        assert result.new_follower_ids == [org.alice]
    duplicate_number, target_number = number_of(duplicate), number_of(target)
    with session_scope() as session:
        closed = session.get(Ticket, duplicate)
        assert closed.status == "closed" and closed.merged_into_id == target and closed.closed_at is not None
        moved = {c.id: c.created_at for c in session.exec(select(Comment).where(Comment.ticket_id == target))}
        assert all(moved[comment_id] == created_at for comment_id, created_at in before.items())
        assert session.exec(select(Comment).where(Comment.ticket_id == duplicate)).all() == []
        assert session.exec(select(Attachment.ticket_id)).one() == target
        note = session.exec(select(Comment).where(Comment.ticket_id == target, Comment.body.startswith("Merged"))).one()
        assert note.is_internal and note.body.startswith(f"Merged #{duplicate_number} into this ticket")
        assert "Screen flickers again" in note.body
        events = session.exec(select(TicketEvent).where(TicketEvent.kind == "merged")).all()
        assert {(e.ticket_id, e.field, e.new_value) for e in events} == {
            (duplicate, "merged_into_id", str(target)), (target, "merged_from_id", str(duplicate))}
        status_event = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == duplicate,
                                                              TicketEvent.field == "status")).one()
        assert (status_event.old_value, status_event.new_value) == ("new", "closed")
        audit = session.exec(select(AuditLog).where(AuditLog.action == "ticket.merge")).one()
        assert audit.details["into"] == target and audit.details["comments"] == 2
        job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.ticket_merged")).one()
        assert job.queue == "email" and job.args == {"duplicate_id": duplicate, "target_id": target}
        mail = notifications.ticket_merged(session, duplicate, target)
    assert mail.to == ["alice@example.org"] and f"[#{target_number}]" in mail.subject
    assert f"#{duplicate_number}" in mail.body and f"continues on #{target_number}" in mail.body
    assert f"/tickets/{target}" in mail.body
    with session_scope() as session:
        detail = tickets.ticket_detail(session, org.actor(org.alice), duplicate)
        assert detail["merged_into_number"] == target_number and detail["can_reply"] is False


def test_the_followed_ticket_shows_only_its_public_conversation(org: Org) -> None:
    duplicate, target = _duplicate_with_history(org)
    with session_scope() as session:
        merging.merge(session, org.actor(org.hank), duplicate, target)
    alice = org.actor(org.alice)
    with session_scope() as session:
        detail = tickets.ticket_detail(session, alice, target)
        assert detail["requester"] == "Bob Requester" and detail["can_work"] is False and detail["can_reply"] is True
        assert detail["followers"] == []  # who else follows is for IT's eyes
        assert detail["requester_email"] is None  # another employee's address is for IT's eyes too (issue #13)
        assert tickets.ticket_detail(session, org.actor(org.hank), target)["requester_email"] == "bob@example.org"
        assert tickets.ticket_detail(session, org.actor(org.bob), target)["requester_email"] == "bob@example.org"
        assert tickets.ticket_detail(session, org.actor(org.hank), target)["followers"] == ["Alice Requester"]
        seen = [c["body"] for c in conversation.list_comments(session, alice, target)]
        assert seen == ["It started at 9", "Checking the power strip"]
        listed = {r["id"] for r in tickets.list_tickets(session, alice, tickets.TicketFilters()).rows}
        assert listed == {duplicate, target}
        assert [a["filename"] for a in attachments.list_attachments(session, alice, target)] == ["flicker.png"]
        with pytest.raises(PermissionDenied):
            tickets.history(session, alice, target)
    with pytest.raises(PermissionDenied), session_scope() as session:
        conversation.add_comment(session, alice, target, CommentDraft(body="Psst", internal=True))
    with pytest.raises(PermissionDenied), session_scope() as session:
        tickets.update_ticket(session, alice, target, TicketChanges(priority="high"))


def test_a_follower_replies_and_hears_back_by_email(org: Org) -> None:
    duplicate, target = _duplicate_with_history(org)
    hank, alice = org.actor(org.hank), org.actor(org.alice)
    with session_scope() as session:
        merging.merge(session, hank, duplicate, target)
        tickets.update_ticket(session, hank, target, TicketChanges(assignee_id=org.hank, status="resolved"))
    # Alice says it is not fixed for her: like the requester's answer, it goes back to the agents' queue...
    with session_scope() as session:
        reply = conversation.add_comment(session, alice, target, CommentDraft(body="Still flickers on my desk"))
        assert session.get(Ticket, target).status == "open"
        # ... and her own list ("My tickets") shows the ticket she now follows next to her merged request.
        mine = tickets.list_tickets(session, alice, tickets.TicketFilters(involving_user_id=org.alice)).rows
        assert {r["id"] for r in mine} == {duplicate, target}
        assert {r["id"] for r in tickets.list_tickets(session, hank, tickets.TicketFilters(
            involving_user_id=org.bob)).rows} == {target}
        # ... and the assignee hears about it.
        to_agent = notifications.comment_notifications(session, reply.id)
        assert [mail.to for _, mail in to_agent] == [["hank@example.org"]]
        assert "Still flickers on my desk" in to_agent[0][1].body
    # IT's public answer reaches the requester and the follower, one e-mail each, never the author.
    with session_scope() as session:
        answer = conversation.add_comment(session, hank, target, CommentDraft(body="New cable on its way"))
        note = conversation.add_comment(session, hank, target, CommentDraft(body="Cable stock low", internal=True))
        mails = notifications.comment_notifications(session, answer.id)
        assert [(recipient, mail.to) for recipient, mail in mails] == [
            (org.bob, ["bob@example.org"]), (org.alice, ["alice@example.org"])]
        assert mails[1][1].body.startswith("Hello Alice") and f"[#{number_of(target)}]" in mails[1][1].subject
        assert notifications.comment_notifications(session, note.id) == []
    # A closed ticket takes no more replies, from followers either.
    with session_scope() as session:
        tickets.update_ticket(session, hank, target, TicketChanges(status="resolved"))
    with session_scope() as session:
        tickets.update_ticket(session, hank, target, TicketChanges(status="closed"))
    with pytest.raises(PermissionDenied, match="closed"), session_scope() as session:
        conversation.add_comment(session, alice, target, CommentDraft(body="One more thing"))


def test_an_agent_who_follows_reads_like_a_requester(org: Org) -> None:
    # Ada (access team) filed a hardware ticket; once merged she follows the target, which is not her queue.
    duplicate = file_ticket(org, org.ada, org.hardware, title="My monitor flickers")
    target = file_ticket(org, org.bob, org.hardware, title="Office monitors flicker")
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), target, CommentDraft(body="Bob's VIP", internal=True))
        merging.merge(session, org.actor(org.hank), duplicate, target)
    ada = org.actor(org.ada)
    with session_scope() as session:
        detail = tickets.ticket_detail(session, ada, target)
        assert detail["can_work"] is False and detail["sees_internal_notes"] is False
        assert [c["is_internal"] for c in conversation.list_comments(session, ada, target)] == []
        with pytest.raises(PermissionDenied):
            tickets.history(session, ada, target)
    with pytest.raises(PermissionDenied), session_scope() as session:
        tickets.update_ticket(session, ada, target, TicketChanges(priority="high"))


def test_followers_are_carried_along_when_the_target_is_merged_again(org: Org) -> None:
    first = file_ticket(org, org.alice, org.hardware)
    second = file_ticket(org, org.bob, org.hardware)
    third = file_ticket(org, org.hank, org.hardware, title="Monitors flicker on floor 2")
    hank = org.actor(org.hank)
    with session_scope() as session:
        merging.merge(session, hank, first, second)
    with session_scope() as session:
        merging.merge(session, hank, second, third)
    with session_scope() as session:
        followers = set(session.exec(select(TicketFollower.user_id).where(TicketFollower.ticket_id == third)).all())
        assert followers == {org.alice, org.bob}
        assert tickets.ticket_detail(session, org.actor(org.alice), third)["id"] == third


def test_merge_refuses_bad_pairs_and_changes_nothing(org: Org) -> None:
    duplicate, target = _duplicate_with_history(org)
    closed = file_ticket(org, org.bob, org.hardware, title="Old closed ticket")
    other_team = file_ticket(org, org.bob, org.access, title="VPN is down again")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), closed, TicketChanges(status="closed"))
    cases = [
        (org.hank, duplicate, duplicate, ValidationFailed, "into"),
        (org.hank, duplicate, closed, ValidationFailed, "into"),
        (org.hank, duplicate, other_team, NotFound, None),  # another team's ticket is invisible to Hank
        (org.ada, duplicate, target, NotFound, None),
        (org.alice, duplicate, target, NotFound, None),  # Alice can't see Bob's ticket
        (org.mona, duplicate, target, PermissionDenied, None),
    ]
    for who, dup, into, error, field in cases:
        with pytest.raises(error) as caught, session_scope() as session:
            merging.merge(session, org.actor(who), dup, into)
        if field:
            assert field in caught.value.field_errors
    with pytest.raises(PermissionDenied), session_scope() as session:  # her own two tickets, but she can't work them
        merging.merge(session, org.actor(org.alice), duplicate, file_ticket(org, org.alice, org.hardware))
    with session_scope() as session:
        assert session.get(Ticket, duplicate).merged_into_id is None
        assert session.get(Ticket, duplicate).status == "new"
        assert len(session.exec(select(Comment).where(Comment.ticket_id == duplicate)).all()) == 2
        assert session.exec(select(TicketFollower)).all() == []
        assert session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.ticket_merged")).all() == []

    with session_scope() as session:
        merging.merge(session, org.actor(org.root), duplicate, target)
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        merging.merge(session, org.actor(org.root), duplicate, file_ticket(org, org.alice, org.hardware))
    assert "ticket_id" in caught.value.field_errors
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        merging.merge(session, org.actor(org.root), file_ticket(org, org.alice, org.hardware), duplicate)
    assert "into" in caught.value.field_errors


def test_merging_closes_a_ticket_whatever_its_status(org: Org) -> None:
    duplicate = file_ticket(org, org.alice, org.hardware)
    target = file_ticket(org, org.bob, org.hardware)
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), duplicate, TicketChanges(status="waiting_on_customer"))
    with session_scope() as session:
        merging.merge(session, org.actor(org.hank), duplicate, target, now=utcnow() + timedelta(minutes=1))
    with session_scope() as session:
        ticket = session.get(Ticket, duplicate)
        assert ticket.status == "closed" and ticket.sla_paused_at is None
        assert merging.merged_duplicates(session, org.actor(org.hank), target)[0]["id"] == duplicate


# ---------------------------------------------------------------- related tickets


def test_link_shows_on_both_tickets_once_and_unlink_removes_it(org: Org) -> None:
    first = file_ticket(org, org.alice, org.hardware, title="Printer jams")
    second = file_ticket(org, org.bob, org.hardware, title="Printer shows error 42")
    hank = org.actor(org.hank)
    with session_scope() as session:
        assert links.link(session, hank, second, first) is True
    with session_scope() as session:
        assert links.link(session, hank, first, second) is False  # already related: nothing new
    with session_scope() as session:
        (stored,) = session.exec(select(TicketLink)).all()
        assert (stored.ticket_id, stored.related_ticket_id, stored.created_by_id) == (first, second, org.hank)
        assert links.related(session, hank, first) == [
            {"id": second, "number": number_of(second), "title": "Printer shows error 42", "status": "new"}]
        assert [r["id"] for r in links.related(session, hank, second)] == [first]
        events = session.exec(select(TicketEvent).where(TicketEvent.kind == "linked")).all()
        assert {(e.ticket_id, e.new_value) for e in events} == {(first, str(second)), (second, str(first))}
        assert session.exec(select(AuditLog).where(AuditLog.action == "ticket.link")).one().actor_id == org.hank
    with session_scope() as session:
        links.unlink(session, hank, first, second)
    with session_scope() as session:
        assert session.exec(select(TicketLink)).all() == []
        assert links.related(session, hank, first) == []
        assert len(session.exec(select(TicketEvent).where(TicketEvent.kind == "unlinked")).all()) == 2
    with pytest.raises(NotFound), session_scope() as session:
        links.unlink(session, hank, first, second)


def test_links_need_two_workable_tickets_and_show_only_visible_ones(org: Org) -> None:
    hardware = file_ticket(org, org.alice, org.hardware, title="Printer jams")
    access = file_ticket(org, org.alice, org.access, title="Cannot log in to VPN")
    other_hardware = file_ticket(org, org.bob, org.hardware, title="Printer error 42")
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        links.link(session, org.actor(org.hank), hardware, hardware)
    assert "related_ticket_id" in caught.value.field_errors
    with pytest.raises(NotFound), session_scope() as session:
        links.link(session, org.actor(org.hank), hardware, access)
    for who in (org.alice, org.mona):  # the requester of both; a manager who reads everything
        with pytest.raises(PermissionDenied), session_scope() as session:
            links.link(session, org.actor(who), hardware, access)
    with session_scope() as session:
        links.link(session, org.actor(org.root), hardware, access)
        links.link(session, org.actor(org.root), hardware, other_hardware)
    with session_scope() as session:
        assert [r["id"] for r in links.related(session, org.actor(org.hank), hardware)] == [other_hardware]
        assert {r["id"] for r in links.related(session, org.actor(org.mona), hardware)} == {access, other_hardware}
        assert [r["id"] for r in links.related(session, org.actor(org.alice), hardware)] == [access]
        with pytest.raises(NotFound):
            links.related(session, org.actor(org.bob), hardware)
