"""Forgot password and set-password pages: anyone may call these, so they reveal nothing about accounts."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from helpdesk.core import i18n
from helpdesk.core.client_ip import client_address
from helpdesk.core.db import session_scope
from helpdesk.core.errors import ValidationFailed
from helpdesk.identity import password_links
from helpdesk.routes import LOGIN
from helpdesk.state.session import SessionState


def _ip(state: rx.State) -> str:
    return client_address(state.router.session.client_ip, state.router.headers.raw_headers.get("x-forwarded-for"))


async def _translator(state: rx.State) -> Callable[[str], str]:
    """Messages in the language the browser chose (the sign-in page's language cookie): nobody is signed in here."""
    language = (await state.get_state(SessionState)).language
    return lambda message: i18n.translate(language, message)


class ForgotPasswordState(rx.State):
    sent_message: str = ""
    field_errors: dict[str, str] = {}

    @rx.event
    def on_load(self) -> None:
        self.sent_message, self.field_errors = "", {}

    @rx.event
    async def submit(self, form_data: dict) -> None:
        self.field_errors = {}
        email = str(form_data.get("email", ""))[:300]
        t = await _translator(self)
        try:
            with session_scope() as session:
                self.sent_message = t(password_links.request_reset(session, email, _ip(self)))
        except ValidationFailed as exc:
            self.field_errors = {field: t(problem) for field, problem in exc.field_errors.items()}


class ResetPasswordState(rx.State):
    link_error: str = ""
    field_errors: dict[str, str] = {}
    done: bool = False
    email: str = ""
    is_invitation: bool = False

    def _token(self) -> str:
        return str(self.router.page.params.get("token", "") or "")[:300]

    @rx.event
    async def on_load(self) -> None:
        self.link_error, self.field_errors, self.done, self.email, self.is_invitation = "", {}, False, "", False
        t = await _translator(self)
        try:
            with session_scope() as session:
                reset, user = password_links.check_link(session, self._token())
                self.email, self.is_invitation = user.email, reset.purpose == password_links.INVITE
        except ValidationFailed as exc:
            self.link_error = t(exc.message)

    @rx.event
    async def submit(self, form_data: dict) -> rx.event.EventSpec | None:
        self.field_errors = {}
        t = await _translator(self)
        try:
            with session_scope() as session:
                password_links.set_password(session, self._token(), str(form_data.get("password", ""))[:2000],
                                            str(form_data.get("confirm", ""))[:2000], _ip(self))
        except ValidationFailed as exc:
            if "token" in exc.field_errors:
                self.link_error = t(exc.message)
            else:
                self.field_errors = {field: t(problem) for field, problem in exc.field_errors.items()}
            return None
        self.done = True
        return rx.redirect(f"{LOGIN}?reset=1")
