"""Turning a resolved ticket into a draft help article."""

from __future__ import annotations

import pytest

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.kb import articles as kb
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft


def resolved_ticket(org: Org) -> int:
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Docking station gives no display", description="Both monitors stay black when docked.",
            category_id=org.hardware)).id
    with session_scope() as session:
        hank = org.actor(org.hank)
        conversation.add_comment(session, hank, ticket_id, CommentDraft(body="Update the dock firmware to 1.2."))
        conversation.add_comment(session, hank, ticket_id, CommentDraft(body="User is a VIP", internal=True))
        tickets.update_ticket(session, hank, ticket_id, TicketChanges(status="resolved"))
    return ticket_id


def test_an_agent_turns_a_resolved_ticket_into_a_draft_without_internal_notes(org: Org) -> None:
    ticket_id = resolved_ticket(org)
    with session_scope() as session:
        article = kb.draft_from_ticket(session, org.actor(org.hank), ticket_id)
        assert (article.title, article.status) == ("Docking station gives no display", "draft")
        assert "Both monitors stay black" in article.body_markdown
        assert "Update the dock firmware to 1.2." in article.body_markdown
        assert "VIP" not in article.body_markdown and "Alice" not in article.body_markdown
        slug = article.slug
    with pytest.raises(NotFound), session_scope() as session:
        kb.get_by_slug(session, org.actor(org.alice), slug)  # drafts stay hidden from requesters


def test_only_resolved_tickets_and_only_agents_working_them(org: Org) -> None:
    with session_scope() as session:
        open_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
    with pytest.raises(ValidationFailed), session_scope() as session:
        kb.draft_from_ticket(session, org.actor(org.hank), open_id)
    ticket_id = resolved_ticket(org)
    with pytest.raises(PermissionDenied), session_scope() as session:
        kb.draft_from_ticket(session, org.actor(org.alice), ticket_id)
    with pytest.raises(NotFound), session_scope() as session:
        kb.draft_from_ticket(session, org.actor(org.ada), ticket_id)  # another team's agent
