"""The root URL sends people to their home page."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.errors import NotAuthenticated
from helpdesk.routes import HOME_FOR_ROLE, LOGIN
from helpdesk.state.session import SessionState


class HomeRedirectState(SessionState):
    @rx.event
    def go_home(self) -> rx.event.EventSpec:
        try:
            actor = self._run(lambda session, actor: actor)
        except NotAuthenticated:
            return rx.redirect(LOGIN)
        return rx.redirect(HOME_FOR_ROLE[actor.role])


@rx.page(route="/", title="IT Helpdesk", on_load=HomeRedirectState.go_home)
def index_page() -> rx.Component:
    return rx.center(rx.spinner(size="3"), min_height="100vh")
