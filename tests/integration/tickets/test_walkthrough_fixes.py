"""Service-level parts of the walk-through's fixes (#18): bulk counts, ticket references, demo KB categories."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound
from helpdesk.kb import categories as kb_categories
from helpdesk.models import KbArticle
from helpdesk.tickets import tickets
from helpdesk.tickets.validation import TicketChanges
from tests.factories import Org, draft


def test_bulk_update_counts_only_tickets_that_changed(org: Org) -> None:
    with session_scope() as session:
        hank = org.actor(org.hank)
        first = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        second = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
        tickets.update_ticket(session, hank, first, TicketChanges(status="in_progress"))
    with session_scope() as session:
        result = tickets.bulk_update(session, org.actor(org.hank), [first, second], TicketChanges(status="in_progress"))
    assert (result.updated, result.unchanged, result.failed) == ([second], [first], {})


def test_a_ticket_reference_is_its_id_or_the_number_people_see(org: Org) -> None:
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware))
        ticket_id, number = ticket.id, ticket.number
    with session_scope() as session:
        assert tickets.id_for_reference(session, org.actor(org.hank), ticket_id) == ticket_id
        assert tickets.id_for_reference(session, org.actor(org.hank), number) == ticket_id
        with pytest.raises(NotFound):
            tickets.id_for_reference(session, org.actor(org.bob), number)  # not Bob's to read
    assert tickets.looks_like_number("#1443") and tickets.looks_like_number(" 1443 ")
    assert not tickets.looks_like_number("printer 4")


def test_demo_articles_sit_in_the_category_tree_the_panel_shows(org: Org) -> None:
    from helpdesk.seed.demo import _seed_knowledge_base

    with session_scope() as session:
        session.execute(text("TRUNCATE kb_categories, kb_articles, kb_article_revisions, kb_votes, kb_deflections "
                             "RESTART IDENTITY CASCADE"))
    with session_scope() as session:
        _seed_knowledge_base(session, org.root)
    with session_scope() as session:
        panel = kb_categories.category_options(session, org.actor(org.mona), include_inactive=True)
        articles = session.exec(select(KbArticle)).all()
    assert {"Hardware", "Printers", "Network", "VPN"} <= {row["name"] for row in panel}
    assert articles and all(article.category_id in {row["id"] for row in panel} for article in articles)
