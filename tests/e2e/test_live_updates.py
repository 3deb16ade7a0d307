"""Live queue across two web replicas, live ticket pages and presence (Chromium)."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_page
from tests.factories import PASSWORD, Org

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PRESENCE_MS = 12000  # one heartbeat (10 s) and some slack
LIVE_DEADLINE_MS = 1000


def api_login(base_url: str, email: str) -> dict[str, str]:
    token = httpx.post(f"{base_url}/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()
    return {"Authorization": f"Bearer {token['access_token']}"}


def test_queue_on_replica_b_shows_tickets_created_through_replica_a(sign_in, web_app: str, web_app_b: str,  # noqa: ANN001
                                                                     org: Org) -> None:
    agent = sign_in("hank@example.org", base_url=web_app_b)
    expect(agent).to_have_url(re.compile(r"/queue$"))
    expect(agent.get_by_test_id("empty-state")).to_be_visible()
    time.sleep(1.0)  # let the queue page link to the live feed

    # Through replica A's REST API.
    alice = api_login(web_app, "alice@example.org")
    created = httpx.post(f"{web_app}/api/v1/tickets", headers=alice, json={
        "title": "Keyboard missing keys after spill", "description": "Coffee went into the keyboard this morning.",
        "category_id": org.hardware})
    assert created.status_code == 201, created.text
    row = agent.get_by_test_id("queue-row").filter(has_text="Keyboard missing keys after spill")
    expect(row).to_be_visible(timeout=LIVE_DEADLINE_MS)
    expect(agent.get_by_test_id("tab-open")).to_contain_text("1", timeout=LIVE_DEADLINE_MS)

    # Through replica A's pages: a requester files a ticket in the portal.
    requester = sign_in("alice@example.org", base_url=web_app)
    open_page(requester, "/portal/new")
    requester.fill("#title", "Headset microphone not detected")
    requester.fill("#description", "Teams says no microphone is connected, the headset worked yesterday.")
    requester.click("[data-testid=submit-ticket]")
    requester.wait_for_url(re.compile(r"/tickets/\d+$"))
    expect(agent.get_by_test_id("queue-row").filter(has_text="Headset microphone not detected")).to_be_visible(
        timeout=LIVE_DEADLINE_MS)

    # A change that moves the ticket out of the filtered view removes its row.
    hank = api_login(web_app, "hank@example.org")
    ticket_id = created.json()["id"]
    assert httpx.patch(f"{web_app}/api/v1/tickets/{ticket_id}", headers=hank,
                       json={"status": "resolved"}).status_code == 200
    expect(row).to_have_count(0, timeout=LIVE_DEADLINE_MS)


def test_ticket_created_by_a_celery_task_appears_live(sign_in, web_app_b: str, org: Org,  # noqa: ANN001
                                                     celery_worker) -> None:
    from tests.processes import send_job

    agent = sign_in("hank@example.org", base_url=web_app_b)
    expect(agent.get_by_test_id("empty-state")).to_be_visible()
    time.sleep(1.0)
    # As our mail server delivers it: with its verdict that the sender's domain authenticated the message.
    raw = ("Authentication-Results: mx.test; dmarc=pass header.from=example.org\r\n"
           "From: Alice Requester <alice@example.org>\r\nTo: helpdesk@example.org\r\n"
           "Subject: Filed by e-mail through a worker\r\nContent-Type: text/plain\r\n\r\n"
           "My laptop battery drains in an hour.\r\n")
    send_job("email.ingest", "email", raw_message=raw)
    expect(agent.get_by_test_id("queue-row").filter(has_text="Filed by e-mail through a worker")).to_be_visible(
        timeout=LIVE_DEADLINE_MS * 3)


def test_ticket_page_updates_live_and_shows_who_else_is_here(sign_in, web_app: str, web_app_b: str,  # noqa: ANN001
                                                              org: Org) -> None:
    alice = api_login(web_app, "alice@example.org")
    ticket_id = httpx.post(f"{web_app}/api/v1/tickets", headers=alice, json={
        "title": "Second screen stays black", "description": "The second screen stays black after docking.",
        "category_id": org.hardware}).json()["id"]

    requester = sign_in("alice@example.org", base_url=web_app)
    open_page(requester, f"/tickets/{ticket_id}")
    hank = sign_in("hank@example.org", base_url=web_app_b)
    open_page(hank, f"/tickets/{ticket_id}")
    root = sign_in("root@example.org", base_url=web_app)
    open_page(root, f"/tickets/{ticket_id}")

    # Collision detection: each agent sees the other; the requester sees no presence. Two replicas joining at
    # the same moment can miss each other's entry; the 10 s heartbeat repairs it, which is the promise.
    expect(hank.get_by_test_id("presence").filter(has_text="Root Admin")).to_be_visible(timeout=PRESENCE_MS)
    expect(root.get_by_test_id("presence").filter(has_text="Hank Hardware")).to_be_visible(timeout=PRESENCE_MS)
    expect(requester.get_by_test_id("presence")).to_have_count(0)
    hank.get_by_test_id("reply-box").press_sequentially("Checking the dock firmware", delay=30)
    expect(root.get_by_test_id("presence").filter(has_text="is typing")).to_be_visible(timeout=5000)

    # A reply sent on replica B appears on replica A's pages without a reload.
    hank.click("[data-testid=send-reply]")
    expect(requester.get_by_test_id("comment").filter(has_text="Checking the dock firmware")).to_be_visible(
        timeout=LIVE_DEADLINE_MS * 3)
    expect(root.get_by_test_id("comment").filter(has_text="Checking the dock firmware")).to_be_visible(
        timeout=LIVE_DEADLINE_MS * 3)

    # Leaving the page clears the presence for the others (a closed tab expires after 35 s).
    hank.get_by_role("link", name="Queue").click()
    hank.wait_for_url(re.compile(r"/queue$"))
    expect(root.get_by_test_id("presence").filter(has_text="Hank Hardware")).to_have_count(0, timeout=5000)


def test_reconnecting_browser_catches_up_on_missed_changes(sign_in, web_app: str, web_app_b: str,  # noqa: ANN001
                                                           org: Org) -> None:
    agent = sign_in("hank@example.org", base_url=web_app_b)
    expect(agent.get_by_test_id("empty-state")).to_be_visible()
    time.sleep(1.0)
    agent.context.set_offline(True)
    alice = api_login(web_app, "alice@example.org")
    for title in ("Missed while offline one", "Missed while offline two"):
        httpx.post(f"{web_app}/api/v1/tickets", headers=alice, json={
            "title": title, "description": "Filed while the agent's socket was down.", "category_id": org.hardware})
    time.sleep(1.0)
    agent.context.set_offline(False)
    for title in ("Missed while offline one", "Missed while offline two"):
        expect(agent.get_by_test_id("queue-row").filter(has_text=title)).to_be_visible(timeout=15_000)
