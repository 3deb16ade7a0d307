"""Forgot password in a real browser, with the e-mail through the test SMTP server."""

from __future__ import annotations

import re
from pathlib import Path

from tests.e2e.conftest import open_page, signing_in
from tests.factories import Org

NEW_PASSWORD = "my new long passphrase"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def _link_in(message) -> str:  # noqa: ANN001
    """The link's path and token (the test worker's PUBLIC_URL is not the test web app's address)."""
    body = message.get_payload(decode=True).decode()
    return re.search(r"https?://[^/\s]+(/reset-password\?token=\S+)", body).group(1)


def test_a_person_resets_a_forgotten_password_from_the_email(web_app: str, browser, org: Org, inbox) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=web_app)
    try:
        page = context.new_page()
        open_page(page, "/login")
        page.get_by_test_id("forgot-password").click()
        page.wait_for_url("**/forgot-password")
        page.wait_for_selector("[data-testid=hydrated]", state="attached")
        page.fill("#email", "nobody-here@example.org")
        page.get_by_test_id("send-reset").click()
        unknown_answer = page.get_by_test_id("reset-requested").inner_text()

        open_page(page, "/forgot-password")
        page.fill("#email", "alice@example.org")
        page.get_by_test_id("send-reset").click()
        assert page.get_by_test_id("reset-requested").inner_text() == unknown_answer

        mail = inbox.wait_for(lambda m: m["To"] == "alice@example.org" and "password" in m["Subject"])
        link = _link_in(mail)
        assert [m for m in inbox.messages if "nobody-here" in (m["To"] or "")] == []

        open_page(page, link)
        page.fill("#password", NEW_PASSWORD)
        page.fill("#confirm", NEW_PASSWORD + "!")
        page.get_by_test_id("save-password").click()
        assert page.get_by_test_id("error-confirm").inner_text() == "The two passwords differ."
        page.fill("#confirm", NEW_PASSWORD)
        page.get_by_test_id("save-password").click()
        page.wait_for_url("**/login?reset=1")
        page.wait_for_selector("[data-testid=login-notice]")

        # The link works once.
        open_page(page, link)
        page.wait_for_selector("[data-testid=link-error]")
    finally:
        context.close()

    with signing_in(browser, web_app) as open_as:
        page = open_as("alice@example.org", NEW_PASSWORD)
        assert "/portal" in page.url


def test_the_password_pages_answer_in_the_language_chosen_before_signing_in(web_app: str, browser,  # noqa: ANN001
                                                                           org: Org) -> None:
    """Nobody is signed in on these pages: their messages follow the sign-in page's language choice (its cookie)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=web_app)
    context.add_cookies([{"name": "hd_lang", "value": "ur", "url": web_app}])
    try:
        page = context.new_page()
        open_page(page, "/forgot-password")
        page.fill("#email", "nobody-here@example.org")
        page.get_by_test_id("send-reset").click()
        assert "لنک بھیج دیا ہے" in page.get_by_test_id("reset-requested").inner_text()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "forgot-password-ur-390.png"), full_page=True)

        open_page(page, "/reset-password?token=forged.token")
        assert "یہ لنک اب درست نہیں" in page.get_by_test_id("link-error").inner_text()
        page.screenshot(path=str(SCREENSHOTS / "reset-link-refused-ur-390.png"), full_page=True)
    finally:
        context.close()
