from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from tests.factories import PASSWORD, Org


def open_page(page, path: str) -> None:  # noqa: ANN001
    """Navigates and waits until the page is connected to the server, as a person would before typing."""
    page.goto(path)
    page.wait_for_selector("[data-testid=hydrated]", state="attached")


@contextmanager
def signing_in(browser, default_url: str, viewport_height: int = 900) -> Iterator[Callable]:  # noqa: ANN001
    """A function that opens a fresh browser context and signs in as the given person; closes them all after."""
    contexts = []

    def open_as(email: str, password: str = PASSWORD, base_url: str = default_url,  # noqa: ANN202
                viewport: dict[str, int] | None = None, color_scheme: str | None = None):
        viewport = viewport or {"width": 1366, "height": viewport_height}
        phone = viewport["width"] < 500  # a phone: touch events and the mobile viewport meta tag apply
        # color_scheme "dark" emulates a system set to dark mode (prefers-color-scheme), which the app follows.
        context = browser.new_context(viewport=viewport, base_url=base_url, has_touch=phone, is_mobile=phone,
                                      color_scheme=color_scheme)
        context.set_default_timeout(30000)
        contexts.append(context)
        page = context.new_page()
        open_page(page, "/login")
        page.fill("#email", email)
        page.fill("#password", password)
        page.click("[data-testid=sign-in]")
        page.wait_for_url(lambda url: "/login" not in url)
        page.wait_for_selector("[data-testid=hydrated]", state="attached")
        return page

    try:
        yield open_as
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def sign_in(web_app: str, browser, org: Org) -> Iterator[Callable]:  # noqa: ANN001
    """Opens a fresh browser context and signs in as the given person (on replica A unless told)."""
    with signing_in(browser, web_app) as open_as:
        yield open_as
