"""The root URL sends people to their home page."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.errors import NotAuthenticated
from helpdesk.pages.template import template
from helpdesk.routes import HOME_FOR_ROLE, LOGIN
from helpdesk.state.session import SessionState


class HomeRedirectState(SessionState):
    @rx.event
    def go_home(self) -> rx.event.EventSpec:
        with self._on_failure(on={NotAuthenticated: lambda exc: rx.redirect(LOGIN)}) as failure:
            actor = self._run(lambda session, actor: actor)
        if failure:
            return failure.event
        return rx.redirect(HOME_FOR_ROLE[actor.role])


@template("/", on_load=HomeRedirectState.go_home, shell=False)
def index_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")
