"""Single sign-on in Chromium through the test OpenID Connect provider process: the first sign-in creates the
person with the role and team their groups map to; the next one finds the same person by subject, even with a
changed e-mail address; a token with a bad signature or for another audience is refused. (Every other forgery:
tests/integration/identity/test_sso.py.)"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.models import TeamMembership, User
from tests.e2e.conftest import open_page
from tests.factories import Org
from tests.oidc import PROVIDER_NAME, TestProvider

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _screenshot(page, name: str) -> None:  # noqa: ANN001
    if folder := os.environ.get("SSO_SCREENSHOT_DIR"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _people() -> list[User]:
    with session_scope() as session:
        return list(session.exec(select(User).order_by(User.id)).all())


def _sign_in_through_the_provider(page) -> None:  # noqa: ANN001
    open_page(page, "/login")
    button = page.get_by_test_id("sign-in-sso")
    expect(button).to_have_text(f"Sign in with {PROVIDER_NAME}")
    button.click()
    page.wait_for_url(lambda url: "/login" not in url and "/api/" not in url and "127.0.0.1" not in url)
    page.wait_for_selector("[data-testid=hydrated]", state="attached")


def test_signing_in_through_the_provider_creates_then_finds_the_same_person(
        org: Org, web_app: str, browser, oidc_provider: TestProvider) -> None:  # noqa: ANN001
    oidc_provider.sign_in_next("e2e-farah", "farah.khan@example.org", "Farah Khan", ["it-agents", "it-hardware"])
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=web_app)
    context.set_default_timeout(30000)
    try:
        page = context.new_page()
        open_page(page, "/login")
        _screenshot(page, "login-sso-1366")
        before = len(_people())
        _sign_in_through_the_provider(page)
        assert "/queue" in page.url
        expect(page.get_by_test_id("user-menu")).to_contain_text("Farah Khan")
        expect(page.get_by_test_id("user-menu")).to_contain_text("Agent")  # the role, as the menu names it
        people = _people()
        assert len(people) == before + 1
        farah = next(p for p in people if p.email == "farah.khan@example.org")
        assert farah.role == "agent" and farah.sso_subject == f"{oidc_provider.issuer} e2e-farah"
        with session_scope() as session:
            teams = session.exec(select(TeamMembership.team_id).where(TeamMembership.user_id == farah.id)).all()
        assert teams == [org.hardware_team]
        _screenshot(page, "queue-after-sso-1366")

        page.get_by_test_id("user-menu").click()
        page.get_by_test_id("sign-out").click()
        page.wait_for_url("**/login")

        # Her address changes at the provider: the same account is found by subject, not a new one made.
        oidc_provider.sign_in_next("e2e-farah", "farah.k@example.org", "Farah Khan", ["it-agents", "it-hardware"])
        _sign_in_through_the_provider(page)
        expect(page.get_by_test_id("user-menu")).to_contain_text("Farah Khan")
        people = _people()
        assert len(people) == before + 1
        with session_scope() as session:
            again = session.exec(select(User).where(func.lower(User.email) == "farah.k@example.org")).one()
        assert again.id == farah.id
    finally:
        context.close()


def test_a_refused_sign_in_says_so_on_the_sign_in_page_also_on_a_phone(
        org: Org, web_app: str, browser) -> None:  # noqa: ANN001
    context = browser.new_context(viewport={"width": 390, "height": 844}, base_url=web_app)
    try:
        page = context.new_page()
        # A callback nobody started (no state, no binding cookie) is refused.
        page.goto("/api/v1/auth/sso/callback?state=made-up&code=x")
        page.wait_for_url(lambda url: "/login" in url and "sso_error=expired" in url)
        page.wait_for_selector("[data-testid=hydrated]", state="attached")
        expect(page.get_by_role("alert")).to_contain_text("Please try again")
        expect(page.get_by_test_id("sign-in-sso")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        _screenshot(page, "login-sso-error-390")
    finally:
        context.close()


@pytest.mark.parametrize("forgery", ["bad signature", "wrong audience"])
def test_a_forged_id_token_is_refused_in_the_browser(org: Org, web_app: str, browser, oidc_provider: TestProvider,
                                                     forgery: str) -> None:  # noqa: ANN001
    """The provider answers the browser's sign-in with a token signed by another key, or meant for another app:
    the person lands on the sign-in page with the refusal, no account is made and nobody is signed in."""
    from urllib.parse import parse_qs, urlparse

    from tests.oidc import new_rsa_pem

    def forge_for_this_sign_in(route) -> None:  # noqa: ANN001
        # The app's redirect to the provider names this browser's nonce: the provider's answer is forged for it.
        # (Playwright does not route the requests a redirect leads to, so the start's answer is read here.)
        started = route.fetch(max_redirects=0)
        nonce = parse_qs(urlparse(started.headers["location"]).query)["nonce"][0]
        claims = {"nonce": nonce, "sub": f"forged-{forgery}", "email": "mallory@example.org"}
        if forgery == "bad signature":
            token = oidc_provider.forge(claims, key_pem=new_rsa_pem())
        else:
            token = oidc_provider.forge(claims | {"aud": "some-other-app"})
        oidc_provider.answer_next_with(token)
        route.fulfill(response=started)

    oidc_provider.sign_in_next("e2e-mallory", "mallory@example.org", "Mallory")
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=web_app)
    context.set_default_timeout(30000)
    try:
        context.route("**/api/v1/auth/sso/start**", forge_for_this_sign_in)
        page = context.new_page()
        before = len(_people())
        open_page(page, "/login")
        page.get_by_test_id("sign-in-sso").click()
        page.wait_for_url(lambda url: "/login" in url and "sso_error=failed" in url)
        page.wait_for_selector("[data-testid=hydrated]", state="attached")
        expect(page.get_by_role("alert")).to_contain_text("Single sign-on did not work")
        assert len(_people()) == before
        assert not any(p.email == "mallory@example.org" for p in _people())
        assert not any(c["name"] == "hd_session" and c["value"] for c in context.cookies())
        open_page(page, "/queue")
        page.wait_for_url(lambda url: "/login" in url)
    finally:
        context.close()
