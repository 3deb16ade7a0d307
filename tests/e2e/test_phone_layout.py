"""The requester portal on a phone (390 px) and the agent pages on a tablet (768 px) (Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft
from tests.e2e.conftest import open_page, signing_in
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}


@pytest.fixture
def sign_in_on(web_app: str, browser, org: Org) -> Iterator:  # noqa: ANN001
    """Signs a person in on a browser of the given screen size (phones get touch and the mobile viewport)."""
    with signing_in(browser, web_app) as open_as:
        yield lambda email, viewport=None: open_as(email, viewport=viewport)


def assert_fits(page: Page) -> None:
    """Nothing on the page makes it scroll sideways."""
    page.wait_for_timeout(300)  # let the layout settle after the data arrives
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]} px wide in a {widths[1]} px screen"


def assert_on_screen(page: Page, locator) -> None:  # noqa: ANN001
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, f"off-screen: {box}"


def long_conversation(org: Org) -> int:
    with session_scope() as session:
        ticket_id = tickets.create_ticket(session, org.actor(org.alice), draft(
            title="Laptop screen flickers whenever I plug in the external monitor at my desk",
            category_id=org.hardware,
            description="It flickers. " + "https://example.com/" + "a-very-long-path-without-spaces" * 6)).id
    for n in range(4):
        with session_scope() as session:
            author = org.hank if n % 2 else org.alice
            conversation.add_comment(session, org.actor(author), ticket_id,
                                     CommentDraft(body=f"Message {n}: tried another cable. " * 6, internal=False))
    return ticket_id


def test_requester_files_and_replies_from_a_phone(sign_in_on, org: Org) -> None:  # noqa: ANN001
    ticket_id = long_conversation(org)
    phone = sign_in_on("alice@example.org", PHONE)
    expect(phone).to_have_url(re.compile(r"/portal$"))
    expect(phone.get_by_test_id("my-ticket-row")).to_have_count(1)
    assert_fits(phone)
    # Every destination of the portal is reachable on the screen: its links and the user menu.
    for label in ("My tickets", "New ticket", "Help articles"):
        assert_on_screen(phone, phone.get_by_role("navigation").get_by_role("link", name=label))
    assert_on_screen(phone, phone.get_by_test_id("user-menu"))

    phone.get_by_role("navigation").get_by_role("link", name="Help articles").click()
    phone.wait_for_url(re.compile(r"/kb$"))
    expect(phone.get_by_test_id("kb-search")).to_be_visible()
    assert_fits(phone)

    open_page(phone, "/portal/new")
    assert_fits(phone)
    phone.fill("#title", "Docking station does not charge my laptop")
    phone.fill("#description", "The dock's light is on but the laptop battery goes down all day.")
    phone.click("[data-testid=submit-ticket]")
    phone.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(phone.get_by_test_id("ticket-title")).to_have_text("Docking station does not charge my laptop")
    assert_fits(phone)

    open_page(phone, f"/tickets/{ticket_id}")
    expect(phone.get_by_test_id("comment")).to_have_count(4)
    assert_fits(phone)
    box = phone.get_by_test_id("reply-box")
    box.scroll_into_view_if_needed()
    assert box.bounding_box()["width"] >= 300
    assert_on_screen(phone, box)
    box.fill("Tried the HDMI cable from the drawer: no more flicker.")
    send = phone.get_by_test_id("send-reply")
    assert_on_screen(phone, send)
    send.tap()
    expect(phone.get_by_test_id("comment").filter(has_text="no more flicker")).to_be_visible()
    expect(phone.get_by_test_id("reply-box")).to_have_value("")
    with session_scope() as session:
        bodies = [c["body"] for c in conversation.list_comments(session, org.actor(org.hank), ticket_id)]
    assert bodies[-1] == "Tried the HDMI cable from the drawer: no more flicker."

    phone.get_by_test_id("user-menu").tap()
    phone.get_by_test_id("sign-out").tap()
    phone.wait_for_url(re.compile(r"/login$"))


def test_agent_pages_fit_a_tablet(sign_in_on, org: Org) -> None:  # noqa: ANN001
    ticket_id = long_conversation(org)
    tablet = sign_in_on("hank@example.org", TABLET)
    expect(tablet.get_by_test_id("queue-row")).to_have_count(1)
    assert_fits(tablet)
    assert_on_screen(tablet, tablet.get_by_test_id("queue-search"))
    open_page(tablet, f"/tickets/{ticket_id}")
    expect(tablet.get_by_test_id("comment")).to_have_count(4)
    assert_fits(tablet)
    assert tablet.get_by_test_id("reply-box").bounding_box()["width"] >= 300
    assert_on_screen(tablet, tablet.get_by_test_id("status-select"))
