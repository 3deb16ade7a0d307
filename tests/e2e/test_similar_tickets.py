"""Similar tickets, the duplicate flag with one-click merge, and the LLM assistant, in Chromium.

The app here runs with an LLM provider configured (the local fake server), so it is a web server of its own; the
shared `web_app` (no provider) is not started by this module.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.models import Comment, Ticket
from helpdesk.models.base import utcnow
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.conftest import _web_server
from tests.e2e.conftest import open_page, signing_in
from tests.factories import Org, draft
from tests.llm_server import REPLY_TEXT, SUMMARY_TEXT, FakeLlm

if TYPE_CHECKING:
    from tests.conftest import TestEnvironment

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LLM_ENV = ("LLM_BASE_URL", "LLM_MODEL", "LLM_TIMEOUT_SECONDS")
# Set to a folder to keep screenshots of the panels (used for the feature's review).
SCREENSHOTS = os.environ.get("E2E_SCREENSHOTS", "")


@pytest.fixture(scope="module")
def fake_llm() -> Iterator[FakeLlm]:
    server = FakeLlm().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def assist_app(test_env: TestEnvironment, fake_llm: FakeLlm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    saved = {name: os.environ.get(name) for name in LLM_ENV}

    def restore() -> None:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    # The web process inherits these; this test process restores its own environment right after the start.
    os.environ.update({"LLM_BASE_URL": fake_llm.base_url, "LLM_MODEL": "tiny-test-model", "LLM_TIMEOUT_SECONDS": "2"})
    try:
        with _web_server(test_env, "assist", 3250, tmp_path_factory.mktemp("logs")) as url:
            restore()
            yield url
    finally:
        restore()


@pytest.fixture
def sign_in(assist_app: str, browser, org: Org) -> Iterator[Callable[[str], Page]]:  # noqa: ANN001
    with signing_in(browser, assist_app, viewport_height=1000) as open_as:
        yield open_as


def file(org: Org, title: str, description: str, *, by: int | None = None, days_ago: float = 0) -> Ticket:
    with session_scope() as session:
        ticket = tickets.create_ticket(session, org.actor(by or org.alice),
                                       draft(title=title, description=description, category_id=org.hardware),
                                       now=utcnow() - timedelta(days=days_ago))
        session.expunge(ticket)
        return ticket


def resolve_with(org: Org, ticket_id: int, answer: str) -> None:
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id, CommentDraft(body=answer))
        tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(status="resolved"))


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        expect(page.locator("[data-sonner-toast]")).to_have_count(0, timeout=15000)  # toasts cover the panels
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def test_agent_sees_similar_tickets_flags_the_duplicate_uses_the_assistant_and_merges(
    sign_in, org: Org, fake_llm: FakeLlm  # noqa: ANN001
) -> None:
    fake_llm.reset()
    solved = file(org, "Outlook crashes when opening attachments",
                  "Outlook closes every time I open a PDF attachment.", by=org.bob, days_ago=20)
    resolve_with(org, solved.id, "A broken PDF preview add-in caused it; we removed it and Outlook is fine again.")
    earlier = file(org, "Outlook won't open", "Outlook crashes when I start it since this morning.", days_ago=1)
    later = file(org, "Outlook crashing on start",
                 "Since this morning Outlook crashes straight away when I start it.")
    unrelated = file(org, "Badge does not open the door", "My building badge stopped opening the main door.")

    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{later.id}")
    panel = page.get_by_test_id("similar-panel")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("duplicate-flag")).to_have_text(f"Likely duplicate of #{earlier.number}")
    rows = panel.get_by_test_id("similar-ticket")
    expect(rows.first).to_contain_text(f"#{earlier.number}")
    expect(panel.get_by_test_id("similar-resolution")).to_contain_text("broken PDF preview add-in")
    expect(panel).not_to_contain_text(unrelated.title)

    # The assistant: a summary in the panel, a suggested reply in the reply box (not sent).
    page.get_by_test_id("llm-summarise").click()
    expect(page.get_by_test_id("llm-summary")).to_have_text(SUMMARY_TEXT)
    page.get_by_test_id("llm-suggest-reply").click()
    expect(page.get_by_test_id("reply-box")).to_have_value(REPLY_TEXT)
    shot(page, "similar-and-assistant")
    with session_scope() as session:
        assert session.query(Comment).filter(Comment.ticket_id == later.id).count() == 0  # nothing was sent

    # A failing provider: a clear message, the page carries on.
    fake_llm.status = 500
    page.get_by_test_id("llm-summarise").click()
    expect(page.get_by_test_id("llm-error")).to_contain_text("HTTP 500")
    expect(page.get_by_test_id("reply-box")).to_have_value(REPLY_TEXT)
    shot(page, "assistant-error")
    assert len(fake_llm.requests) == 3

    page.get_by_test_id("merge-duplicate").click()
    page.wait_for_url(re.compile(rf"/tickets/{earlier.id}$"))
    expect(page.get_by_test_id("ticket-title")).to_have_text("Outlook won't open")
    with session_scope() as session:
        merged = session.get(Ticket, later.id)
        assert merged.merged_into_id == earlier.id and merged.status == "closed"
    expect(page.get_by_test_id("duplicate-flag")).to_have_count(0)


def test_requesters_see_neither_panel(sign_in, org: Org, fake_llm: FakeLlm) -> None:  # noqa: ANN001
    fake_llm.reset()
    file(org, "VPN keeps disconnecting", "The VPN drops every 10 minutes when I am working from home.", days_ago=1)
    mine = file(org, "VPN disconnects every few minutes", "Working from home today and my VPN keeps dropping.")
    page = sign_in("alice@example.org")
    open_page(page, f"/tickets/{mine.id}")
    expect(page.get_by_test_id("ticket-title")).to_have_text("VPN disconnects every few minutes")
    expect(page.get_by_test_id("reply-box")).to_be_visible()
    expect(page.get_by_test_id("similar-panel")).to_have_count(0)
    expect(page.get_by_test_id("llm-summarise")).to_have_count(0)
    expect(page.get_by_test_id("duplicate-flag")).to_have_count(0)
    assert fake_llm.requests == []
