"""Who is signed in. Every other state inherits `_actor()` from here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import reflex as rx
from sqlmodel import Session

from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError, NotAuthenticated
from helpdesk.core.settings import get_settings
from helpdesk.identity import auth
from helpdesk.identity.actor import Actor
from helpdesk.models import Role
from helpdesk.routes import HOME_FOR_ROLE, LOGIN

T = TypeVar("T")


class SessionState(rx.State):
    # The browser keeps the session token; the server checks it on every event.
    auth_token: str = rx.Cookie(
        "", name="hd_session", path="/", same_site="lax", max_age=get_settings().session_ttl_seconds
    )
    user_name: str = ""
    user_role: str = ""
    user_email: str = ""

    def _actor(self, session: Session) -> Actor:
        actor = auth.actor_for_token(session, self.auth_token)
        self.user_name, self.user_role, self.user_email = actor.full_name, actor.role, actor.email
        return actor

    @contextmanager
    def _service(self) -> Iterator[tuple[Session, Actor]]:
        """A committed unit of work on behalf of the signed-in person."""
        with session_scope() as session:
            yield session, self._actor(session)

    def _run(self, work: Callable[[Session, Actor], T]) -> T:
        with self._service() as (session, actor):
            return work(session, actor)

    def _sign_in_again(self) -> rx.event.EventSpec:
        self.auth_token = ""
        self.user_name = self.user_role = self.user_email = ""
        return rx.redirect(f"{LOGIN}?next={self.router.url.path}")

    @rx.var
    def is_staff(self) -> bool:
        return self.user_role in (Role.AGENT, Role.ADMIN)

    @rx.var
    def is_requester(self) -> bool:
        return self.user_role == Role.REQUESTER

    @rx.var
    def reads_all(self) -> bool:
        return self.user_role in (Role.MANAGER, Role.ADMIN)

    @rx.var
    def initials(self) -> str:
        return "".join(part[0] for part in self.user_name.split()[:2]).upper()

    @rx.event
    def require_signed_in(self) -> rx.event.EventSpec | None:
        try:
            self._run(lambda session, actor: actor)
        except NotAuthenticated:
            return self._sign_in_again()
        return None

    @rx.event
    def require_staff_or_manager(self) -> rx.event.EventSpec | None:
        try:
            actor = self._run(lambda session, actor: actor)
        except NotAuthenticated:
            return self._sign_in_again()
        if actor.is_requester:
            return rx.redirect(HOME_FOR_ROLE[Role.REQUESTER])
        return None

    @rx.event
    def sign_out(self) -> rx.event.EventSpec:
        auth.logout(self.auth_token)
        self.auth_token = ""
        self.user_name = self.user_role = self.user_email = ""
        return rx.redirect(LOGIN)


def error_message(exc: DomainError) -> str:
    return exc.message
