"""Agents' tools in Chromium (issue #18): tags, saved views, macros, more bulk actions and keyboard shortcuts, with
live updates in other agents' open queues, axe-core checks and screenshots at 1366 and 390 px."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import Comment, Ticket
from helpdesk.tickets import macros, saved_views, tags, tickets
from helpdesk.tickets.validation import MacroActions, MacroDraft, SavedViewDraft, TicketChanges, ViewFilters
from tests.e2e.conftest import open_page
from tests.e2e.test_accessibility import serious_violations
from tests.factories import Org, add_agent, draft

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 390, "height": 844}


def file(org: Org, title: str, category_id: int | None = None, priority: str = "medium") -> int:
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(org.alice), draft(title=title, priority=priority,
                                                                          category_id=category_id or org.hardware)).id


def row(page: Page, title: str):  # noqa: ANN201
    return page.get_by_test_id("queue-row").filter(has_text=title)


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_tags_from_the_ticket_page_reach_other_agents_queues_live(sign_in, org: Org) -> None:  # noqa: ANN001
    vpn = file(org, "VPN drops every hour")
    file(org, "Printer jams on tray two")
    earlier = file(org, "VPN slow from home")
    with session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), earlier, ["vpn-outage"])
    hugo = add_agent(org.hardware_team, "hugo@example.org", "Hugo Hardware")
    assert hugo

    watcher = sign_in("hugo@example.org")  # another agent with the queue open
    expect(row(watcher, "VPN drops every hour")).to_be_visible()
    page = sign_in("hank@example.org")
    open_page(page, f"/tickets/{vpn}")
    tag_input = page.get_by_test_id("tag-input")
    tag_input.fill("vpn")
    # Suggestions come from tags already in use.
    expect(page.locator("#hd-ticket-tag-suggestions option[value='vpn-outage']")).to_have_count(1)
    tag_input.fill("VPN")
    tag_input.press("Enter")
    expect(page.get_by_test_id("ticket-tag").filter(has_text="vpn")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("added the tag vpn")
    page.get_by_test_id("tag-input").fill("no spaces!")
    page.get_by_test_id("add-tag").click()
    expect(page.get_by_test_id("tag-error")).to_contain_text("letters and digits")

    # Hugo's queue shows the tag without a reload, and a click on it filters the queue.
    watcher_row = row(watcher, "VPN drops every hour")
    expect(watcher_row.get_by_test_id("row-tag").filter(has_text="vpn")).to_be_visible()
    watcher_row.get_by_test_id("row-tag").filter(has_text="vpn").click()
    expect(watcher.get_by_test_id("queue-row")).to_have_count(1)
    expect(row(watcher, "VPN drops every hour")).to_be_visible()

    page.get_by_role("button", name="Remove tag vpn").click()
    expect(page.get_by_test_id("ticket-tag")).to_have_count(0)
    expect(watcher.get_by_test_id("queue-row")).to_have_count(0)  # the filtered queue loses it, live
    with session_scope() as session:
        assert tickets.tag_names(session, vpn) == []


def test_saved_views_personal_and_shared_live(sign_in, org: Org) -> None:  # noqa: ANN001
    urgent = file(org, "Urgent VPN failure", priority="high")
    file(org, "Routine mouse swap", priority="low")
    with session_scope() as session:
        tags.add_tags(session, org.actor(org.hank), urgent, ["vpn"])
    page = sign_in("hank@example.org")
    page.get_by_label("Priority", exact=True).click()
    page.get_by_role("option", name="High").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    page.get_by_test_id("save-view").click()
    page.get_by_test_id("view-name").fill("My high ones")
    page.get_by_test_id("confirm-save-view").click()
    expect(page.get_by_test_id("saved-view").filter(has_text="My high ones")).to_have_attribute("aria-pressed",
                                                                                              "true")
    page.get_by_role("button", name="Clear").first.click()
    expect(page.get_by_test_id("queue-row")).to_have_count(2)
    page.get_by_test_id("saved-view").filter(has_text="My high ones").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(row(page, "Urgent VPN failure")).to_be_visible()

    # A personal view's name is checked: a second one with the same name is refused with the reason.
    page.get_by_test_id("save-view").click()
    page.get_by_test_id("view-name").fill("my HIGH ones")
    page.get_by_test_id("confirm-save-view").click()
    expect(page.get_by_test_id("view-error")).to_contain_text("already exists")
    page.keyboard.press("Escape")

    # Sharing with everyone is for managers and admins: Hank is not offered it.
    page.get_by_test_id("save-view").click()
    page.get_by_test_id("view-scope").click()
    expect(page.get_by_role("option", name="Everyone in IT")).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")

    manager = sign_in("mona@example.org")
    manager.get_by_label("SLA state").click()
    manager.get_by_role("option", name="Breached").click()
    manager.get_by_test_id("save-view").click()
    manager.get_by_test_id("view-name").fill("Breached everywhere")
    manager.get_by_test_id("view-scope").click()
    manager.get_by_role("option", name="Everyone in IT").click()
    manager.get_by_test_id("confirm-save-view").click()
    expect(manager.get_by_test_id("saved-view").filter(has_text="Breached everywhere")).to_be_visible()
    # Hank's open queue lists the shared view by itself; he may use it but not edit it.
    shared = page.get_by_test_id("saved-view").filter(has_text="Breached everywhere")
    expect(shared).to_be_visible()
    shared.click()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("edit-view")).to_have_count(0)

    # Hank's own view: update it with other filters, rename it, delete it.
    page.get_by_test_id("saved-view").filter(has_text="My high ones").click()
    page.get_by_label("Tag", exact=True).click()
    page.get_by_role("option", name="vpn").click()
    page.get_by_test_id("update-view").click()
    expect(page.get_by_text("View “My high ones” updated.")).to_be_visible()
    page.get_by_test_id("edit-view").click()
    page.get_by_test_id("view-name").fill("High VPN")
    page.get_by_test_id("confirm-save-view").click()
    expect(page.get_by_test_id("saved-view").filter(has_text="High VPN")).to_be_visible()
    with session_scope() as session:
        mine = [v for v in saved_views.list_views(session, org.actor(org.hank)) if v["scope"] == "personal"]
    assert [(v["name"], v["filters"]["priority"], v["filters"]["tag"]) for v in mine] == [("High VPN", "high", "vpn")]
    page.get_by_test_id("edit-view").click()
    page.get_by_test_id("delete-view").click()
    expect(page.get_by_test_id("saved-view").filter(has_text="High VPN")).to_have_count(0)


def test_macros_page_ticket_page_and_bulk(sign_in, org: Org) -> None:  # noqa: ANN001
    one, two = file(org, "Cannot reach VPN"), file(org, "VPN certificate expired")
    closed = file(org, "Old VPN ticket")
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), closed, TicketChanges(status="closed"))
        numbers = {tid: session.get(Ticket, tid).number for tid in (one, two)}

    admin = sign_in("root@example.org")
    open_page(admin, "/macros")
    admin.get_by_test_id("new-macro").click()
    admin.get_by_test_id("macro-name").fill("Working on VPN")
    admin.get_by_test_id("macro-scope").click()
    admin.get_by_role("option", name="Everyone").click()
    admin.get_by_test_id("macro-status").click()
    admin.get_by_role("option", name="In progress").click()
    admin.get_by_test_id("macro-priority").click()
    admin.get_by_role("option", name="High").click()
    admin.get_by_test_id("macro-add_tags").fill("vpn, network")
    admin.get_by_test_id("macro-reply").fill("Hi {{ requester.firstname }}")
    admin.get_by_test_id("save-macro").click()
    expect(admin.get_by_test_id("macro-error-reply")).to_contain_text("requester.firstname")
    admin.get_by_test_id("macro-reply").fill("Hi {{ requester.first_name }}, we are on #{{ ticket.number }}.")
    admin.get_by_test_id("save-macro").click()
    macro_row = admin.get_by_test_id("macro-row").filter(has_text="Working on VPN")
    expect(macro_row).to_contain_text("status → in progress, priority → high, tag +vpn, tag +network, public reply")
    expect(macro_row).to_contain_text("Everyone")

    page = sign_in("hank@example.org")
    open_page(page, "/macros")
    expect(page.get_by_test_id("macro-row").filter(has_text="Working on VPN")).to_be_visible()
    expect(page.get_by_test_id("edit-macro")).to_have_count(0)  # shared macros are the admins'
    open_page(page, f"/tickets/{one}")
    page.get_by_test_id("macro-select").click()
    page.get_by_role("option", name="Working on VPN").click()
    expect(page.get_by_text(re.compile(r"Applied “Working on VPN”: priority, status changed; tags vpn, network "
                                       r"added; reply sent\."))).to_be_visible()
    expect(page.get_by_test_id("status-select")).to_contain_text("In progress")
    expect(page.get_by_test_id("comment").last).to_contain_text(f"Hi Alice, we are on #{numbers[one]}.")
    expect(page.get_by_test_id("ticket-tag")).to_have_count(2)

    open_page(page, "/queue")
    page.get_by_test_id("tab-all").click()
    expect(row(page, "Old VPN ticket")).to_be_visible()  # the "All" tab's rows are in (a closed ticket is among them)
    for title in ("VPN certificate expired", "Old VPN ticket"):
        row(page, title).get_by_test_id("row-select").click()
        expect(row(page, title).get_by_test_id("row-select")).to_be_checked()
    expect(page.get_by_test_id("bulk-bar")).to_contain_text("2 selected")
    page.get_by_test_id("bulk-macro").click()
    page.get_by_role("option", name="Working on VPN").click()
    expect(page.get_by_text("Updated 1 ticket; 1 skipped: closed.")).to_be_visible()
    with session_scope() as session:
        assert (session.get(Ticket, two).status, session.get(Ticket, closed).status) == ("in_progress", "closed")
        replies = session.exec(select(Comment.body).where(Comment.ticket_id == two)).all()
        assert replies == [f"Hi Alice, we are on #{numbers[two]}."]


def test_more_bulk_actions_say_exactly_what_changed(sign_in, org: Org) -> None:  # noqa: ANN001
    titles = ["Bulk A keyboard", "Bulk B mouse", "Bulk C dock"]
    ids = [file(org, title) for title in titles]
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.hank), ids[2], TicketChanges(priority="critical"))
    page = sign_in("hank@example.org")
    for title in titles:
        row(page, title).get_by_test_id("row-select").click()
    page.get_by_test_id("bulk-priority").click()
    page.get_by_role("option", name="Critical").click()
    expect(page.get_by_text("Updated 2 tickets; 1 already had it.")).to_be_visible()

    for title in titles[:2]:
        row(page, title).get_by_test_id("row-select").click()
    page.get_by_test_id("bulk-tag").fill("Desk Move")
    page.get_by_test_id("bulk-add-tag").click()
    expect(page.get_by_text("Updated 2 tickets.")).to_be_visible()
    expect(row(page, "Bulk A keyboard").get_by_test_id("row-tag")).to_have_text("desk-move")

    row(page, "Bulk A keyboard").get_by_test_id("row-select").click()
    page.get_by_test_id("bulk-assign-me").click()
    expect(page.get_by_text("Updated 1 ticket.")).to_be_visible()
    expect(row(page, "Bulk A keyboard")).to_contain_text("Hank Hardware")

    for title in titles:
        row(page, title).get_by_test_id("row-select").click()
    page.get_by_test_id("bulk-team").click()
    page.get_by_role("option", name="Access").click()
    expect(page.get_by_text("Updated 3 tickets.")).to_be_visible()
    expect(page.get_by_test_id("queue-row")).to_have_count(0)  # now in a queue Hank does not work
    with session_scope() as session:
        moved = {(session.get(Ticket, tid).team_id, session.get(Ticket, tid).assignee_id) for tid in ids}
        assert moved == {(org.access_team, None)}


def test_queue_and_ticket_keyboard_shortcuts(sign_in, org: Org) -> None:  # noqa: ANN001
    first, second = file(org, "Shortcut ticket two"), file(org, "Shortcut ticket one")  # newest first: "one", "two"
    assert first and second
    page = sign_in("hank@example.org")
    expect(page.get_by_test_id("queue-row")).to_have_count(2)
    titles = page.get_by_test_id("queue-row-title")

    page.keyboard.press("?")
    dialog = page.get_by_test_id("shortcuts-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Next ticket")
    expect(dialog.get_by_role("heading", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)

    page.keyboard.press("j")
    expect(titles.nth(0)).to_be_focused()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # visible focus on the row the keyboard is on
    page.keyboard.press("j")
    expect(titles.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(titles.nth(0)).to_be_focused()
    page.keyboard.press("x")
    expect(page.get_by_test_id("bulk-bar")).to_contain_text("1 selected")
    expect(page.locator("#hd-shortcut-status")).to_contain_text("Selected Shortcut ticket one")
    page.keyboard.press("x")
    expect(page.get_by_test_id("bulk-bar")).to_have_count(0)
    page.keyboard.press("a")
    expect(page.get_by_text(re.compile(r"#\d+ is assigned to you\."))).to_be_visible()
    expect(row(page, "Shortcut ticket one")).to_contain_text("Hank Hardware")

    # Never while typing: "j" goes into the search box and moves nothing.
    search = page.get_by_test_id("queue-search")
    search.click()
    page.keyboard.press("j")
    expect(search).to_have_value("j")
    expect(search).to_be_focused()
    search.fill("")
    expect(page.get_by_test_id("queue-row")).to_have_count(2)

    titles.nth(0).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tickets/{second}$"))
    expect(page.get_by_test_id("reply-box")).to_be_visible()
    page.keyboard.press("r")
    expect(page.get_by_test_id("reply-box")).to_be_focused()
    expect(page.get_by_test_id("reply-box")).to_have_value("")  # the key is not typed into the box

    open_page(page, "/queue")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(rf"/tickets/{first}$"))
    expect(page.get_by_test_id("reply-box")).to_be_focused()


def test_changed_pages_have_no_serious_violations_and_screenshots(sign_in, browser, web_app: str,  # noqa: ANN001
                                                                  org: Org) -> None:
    ticket_id = file(org, "VPN drops every hour", priority="high")
    file(org, "Printer jams on tray two")
    with session_scope() as session:
        hank = org.actor(org.hank)
        tags.add_tags(session, hank, ticket_id, ["vpn", "remote-work"])
        saved_views.create_view(session, hank, SavedViewDraft(name="My VPN", filters=ViewFilters(tag="vpn")))
        macros.create_macro(session, org.actor(org.root), MacroDraft(
            name="Ask for VPN version", personal=False, actions=MacroActions(status="waiting_on_customer",
                                                                            reply="Which VPN client version?")))
    page = sign_in("hank@example.org")
    problems = []
    row(page, "Printer jams on tray two").get_by_test_id("row-select").click()
    expect(page.get_by_test_id("bulk-bar")).to_be_visible()
    problems += serious_violations(page)
    shoot(page, "queue-tools-1366")
    page.keyboard.press("Escape")
    page.get_by_test_id("shortcuts-button").click()
    expect(page.get_by_test_id("shortcuts-dialog")).to_be_visible()
    problems += serious_violations(page)
    shoot(page, "shortcuts-dialog-1366")
    page.keyboard.press("Escape")
    page.get_by_test_id("save-view").click()
    expect(page.get_by_test_id("view-dialog")).to_be_visible()
    problems += serious_violations(page)
    shoot(page, "view-dialog-1366")
    page.keyboard.press("Escape")
    open_page(page, f"/tickets/{ticket_id}")
    expect(page.get_by_test_id("ticket-tools")).to_be_visible()
    problems += serious_violations(page)
    shoot(page, "ticket-tools-1366")
    open_page(page, "/macros")
    expect(page.get_by_test_id("macro-row")).to_have_count(1)
    problems += serious_violations(page)
    shoot(page, "macros-1366")
    page.get_by_test_id("new-macro").click()
    expect(page.get_by_test_id("macro-dialog")).to_be_visible()
    problems += serious_violations(page)
    shoot(page, "macro-dialog-1366")
    assert problems == [], "\n".join(problems)

    context = browser.new_context(viewport=PHONE, base_url=web_app, has_touch=True, is_mobile=True)
    try:
        phone = context.new_page()
        open_page(phone, "/login")
        phone.fill("#email", "hank@example.org")
        phone.fill("#password", "correct horse battery")
        phone.click("[data-testid=sign-in]")
        phone.wait_for_url(lambda url: "/login" not in url)
        expect(phone.get_by_test_id("queue-row")).to_have_count(2)
        expect(phone.get_by_test_id("views-bar")).to_be_visible()
        shoot(phone, "queue-tools-390")
        open_page(phone, f"/tickets/{ticket_id}")
        expect(phone.get_by_test_id("ticket-tools")).to_be_visible()
        shoot(phone, "ticket-tools-390")
        open_page(phone, "/macros")
        expect(phone.get_by_test_id("macro-row")).to_have_count(1)
        shoot(phone, "macros-390")
        phone.get_by_test_id("new-macro").click()
        expect(phone.get_by_test_id("macro-dialog")).to_be_visible()
        shoot(phone, "macro-dialog-390")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
