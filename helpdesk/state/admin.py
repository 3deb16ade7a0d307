"""What every admin page's state shares: the admin check on load, a dialog form, messages.

Every handler here is any browser's to call with any arguments: each does its work through `_service()` (who is
signed in) and a domain function that checks the administrator role itself; form fields the browser sets are only
text until a domain function validates them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import reflex as rx
from sqlmodel import Session

from helpdesk.core.bounds import MAX_INT32
from helpdesk.core.errors import DomainError, PermissionDenied
from helpdesk.identity.actor import Actor
from helpdesk.state.session import SessionState

T = TypeVar("T")


class AdminState(SessionState):
    """Shared by the admin pages: whether the person may see them (set by each page's on_load)."""

    admin_checked: bool = False
    admin_allowed: bool = False


class AdminPage(rx.State, mixin=True):
    """One admin page: its dialog form, field errors and messages."""

    dialog: str = ""  # which dialog is open ("" none)
    form: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    notice: str = ""
    error: str = ""
    # The form fields the browser may set, per page; anything else is ignored.
    FORM_FIELDS: ClassVar[tuple[str, ...]] = ()

    def _clear(self) -> None:
        """Forgets the page's data (a non-admin must never see what an earlier visitor of this tab loaded)."""

    async def _deny(self, _exc: PermissionDenied) -> None:
        self._clear()
        self.dialog, self.form, self.field_errors = "", {}, {}
        admin = await self.get_state(AdminState)
        admin.admin_checked, admin.admin_allowed = True, False

    async def _admin_work(self, work: Callable[[Session, Actor], T], *, fields: bool = False,
                          toast: bool = False) -> tuple[bool, T | None, Any]:
        """Runs `work` as the signed-in administrator; returns (ok, result, event for the browser)."""
        result: T | None = None
        denied: list[PermissionDenied] = []

        def remember(exc: PermissionDenied) -> None:
            denied.append(exc)

        with self._on_failure("error", fields="field_errors" if fields else "", toast=toast,
                              on={PermissionDenied: remember}) as failure, self._service() as (session, actor):
            result = work(session, actor)
        if denied:
            await self._deny(denied[0])
            return False, None, None
        if not failure:
            admin = await self.get_state(AdminState)
            admin.admin_checked, admin.admin_allowed = True, True
        return not failure, result, failure.event

    @rx.event
    def set_field(self, name: str, value: str | bool | list) -> None:
        if name in self.FORM_FIELDS:
            value = value[0] if isinstance(value, list) and value else value
            self.form = {**self.form, name: str(value)[:20000]}
            self.field_errors = {k: v for k, v in self.field_errors.items() if k != name}

    @rx.event
    def set_flag(self, name: str, on: bool) -> None:
        self.set_field(name, "true" if on is True else "false")

    @rx.event
    def close_dialog(self, open_: bool = False) -> None:
        if not open_:
            self.dialog, self.field_errors = "", {}


def as_int(value: Any) -> int | None:  # noqa: ANN401 (whatever the browser sent)
    """A whole number the browser sent, or None when it is not one the database can store (32-bit)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if -MAX_INT32 - 1 <= number <= MAX_INT32 else None


def describe(exc: DomainError) -> str:
    return exc.message
