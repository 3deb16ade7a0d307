"""API tokens: an administrator's service accounts page, and everyone's own tokens under /settings.

A new token is shown once, in `new_token`, and cleared on the next load: it is never stored anywhere readable.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.identity import tokens
from helpdesk.state.admin import AdminPage, AdminState, as_int
from helpdesk.state.formatting import local_time, relative
from helpdesk.state.session import SessionState


def _token_row(t: dict[str, Any], language: str) -> dict[str, str]:
    never = i18n.translate(language, "never")
    return {"id": str(t["id"]), "name": t["name"], "prefix": t["prefix"] + "…", "scopes": ", ".join(t["scopes"]),
            "created": local_time(t["created_at"], language),
            "last_used": relative(t["last_used_at"], language) or never,
            "expires": local_time(t["expires_at"], language) or never, "revoked": "yes" if t["revoked_at"] else ""}


def _token_fields(errors: dict[str, str]) -> dict[str, str]:
    """The token form's name field is `token_name` (the service-account form beside it has its own `name`)."""
    return {("token_name" if k == "name" else k): v for k, v in errors.items()}


def _expiry(value: str) -> int | None:
    return None if value in ("", "never") else as_int(value)


class ServiceAccountsState(AdminPage, AdminState):
    FORM_FIELDS = ("name", "role", "token_name", "expires")

    accounts: list[dict[str, str]] = []
    selected_id: int = 0
    selected_name: str = ""
    account_tokens: list[dict[str, str]] = []
    scopes: list[str] = []
    new_token: str = ""

    def _clear(self) -> None:
        self.accounts, self.account_tokens, self.new_token = [], [], ""

    async def _load(self) -> Any:
        selected = self.selected_id

        def work(session: Any, actor: Any) -> Any:
            found = tokens.list_service_accounts(session, actor)
            chosen = selected if any(a["id"] == selected for a in found) else (found[0]["id"] if found else 0)
            return found, chosen, tokens.list_tokens(session, actor, chosen) if chosen else []

        ok, result, event = await self._admin_work(work)
        if ok:
            found, chosen, listed = result
            # The role codes are msgids themselves (VALUE_LABELS in helpdesk/components/admin.py).
            self.accounts = [{"id": str(a["id"]), "name": a["name"], "role": self._t(str(a.get("role"))),
                              "tokens": str(a["tokens"])} for a in found]
            self.selected_id = chosen
            self.selected_name = next((a["name"] for a in found if a["id"] == chosen), "")
            self.account_tokens = [_token_row(t, self._lang()) for t in listed]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = self.new_token = ""
        self.form, self.field_errors, self.scopes = {"role": "agent", "expires": "never"}, {}, ["tickets:read"]
        return await self._load()

    @rx.event
    async def select_account(self, account_id: str) -> Any:
        self.selected_id, self.new_token = as_int(account_id) or 0, ""
        return await self._load()

    @rx.event
    def toggle_scope(self, scope: str, on: bool) -> None:
        rest = [s for s in self.scopes if s != scope]
        self.scopes = [*rest, str(scope)[:32]] if on else rest

    @rx.event
    async def create_account(self) -> Any:
        form = dict(self.form)
        self.notice = self.error = self.new_token = ""
        ok, user, event = await self._admin_work(lambda session, actor: tokens.create_service_account(
            session, actor, name=form.get("name", ""), role=form.get("role", "")), fields=True)
        if ok:
            self.selected_id = user.id
            self.notice = self._t("Service account {name} created.", name=user.full_name)
            self.form = {**self.form, "name": ""}
            return await self._load()
        return event

    @rx.event
    async def create_token(self) -> Any:
        form, scopes, owner = dict(self.form), list(self.scopes), self.selected_id
        self.notice = self.error = self.new_token = ""
        ok, made, event = await self._admin_work(lambda session, actor: tokens.create_token(
            session, actor, name=form.get("token_name", ""), scopes=scopes, user_id=owner,
            expires_in_days=_expiry(form.get("expires", ""))), fields=True)
        if ok:
            self.form = {**self.form, "token_name": ""}
            await self._load()
            self.new_token = made[1]
        self.field_errors = _token_fields(self.field_errors)
        return event

    @rx.event
    async def revoke(self, token_id: str) -> Any:
        target = as_int(token_id) or 0
        ok, _, event = await self._admin_work(lambda session, actor: tokens.revoke_token(session, actor, target),
                                              toast=True)
        if ok:
            self.notice, self.new_token = self._t("Token revoked: it no longer works."), ""
            return await self._load()
        return event


class MyTokensState(SessionState):
    """Everyone's own personal access tokens (/settings)."""

    my_tokens: list[dict[str, str]] = []
    form: dict[str, str] = {}
    field_errors: dict[str, str] = {}
    scopes: list[str] = []
    new_token: str = ""
    error: str = ""

    def _load(self) -> Any:
        with self._on_failure("error") as failure, self._service() as (session, actor):
            self.my_tokens = [_token_row(t, self._lang()) for t in tokens.list_tokens(session, actor)]
        return failure.event if failure else None

    @rx.event
    def on_load(self) -> Any:
        self.form, self.field_errors, self.scopes, self.new_token, self.error = (
            {"token_name": "", "expires": "90"}, {}, ["tickets:read"], "", "")
        return self._load()

    @rx.event
    def set_field(self, name: str, value: str) -> None:
        if name in ("token_name", "expires"):
            self.form = {**self.form, name: str(value)[:80]}

    @rx.event
    def toggle_scope(self, scope: str, on: bool) -> None:
        rest = [s for s in self.scopes if s != scope]
        self.scopes = [*rest, str(scope)[:32]] if on else rest

    @rx.event
    def create_token(self) -> Any:
        form, scopes = dict(self.form), list(self.scopes)
        self.field_errors, self.new_token, self.error = {}, "", ""
        made: list[str] = []
        with self._on_failure("error", fields="field_errors") as failure, self._service() as (session, actor):
            made.append(tokens.create_token(session, actor, name=form.get("token_name", ""), scopes=scopes,
                                            expires_in_days=_expiry(form.get("expires", "")))[1])
        if failure:
            self.field_errors = _token_fields(self.field_errors)
            return failure.event
        self.form = {**self.form, "token_name": ""}
        event = self._load()
        self.new_token = made[0]
        return event

    @rx.event
    def revoke(self, token_id: str) -> Any:
        target = as_int(token_id) or 0
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            tokens.revoke_token(session, actor, target)
        if failure:
            return failure.event
        self.new_token = ""
        return self._load()
