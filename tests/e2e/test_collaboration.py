"""Issue #18's collaboration features in Chromium: files on replies (a requester on a 390 px phone), filing for
someone who phoned, the requester marking a ticket solved, follow and CC, and the notification bell (live).

Screenshots of every changed page go to test-artifacts/screenshots/ (1366 px and 390 px).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.models import Ticket, User
from helpdesk.tickets import cc, conversation, following, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.e2e.conftest import open_page, signing_in
from tests.e2e.test_accessibility import serious_violations
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def sign_in_on(web_app: str, browser, org: Org) -> Iterator:  # noqa: ANN001
    """Signs a person in on a browser of the given screen size (phones get touch and the mobile viewport)."""
    with signing_in(browser, web_app) as open_as:
        yield lambda email, viewport=DESKTOP: open_as(email, viewport=viewport)


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png"), full_page=True)


def assert_fits(page: Page) -> None:
    page.wait_for_timeout(300)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => `${e.tagName}.${e.className} ${e.getAttribute('data-testid') || ''}`)""")
        raise AssertionError(f"{page.url}: the page is {widths[0]} px wide in a {widths[1]} px screen: {wide}")


def a_ticket(org: Org, assignee: int | None = None) -> int:
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Docking station stops charging", category_id=org.hardware)).id
        if assignee:
            tickets.update_ticket(session, org.actor(org.hank), ticket_id, TicketChanges(assignee_id=assignee))
    return ticket_id


def test_a_requester_on_a_phone_replies_with_a_photo_and_an_agents_note_file_stays_internal(
        sign_in_on, org: Org) -> None:  # noqa: ANN001
    ticket_id = a_ticket(org, assignee=org.hank)
    phone = sign_in_on("alice@example.org", PHONE)
    open_page(phone, f"/tickets/{ticket_id}")
    box = phone.get_by_test_id("reply-box")
    box.scroll_into_view_if_needed()
    assert box.bounding_box()["width"] >= 300
    box.fill("Here is a photo of the dock's light.")
    phone.set_input_files("[data-testid=reply-files] input[type=file]", files=[
        {"name": "dock-light.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8\xff fake jpeg bytes"}])
    expect(phone.get_by_test_id("reply-file-chosen")).to_have_text("dock-light.jpg")
    assert_fits(phone)
    shot(phone, "ticket-reply-with-file-requester")
    phone.get_by_test_id("send-reply").tap()
    sent = phone.get_by_test_id("comment").filter(has_text="photo of the dock")
    expect(sent.get_by_test_id("comment-file")).to_contain_text("dock-light.jpg")
    expect(phone.get_by_test_id("reply-file-chosen")).to_have_count(0)
    assert_fits(phone)
    shot(phone, "ticket-reply-sent-requester")

    agent = sign_in_on("hank@example.org")
    open_page(agent, f"/tickets/{ticket_id}")
    received = agent.get_by_test_id("comment").filter(has_text="photo of the dock")
    link = received.get_by_test_id("comment-file")
    expect(link).to_contain_text("dock-light.jpg")
    download = agent.request.get(link.get_attribute("href"))
    assert download.ok and download.body() == b"\xff\xd8\xff fake jpeg bytes"

    agent.get_by_test_id("reply-box").fill("Firmware log from the dock, for the vendor.")
    agent.set_input_files("[data-testid=reply-files] input[type=file]", files=[
        {"name": "dock-firmware.log", "mimeType": "text/plain", "buffer": b"fw 1.2.3 crash"}])
    agent.get_by_test_id("add-note").click()
    note = agent.get_by_test_id("comment").filter(has_text="Firmware log")
    note_file = note.get_by_test_id("comment-file")
    expect(note_file).to_contain_text("dock-firmware.log")
    shot(agent, "ticket-note-with-file-agent")
    note_href = note_file.get_attribute("href")

    # Live on the requester's phone: the note and its file never arrive; its download link answers 404 for them.
    phone.reload()
    phone.wait_for_selector("[data-testid=hydrated]", state="attached")
    expect(phone.get_by_test_id("comment")).to_have_count(1)
    expect(phone.get_by_text("dock-firmware.log")).to_have_count(0)
    assert phone.request.get(note_href).status == 404
    assert serious_violations(phone) == []


