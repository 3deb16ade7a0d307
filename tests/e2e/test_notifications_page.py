"""The full notifications page (/notifications: unread or all, a page at a time, mark one or all read, each linking
to its ticket, reached from the bell's "See all") and the e-mail preferences page (/settings/notifications), in
Chromium; screenshots at 1366 and 390 px go to test-artifacts/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from helpdesk.core.db import session_scope
from helpdesk.email import preferences
from helpdesk.notifications.inbox import PAGE_SIZE
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft
from tests.e2e.conftest import open_page
from tests.factories import Org, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def shoot(page: Page, name: str) -> None:
    """Screenshots at desktop and phone width; nothing may be wider than the screen."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(400)
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (name, width, overflow)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_all_notifications_paged_filtered_and_marked_read(sign_in, org: Org) -> None:  # noqa: ANN001
    with session_scope() as session:
        first = tickets.create_ticket(session, org.actor(org.alice), draft(title="Printer jams",
                                                                           category_id=org.hardware)).id
        second = tickets.create_ticket(session, org.actor(org.alice), draft(title="Monitor flickers",
                                                                            category_id=org.hardware)).id
        # More than a page of news: replies on the first ticket, then one on the second (the newest).
        for n in range(PAGE_SIZE):
            conversation.add_comment(session, org.actor(org.hank), first,
                                     CommentDraft(body=f"Question {n}", internal=False))
        conversation.add_comment(session, org.actor(org.hank), second,
                                 CommentDraft(body="Which cable do you use?", internal=False))
        # Bob's news is his own: it never shows on Alice's page.
        other = tickets.create_ticket(session, org.actor(org.bob), draft(title="Bob's secret request",
                                                                         category_id=org.hardware)).id
        conversation.add_comment(session, org.actor(org.hank), other, CommentDraft(body="For Bob", internal=False))

    page = sign_in("alice@example.org")
    # The bell leads to the full list.
    page.get_by_test_id("bell").click()
    expect(page.get_by_test_id("see-all-notifications")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "bell-see-all-1366.png"))
    page.get_by_test_id("see-all-notifications").click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    rows = page.get_by_test_id("notification-row")
    expect(rows).to_have_count(PAGE_SIZE)
    expect(rows.first).to_contain_text("Monitor flickers")
    expect(page.get_by_test_id("view-unread")).to_contain_text(f"Unread ({PAGE_SIZE + 1})")
    expect(page.get_by_text("Bob's secret request")).to_have_count(0)
    shoot(page, "notifications")

    # The next page holds the rest; previous goes back.
    page.get_by_test_id("next-page").click()
    expect(rows).to_have_count(1)
    expect(page.get_by_test_id("next-page")).to_be_disabled()
    page.get_by_test_id("previous-page").click()
    expect(rows).to_have_count(PAGE_SIZE)

    # Mark one read: it leaves the unread list, stays in All (not bold, no button).
    rows.first.get_by_test_id("mark-read").click()
    expect(page.get_by_test_id("view-unread")).to_contain_text(f"Unread ({PAGE_SIZE})")
    expect(rows.first).not_to_contain_text("Monitor flickers")
    page.get_by_test_id("view-all").click()
    expect(page).to_have_url(re.compile(r"/notifications\?view=all$"))  # the view is in the address
    monitor = rows.filter(has_text="Monitor flickers")
    expect(monitor).to_have_attribute("data-unread", "false")
    expect(monitor.get_by_test_id("mark-read")).to_have_count(0)
    expect(page.get_by_test_id("bell-count")).to_have_text(str(PAGE_SIZE))

    # Each one links to its ticket.
    monitor.get_by_test_id("notification-link").click()
    expect(page).to_have_url(re.compile(rf"/tickets/{second}$"))
    expect(page.get_by_test_id("reply-box")).to_be_visible(timeout=20000)  # the ticket page loads its data

    # Back from the ticket, and after a reload, the list shows the view it was on (All): the address holds it.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/notifications\?view=all$"))
    expect(page.get_by_test_id("view-all")).to_have_attribute("aria-selected", "true")
    expect(monitor).to_be_visible()
    page.reload()
    page.wait_for_selector("[data-testid=hydrated]", state="attached")
    expect(page.get_by_test_id("view-all")).to_have_attribute("aria-selected", "true")

    # Mark all read: the unread list is empty, All still lists everything.
    page.get_by_test_id("view-unread").click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
    expect(rows).to_have_count(PAGE_SIZE)
    page.get_by_test_id("page-mark-all-read").click()
    expect(page.get_by_test_id("empty-state")).to_contain_text("You are all caught up")
    expect(page.get_by_test_id("bell-count")).to_have_count(0)
    shoot(page, "notifications-caught-up")
    page.get_by_test_id("view-all").click()
    expect(rows).to_have_count(PAGE_SIZE)
    expect(page.locator("[data-testid=notification-row][data-unread=true]")).to_have_count(0)


def test_email_preferences_page_for_a_requester_and_an_agent(sign_in, org: Org) -> None:  # noqa: ANN001
    page = sign_in("alice@example.org", viewport={"width": 390, "height": 844})
    page.get_by_test_id("user-menu").tap()
    page.get_by_test_id("my-notifications").tap()
    expect(page).to_have_url(re.compile(r"/settings/notifications$"))
    reply_switch = page.get_by_test_id("pref-request_reply")
    expect(reply_switch).to_be_checked()
    # A requester sees only the switches about their requests.
    expect(page.get_by_test_id("prefs-work")).to_have_count(0)
    expect(page.get_by_test_id("pref-assigned")).to_have_count(0)
    reply_switch.tap()
    expect(reply_switch).not_to_be_checked()
    with session_scope() as session:
        assert preferences.wants(session, org.alice, "request_reply") is False
    open_page(page, "/settings/notifications")  # kept
    expect(page.get_by_test_id("pref-request_reply")).not_to_be_checked()
    shoot(page, "email-preferences-requester")

    agent = sign_in("hank@example.org")
    open_page(agent, "/settings/notifications")
    expect(agent.get_by_test_id("prefs-work")).to_be_visible()
    expect(agent.get_by_test_id("pref-team_new_ticket")).not_to_be_checked()  # off until asked for
    agent.get_by_test_id("pref-mention").click()
    expect(agent.get_by_test_id("pref-mention")).not_to_be_checked()
    with session_scope() as session:
        assert preferences.wants(session, org.hank, "mention") is False
        assert preferences.wants(session, org.alice, "mention") is True  # Hank's switches are his own
    shoot(agent, "email-preferences-agent")
    agent.get_by_test_id("all-notifications-link").click()
    expect(agent).to_have_url(re.compile(r"/notifications$"))
