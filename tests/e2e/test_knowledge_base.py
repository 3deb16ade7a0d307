"""Knowledge base in Chromium: deflection while filing a ticket, search as you type, safe article bodies."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.identity import preferences
from helpdesk.kb import articles as kb
from helpdesk.models import KbDeflection, Ticket
from tests.e2e.conftest import open_page
from tests.factories import Org

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def publish(org: Org, title: str, body: str, tags: list[str] | None = None) -> str:
    with session_scope() as session:
        admin = org.actor(org.root)
        article = kb.create_article(session, admin, kb.ArticleDraft(title=title, body_markdown=body,
                                                                    summary=f"About {title.lower()}",
                                                                    tags=tags or []))
        kb.publish_article(session, admin, article.id)
        return article.slug


def test_a_suggested_article_solves_the_problem_and_no_ticket_is_filed(sign_in, org: Org) -> None:  # noqa: ANN001
    slug = publish(org, "Connect to the VPN from home", "Install the VPN client and approve the MFA prompt.",
                   ["vpn", "remote"])
    page = sign_in("alice@example.org")
    open_page(page, "/portal/new")
    page.fill("#title", "VPN keeps disconnecting at home")
    page.fill("#description", "Working from home the vpn drops every few minutes today")
    suggestion = page.get_by_test_id("deflection-suggestion").filter(has_text="Connect to the VPN from home")
    expect(suggestion).to_be_visible()
    suggestion.get_by_test_id("deflect-solved").click()
    page.wait_for_url(re.compile(rf"/kb/{slug}$"))
    expect(page.get_by_test_id("kb-title")).to_have_text("Connect to the VPN from home")
    with session_scope() as session:
        deflection = session.exec(select(KbDeflection)).one()
        assert (deflection.outcome, deflection.user_id, deflection.ticket_id) == ("solved", org.alice, None)
        assert session.exec(select(Ticket)).all() == []


def test_filing_anyway_records_which_articles_were_shown(sign_in, org: Org) -> None:  # noqa: ANN001
    publish(org, "Printer shows a paper jam", "Open every tray and switch the printer off for 30 seconds.",
            ["printer"])
    page = sign_in("alice@example.org")
    open_page(page, "/portal/new")
    page.fill("#title", "Printer paper jam on the 2nd floor")
    page.fill("#description", "The printer says paper jam but there is no paper stuck inside")
    expect(page.get_by_test_id("deflection-suggestion")).to_have_count(1)
    page.click("[data-testid=submit-ticket]")
    page.wait_for_url(re.compile(r"/tickets/\d+$"))
    with session_scope() as session:
        ticket = session.exec(select(Ticket)).one()
        deflection = session.exec(select(KbDeflection)).one()
    assert (deflection.outcome, deflection.ticket_id) == ("filed_anyway", ticket.id)
    assert len(deflection.shown_article_ids) == 1


def test_search_as_you_type_tolerates_typos_and_bodies_cannot_run_script(sign_in, org: Org) -> None:  # noqa: ANN001
    slug = publish(org, "Reset your password", "Use **Forgot password** on the sign-in page.\n\n"
                   "<img src=x onerror=\"window.__pwned=1\"> <script>window.__pwned=2</script>"
                   "\n\n[click me](javascript:window.__pwned=3)", ["password"])
    page = sign_in("bob@example.org")
    open_page(page, "/kb")
    page.get_by_test_id("kb-search").fill("pasword reset")
    result = page.get_by_test_id("kb-result").filter(has_text="Reset your password")
    expect(result).to_be_visible()
    result.click()
    page.wait_for_url(re.compile(rf"/kb/{slug}$"))
    expect(page.get_by_test_id("kb-body")).to_contain_text("Forgot password")
    page.get_by_text("click me").click()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("[data-testid=kb-body] script").count() == 0
    page.get_by_test_id("kb-helpful").click()
    expect(page.get_by_text("Thanks for the feedback!")).to_be_visible()


def test_agents_see_matching_articles_and_insert_a_link_in_a_reply(sign_in, org: Org) -> None:  # noqa: ANN001
    from helpdesk.tickets import tickets
    from tests.factories import draft

    slug = publish(org, "Mailbox full: free up space in Outlook", "Empty Deleted Items and turn on the archive.",
                   ["outlook", "mailbox"])
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Outlook mailbox full", description="Outlook says my mailbox is full and I cannot send.",
            category_id=org.hardware)).id
    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{ticket_id}")
    page.get_by_test_id("insert-article").click()
    reply = page.get_by_test_id("reply-box")
    expect(reply).to_have_value(re.compile(rf"^This article should help: Mailbox full: free up space in Outlook - "
                                           rf"http\S+/kb/{slug}$"))

    # The line is written to the requester, so it is in their language, not the agent's.
    with session_scope() as session:
        preferences.set_language(session, org.actor(org.alice), "ur")
    open_page(page, f"/tickets/{ticket_id}")
    page.get_by_test_id("insert-article").click()
    expect(reply).to_have_value(re.compile(rf"یہ مضمون مدد کرے گا: Mailbox full: free up space in Outlook - "
                                           rf"http\S+/kb/{slug}$"))


def test_an_agent_drafts_an_article_from_a_resolved_ticket(sign_in, org: Org) -> None:  # noqa: ANN001
    from helpdesk.tickets import tickets
    from helpdesk.tickets.validation import TicketChanges
    from tests.factories import draft

    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Webcam not detected after update", category_id=org.hardware)).id
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(status="resolved"))
    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{ticket_id}")
    page.get_by_test_id("make-article").click()
    page.wait_for_url(re.compile(r"/kb/webcam-not-detected-after-update$"))
    expect(page.get_by_test_id("kb-title")).to_have_text("Webcam not detected after update")