def test_an_agent_files_for_a_new_person_who_phoned(sign_in_on, org: Org) -> None:  # noqa: ANN001
    agent = sign_in_on("hank@example.org")
    agent.get_by_test_id("file-for-someone").click()
    agent.wait_for_url(re.compile(r"/queue/new$"))
    agent.wait_for_selector("[data-testid=hydrated]", state="attached")
    agent.get_by_test_id("person-search").fill("bob")
    expect(agent.get_by_test_id("person-match")).to_have_count(1)
    expect(agent.get_by_test_id("person-match")).to_contain_text("bob@example.org")
    shot(agent, "file-for-search")
    agent.get_by_test_id("new-person").click()
    agent.get_by_test_id("file-for-submit").click()
    expect(agent.get_by_test_id("error-requester_full_name")).to_be_visible()
    expect(agent.get_by_test_id("error-title")).to_be_visible()
    with session_scope() as session:
        assert session.query(Ticket).count() == 0
    agent.get_by_test_id("new-name").fill("Farah Caller")
    agent.get_by_test_id("new-email").fill("farah.caller@example.org")
    agent.get_by_test_id("title").fill("VPN disconnects every ten minutes")
    agent.get_by_test_id("description").fill("Farah phoned: the VPN drops every ten minutes since this morning.")
    assert serious_violations(agent) == []
    shot(agent, "file-for-new-person")
    agent.get_by_test_id("file-for-submit").click()
    agent.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(agent.get_by_test_id("ticket-title")).to_have_text("VPN disconnects every ten minutes")
    expect(agent.get_by_test_id("filed-by")).to_have_text("Hank Hardware · Phone call")
    with session_scope() as session:
        farah = session.query(User).filter(User.email == "farah.caller@example.org").one()
        ticket = session.query(Ticket).one()
        assert (ticket.requester_id, ticket.source, farah.role) == (farah.id, "phone", "requester")

    tablet_phone = sign_in_on("hank@example.org", PHONE)
    open_page(tablet_phone, "/queue/new")
    expect(tablet_phone.get_by_test_id("person-search")).to_be_visible()
    assert_fits(tablet_phone)
    shot(tablet_phone, "file-for-search")


def test_requester_marks_solved_on_a_phone_and_the_agent_sees_it_live(sign_in_on, org: Org) -> None:  # noqa: ANN001
    ticket_id = a_ticket(org, assignee=org.hank)
    agent = sign_in_on("hank@example.org")
    open_page(agent, f"/tickets/{ticket_id}")
    expect(agent.get_by_test_id("status-select")).to_contain_text("Open")

    phone = sign_in_on("alice@example.org", PHONE)
    open_page(phone, f"/tickets/{ticket_id}")
    phone.get_by_test_id("mark-solved").tap()
    phone.get_by_test_id("solve-note").fill("Restarting the dock fixed it, thanks!")
    shot(phone, "ticket-mark-solved-dialog")
    assert serious_violations(phone) == []
    phone.get_by_test_id("confirm-solved").tap()
    expect(phone.get_by_test_id("csat-prompt")).to_be_visible()
    expect(phone.get_by_test_id("mark-solved")).to_have_count(0)
    assert_fits(phone)
    shot(phone, "ticket-solved-requester")

    # The agent's open page follows without a reload: the status, the note, and the bell.
    expect(agent.get_by_test_id("status-select")).to_contain_text("Resolved", timeout=15000)
    expect(agent.get_by_test_id("comment").filter(has_text="Restarting the dock fixed it")).to_be_visible()

    # Replying reopens it, as today's rule says.
    phone.get_by_test_id("reply-box").fill("Sorry, it stopped charging again.")
    phone.get_by_test_id("send-reply").tap()
    expect(agent.get_by_test_id("status-select")).to_contain_text("Open", timeout=15000)


