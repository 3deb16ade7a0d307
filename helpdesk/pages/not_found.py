"""Any address that is no page: a not-found page inside the shell, with a way back."""

from __future__ import annotations

import reflex as rx
from reflex import constants

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, empty_state
from helpdesk.core.errors import NotAuthenticated
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import LOGIN
from helpdesk.state.session import SessionState


class NotFoundState(SessionState):
    @rx.event
    def on_load(self) -> None:
        """Shows who is signed in (the top bar's links); a signed-out visitor just sees the page."""
        with self._on_failure(on={NotAuthenticated: lambda exc: None}):
            self._run(lambda session, actor: actor)


@template(constants.Page404.SLUG, N_("Page not found"), on_load=NotFoundState.on_load, max_width="720px")
def not_found_page() -> rx.Component:
    return card(
        empty_state(
            "map-pin-off", t("Page not found"),
            t("This address is not a page of the helpdesk. It may have been mistyped, or the page has moved."),
            rx.cond(NotFoundState.user_name != "",
                    rx.link(rx.button(t("Go to your home page"), variant="soft"), href="/"),
                    rx.link(rx.button(t("Sign in"), variant="soft"), href=LOGIN)),
        ),
        data_testid="not-found",
    )
