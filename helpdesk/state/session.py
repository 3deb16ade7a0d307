"""Who is signed in. Every other state inherits `_actor()` from here.

The session token is in the HttpOnly `hd_session` cookie, which only the server writes
(helpdesk/identity/browser_sessions.py): a state reads it from the headers of its websocket's upgrade request,
which the browser sent with the cookies it had when the page loaded. That is why signing in and out end with a
full page load (`navigate_document`): the new page opens a new websocket carrying the new cookie.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

import reflex as rx
from sqlmodel import Session

from helpdesk.core import i18n, replica
from helpdesk.core.client_ip import client_address
from helpdesk.core.db import session_scope, write_engine
from helpdesk.core.errors import DomainError, NotAuthenticated, ValidationFailed
from helpdesk.identity import auth, browser_sessions, preferences
from helpdesk.identity.actor import Actor
from helpdesk.models import Role
from helpdesk.routes import HOME_FOR_ROLE, LOGIN

T = TypeVar("T")
# What a handler returns or yields to the browser: an event, a list of them, or nothing.
PageEvent = Any


def exc_message(exc: DomainError) -> str:
    return exc.message


def first_problem(exc: DomainError) -> str:
    """The first field error of bad input, otherwise the message."""
    return next(iter(getattr(exc, "field_errors", {}).values()), exc.message)


class Failure:
    """How the work in an `_on_failure` block ended: falsy when it succeeded."""

    def __init__(self) -> None:
        self.failed = False
        self.signed_out = False  # the person was not (or no longer) signed in
        self.event: PageEvent = None  # what the handler returns (or yields) when it failed

    def __bool__(self) -> bool:
        return self.failed


SIGNED_OUT_PATH = "/api/v1/auth/signed-out"
HANDOFF_PATH = "/api/v1/auth/handoff"
# What else a tab holds for the person signed in there, outside its state classes (live-update watchers, shared
# presence rooms): each hook lets go of it when the person signs out (helpdesk/state/live.py registers them).
SignOutHook = Callable[["SessionState"], Awaitable[None]]
sign_out_hooks: list[SignOutHook] = []


def navigate_document(path: str) -> rx.event.EventSpec:
    """A full page load of `path` (a client-side redirect keeps the websocket, and so the cookies it was opened
    with): how the browser reaches the routes that set or clear the session cookie."""
    return rx.call_script(f"window.location.assign({json.dumps(path)})")


def tab_state_classes() -> list[type[rx.State]]:
    """Every state class of this app a tab may hold, except shared (linked) ones, which the sign-out hooks leave."""
    found: list[type[rx.State]] = []
    pending = list(rx.State.get_substates())
    while pending:
        cls = pending.pop()
        pending.extend(cls.get_substates())
        if cls.__module__.startswith("helpdesk.") and not issubclass(cls, rx.SharedState):
            found.append(cls)
    return found


LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


class SessionState(rx.State):
    user_name: str = ""
    user_role: str = ""
    user_email: str = ""
    # The language the pages speak ('en' or 'ur'). A cookie, so the sign-in page already speaks the language chosen
    # there (or last time) before anyone signs in; once someone is signed in, the choice saved with their account
    # wins (`_actor`). Any browser can write it: everything reading it goes through i18n.normalise or compares it.
    language: str = rx.Cookie(i18n.DEFAULT_LANGUAGE, name="hd_lang", max_age=LANGUAGE_COOKIE_SECONDS)

    def _session_token(self) -> str:
        """The token in the `hd_session` cookie this tab's websocket was opened with ("" when signed out)."""
        return browser_sessions.token_from_cookie_header(self.router.headers.cookie)

    def _actor(self, session: Session) -> Actor:
        actor = auth.actor_for_token(session, self._session_token())
        self.user_name, self.user_role, self.user_email = actor.full_name, actor.role, actor.email
        if self.language != actor.language:
            self.language = actor.language
        return actor

    @contextmanager
    def _service(self) -> Iterator[tuple[Session, Actor]]:
        """A committed unit of work on behalf of the signed-in person."""
        with session_scope() as session:
            actor = self._actor(session)
            replica.writing_as(session, actor.user_id)  # what this writes, this person then reads from the primary
            yield session, actor

    @contextmanager
    def _reading(self, *, fresh: bool = False) -> Iterator[tuple[Session, Actor]]:
        """A read-only unit of work for lists, counts, reports and search, on behalf of the signed-in person: on the
        read replica when one can be trusted for them (helpdesk/core/replica.py), else on the primary.

        `fresh` reads from the primary: a refresh that a live push asked for must see the change it announces,
        which a replica may not have replayed yet.
        """
        user_id = None if fresh or not replica.configured() else auth.user_id_for_token(self._session_token())
        with Session(write_engine() if user_id is None else replica.engine_for(user_id)) as session:
            try:
                yield session, self._actor(session)
            finally:
                session.rollback()

    def _run(self, work: Callable[[Session, Actor], T]) -> T:
        with self._service() as (session, actor):
            return work(session, actor)

    @contextmanager
    def _on_failure(self, message: str = "", *, fields: str = "", toast: bool = False,
                    describe: Callable[[DomainError], str] = exc_message,
                    on: Mapping[type[DomainError], Callable[[Any], PageEvent]] | None = None) -> Iterator[Failure]:
        """Domain work as the signed-in person: a domain error raised in the block becomes what the page shows.

        The block does its work through `_service()` or `_run()`, which check the sign-in (and the services check
        the permission) on every call, so every handler keeps its own check; a handler is any browser's to call:

            with self._on_failure("error", fields="field_errors") as failure, self._service() as (session, actor):
                ...
            if failure:
                return failure.event

        On an error, in this order:
        - not signed in (NotAuthenticated): back to the sign-in page, unless `on` answers NotAuthenticated itself;
        - `on`: the page's own answer to an error type (the first that matches); it returns the event to send;
        - `fields`: the field errors of bad input (ValidationFailed) go into that state var;
        - `message`: `describe(exc)` (the message, by default) goes into that state var;
        - `toast`: `describe(exc)` shows as an error toast.
        Messages that the catalogs translate (helpdesk/core/i18n.py) show in the page's language.
        Any other error propagates, as it would without the block.
        """
        failure = Failure()
        try:
            yield failure
        except DomainError as exc:
            failure.failed = True
            answers = on or {}
            if isinstance(exc, NotAuthenticated):
                failure.signed_out = True
                answer = answers.get(NotAuthenticated)
                failure.event = answer(exc) if answer else self._sign_in_again()
                return
            answer = next((answer for kind, answer in answers.items() if isinstance(exc, kind)), None)
            if answer is not None:
                failure.event = answer(exc)
            elif fields and isinstance(exc, ValidationFailed):
                setattr(self, fields, {field: self._t(problem) for field, problem in exc.field_errors.items()})
            elif message:
                setattr(self, message, self._t(describe(exc)))
            elif toast:
                failure.event = rx.toast.error(self._t(describe(exc)))
            else:
                raise

    def _client_ip(self) -> str:
        """The browser's address, through trusted proxies (core/client_ip.py)."""
        return client_address(self.router.session.client_ip,
                              self.router.headers.raw_headers.get("x-forwarded-for"))

    def _sign_in_again(self) -> rx.event.EventSpec:
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
    def is_admin(self) -> bool:
        return self.user_role == Role.ADMIN

    @rx.var
    def text_direction(self) -> str:
        return "rtl" if i18n.is_rtl(self.language) else "ltr"

    def _lang(self) -> str:
        """The page's language for text made on the server (labels, dates, messages)."""
        return i18n.normalise(self.language)

    def _t(self, msgid: str, **values: Any) -> str:
        """Server-made text (toasts, errors, labels) in the page's language."""
        return i18n.translate_format(self.language, msgid, **values) if values else i18n.translate(self.language,
                                                                                                     msgid)

    @rx.event
    def choose_language(self, language: str) -> PageEvent:
        """The language picker (user menu, sign-in page). Signed in: saved with the account, and the page reloads so
        the text made on the server (statuses, dates) comes in the new language too. Signed out: only the cookie."""
        language = i18n.normalise(language if isinstance(language, str) else "")
        with self._on_failure(toast=True, on={NotAuthenticated: lambda exc: None}) as failure, \
                self._service() as (session, actor):
            preferences.set_language(session, actor, language)
        if failure and not failure.signed_out:
            return failure.event
        self.language = language
        return None if failure.signed_out else rx.call_script("window.location.reload()")

    @rx.var
    def initials(self) -> str:
        return "".join(part[0] for part in self.user_name.split()[:2]).upper()

    @rx.event
    def require_signed_in(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure:
            self._run(lambda session, actor: actor)
        return failure.event

    @rx.event
    def require_staff_or_manager(self) -> rx.event.EventSpec | None:
        with self._on_failure() as failure:
            actor = self._run(lambda session, actor: actor)
        if failure:
            return failure.event
        if actor.is_requester:
            return rx.redirect(HOME_FOR_ROLE[Role.REQUESTER])
        return None

    async def _forget_everything(self) -> None:
        """Empties every state class of this tab and stops what it watches: the next person at this browser (the
        tab keeps its Reflex token across page loads) must find none of the previous person's data."""
        for hook in sign_out_hooks:
            await hook(self)
        for cls in tab_state_classes():
            state = await self.get_state(cls)
            state.reset()

    @rx.event
    async def sign_out(self) -> list[rx.event.EventSpec]:
        auth.logout(self._session_token())
        language = self.language  # the browser keeps speaking the language of the person who left
        await self._forget_everything()
        self.language = language
        # The tab also drops its Reflex token (kept in sessionStorage), so its next page load starts a state tree of
        # its own: nothing of this one (a presence room it was linked to, anything a hook missed) can reach it.
        # The route forgets the cookie; the full page load gives the login page a websocket without it.
        return [rx.clear_session_storage(), navigate_document(SIGNED_OUT_PATH)]


def error_message(exc: DomainError) -> str:
    return exc.message