def test_follow_cc_and_the_live_bell(sign_in_on, org: Org) -> None:  # noqa: ANN001
    ticket_id = a_ticket(org)
    agent = sign_in_on("hank@example.org")
    open_page(agent, f"/tickets/{ticket_id}")
    agent.get_by_test_id("follow-button").click()
    expect(agent.get_by_test_id("follow-button")).to_have_text("Stop following")
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.hank), ticket_id,
                                 CommentDraft(body="Vendor says firmware 1.2.4 fixes it.", internal=True))

    requester = sign_in_on("alice@example.org")
    open_page(requester, f"/tickets/{ticket_id}")
    requester.get_by_test_id("cc-email").fill("nobody@example.org")
    requester.get_by_test_id("add-cc").click()
    expect(requester.get_by_test_id("cc-error")).to_contain_text("Nobody with that e-mail")
    requester.get_by_test_id("cc-email").fill("bob@example.org")
    requester.get_by_test_id("add-cc").click()
    expect(requester.get_by_test_id("cc-person")).to_contain_text("Bob Requester")
    shot(requester, "ticket-cc-requester")

    # Bob's bell already says he was copied in; he reads the public conversation only and no one's address.
    bob = sign_in_on("bob@example.org", PHONE)
    expect(bob.get_by_test_id("bell-count")).to_have_text("1")
    bob.get_by_test_id("bell").tap()
    item = bob.get_by_test_id("notification").first
    expect(item).to_contain_text("Alice Requester copied you in")
    shot(bob, "bell-open-cc")
    assert serious_violations(bob) == []
    item.tap()
    bob.wait_for_url(re.compile(rf"/tickets/{ticket_id}$"))
    expect(bob.get_by_test_id("ticket-title")).to_have_text("Docking station stops charging")
    expect(bob.get_by_text("Vendor says firmware")).to_have_count(0)
    expect(bob.get_by_test_id("bell-count")).to_have_count(0)
    page_text = bob.content()
    assert "alice@example.org" not in page_text and "hank@example.org" not in page_text
    assert_fits(bob)
    shot(bob, "ticket-as-cc")

    # A public reply: the follower's bell counts up live, without a reload.
    open_page(agent, "/queue")
    expect(agent.get_by_test_id("bell-count")).to_have_count(0)
    requester.get_by_test_id("reply-box").fill("Bob has the same dock, it fails for him too.")
    requester.get_by_test_id("send-reply").click()
    expect(agent.get_by_test_id("bell-count")).to_have_text("1", timeout=15000)
    expect(bob.get_by_test_id("bell-count")).to_have_text("1", timeout=15000)
    agent.get_by_test_id("bell").click()
    expect(agent.get_by_test_id("notification").first).to_contain_text("Alice Requester replied on #")
    shot(agent, "bell-open-agent")
    assert serious_violations(agent) == []
    agent.get_by_test_id("mark-all-read").click()
    expect(agent.get_by_test_id("bell-count")).to_have_count(0)
    expect(agent.get_by_test_id("notification").first).to_have_attribute("data-unread", "false")
    with session_scope() as session:
        assert following.watcher_ids(session, ticket_id) == [org.hank]
        assert [p["name"] for p in cc.list_cc(session, org.actor(org.hank), ticket_id)] == ["Bob Requester"]


def test_changed_pages_at_both_widths(sign_in_on, org: Org) -> None:  # noqa: ANN001
    """Every page this work changed, at 1366 and 390 px: nothing overflows, axe finds nothing serious."""
    ticket_id = a_ticket(org, assignee=org.hank)
    with session_scope() as session:
        conversation.add_comment(session, org.actor(org.alice), ticket_id,
                                 CommentDraft(body="It happens on both docks."),
                                 files=[("dock.jpg", "image/jpeg", b"\xff\xd8\xff")])
        cc.add_cc(session, org.actor(org.alice), ticket_id, "bob@example.org")
    problems = []
    for viewport in (DESKTOP, PHONE):
        agent = sign_in_on("hank@example.org", viewport)
        for path, ready, name in (("/queue", "file-for-someone", "queue-agent"),
                                  ("/portal/new", "file-for-link", "new-ticket-agent"),
                                  ("/queue/new", "person-search", "file-for-empty"),
                                  (f"/tickets/{ticket_id}", "follow-button", "ticket-agent")):
            open_page(agent, path)
            expect(agent.get_by_test_id(ready)).to_be_visible()
            assert_fits(agent)
            problems += serious_violations(agent)
            shot(agent, name)
        requester = sign_in_on("alice@example.org", viewport)
        open_page(requester, f"/tickets/{ticket_id}")
        expect(requester.get_by_test_id("mark-solved")).to_be_visible()
        expect(requester.get_by_test_id("comment-file")).to_contain_text("dock.jpg")
        assert_fits(requester)
        problems += serious_violations(requester)
        shot(requester, "ticket-requester")
    assert problems == []
