"""A requester files a ticket, an agent answers it in the queue, the requester sees the answer (Chromium)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from helpdesk.core.db import session_scope
from helpdesk.tickets import tickets
from tests.e2e.conftest import open_page
from tests.factories import Org, draft
from tests.processes import mail_text

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_requester_files_agent_replies_requester_sees_reply(sign_in, org: Org, tmp_path, inbox) -> None:  # noqa: ANN001
    requester = sign_in("alice@example.org")
    expect(requester).to_have_url(re.compile(r"/portal$"))
    expect(requester.get_by_text("No tickets here")).to_be_visible()

    open_page(requester, "/portal/new")
    requester.fill("#title", "Projector in room 4 shows no signal")
    requester.fill("#description", "The projector says 'no signal' with every laptop we tried since Monday.")
    screenshot = tmp_path / "projector.png"
    screenshot.write_bytes(b"\x89PNG\r\n\x1a\n fake image bytes")
    requester.set_input_files("input[type=file]", str(screenshot))
    expect(requester.get_by_text("projector.png")).to_be_visible()
    requester.click("[data-testid=submit-ticket]")
    requester.wait_for_url(re.compile(r"/tickets/\d+$"))
    ticket_url = requester.url
    expect(requester.get_by_test_id("ticket-title")).to_have_text("Projector in room 4 shows no signal")
    expect(requester.get_by_text("projector.png")).to_be_visible()

    agent = sign_in("hank@example.org")
    expect(agent).to_have_url(re.compile(r"/queue$"))
    row = agent.get_by_test_id("queue-row").filter(has_text="Projector in room 4 shows no signal")
    expect(row).to_be_visible()
    row.get_by_test_id("queue-row-title").click()
    agent.wait_for_url(ticket_url)
    agent.get_by_test_id("reply-box").fill("Please try the HDMI cable in the drawer; the VGA one is broken.")
    agent.click("[data-testid=send-reply]")
    expect(agent.get_by_test_id("comment").filter(has_text="HDMI cable in the drawer")).to_be_visible()
    agent.get_by_test_id("reply-box").fill("Cable inventory is low, order more.")
    agent.click("[data-testid=add-note]")
    expect(agent.get_by_text("Internal note", exact=True)).to_be_visible()

    requester.reload()
    requester.wait_for_selector("[data-testid=hydrated]", state="attached")
    expect(requester.get_by_test_id("comment").filter(has_text="HDMI cable in the drawer")).to_be_visible()
    expect(requester.get_by_text("Cable inventory is low")).to_have_count(0)
    requester.get_by_test_id("reply-box").fill("That worked, thank you!")
    requester.click("[data-testid=send-reply]")
    expect(requester.get_by_test_id("comment").filter(has_text="That worked")).to_be_visible()
    mail = inbox.wait_for(lambda m: "HDMI cable in the drawer" in mail_text(m))
    assert mail["To"] == "alice@example.org"


def test_new_ticket_form_shows_field_errors_and_files_nothing(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("alice@example.org")
    open_page(page, "/portal/new")
    page.fill("#title", "Hi")
    page.click("[data-testid=submit-ticket]")
    expect(page.get_by_test_id("error-title")).to_have_text("Title is too short (at least 5 characters)")
    expect(page.get_by_test_id("error-description")).to_contain_text("Description is too short")
    with session_scope() as session:
        assert tickets.list_tickets(session, org.actor(org.root), tickets.TicketFilters()).rows == []


def test_requester_cannot_open_someone_elses_ticket_or_the_queue(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        bobs = tickets.create_ticket(session, org.actor(org.bob), draft(title="Bob's private problem")).id
    page = sign_in("alice@example.org")
    open_page(page, f"/tickets/{bobs}")
    expect(page.get_by_text("Ticket not found")).to_be_visible()
    expect(page.get_by_text("Bob's private problem")).to_have_count(0)
    expect(page.get_by_test_id("reply-box")).to_have_count(0)
    page.goto("/queue")
    page.wait_for_url(re.compile(r"/portal$"))


def test_wrong_password_is_explained_and_signed_out_pages_redirect(web_app: str, browser, org: Org) -> None:  # noqa: ANN001
    context = browser.new_context(base_url=web_app)
    page = context.new_page()
    page.goto("/queue")
    page.wait_for_url(re.compile(r"/login\?next=/queue"))
    page.wait_for_selector("[data-testid=hydrated]", state="attached")
    page.fill("#email", "alice@example.org")
    page.fill("#password", "not her password")
    page.click("[data-testid=sign-in]")
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    context.close()


def test_manager_reads_tickets_without_edit_controls(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
    page = sign_in("mona@example.org")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    open_page(page, f"/tickets/{ticket_id}")
    expect(page.get_by_test_id("ticket-title")).to_be_visible()
    expect(page.get_by_test_id("status-select")).to_have_count(0)
    expect(page.get_by_test_id("send-reply")).to_have_count(0)


def test_agent_changes_status_and_assignment_from_the_ticket_page(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(category_id=org.hardware)).id
    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{ticket_id}")
    page.click("[data-testid=assign-me]")
    expect(page.get_by_test_id("assignee-select")).to_have_text("Hank Hardware")
    page.click("[data-testid=status-select]")
    page.get_by_role("option", name="In progress").click()
    expect(page.get_by_test_id("history")).to_contain_text("changed status from Open to In progress")
    with session_scope() as session:
        detail = tickets.ticket_detail(session, org.actor(org.root), ticket_id)
    assert (detail["status"], detail["assignee_id"]) == ("in_progress", org.hank)
