"""The macros page: agents keep their own macros, administrators the shared ones (helpdesk/tickets/macros.py)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.core.bounds import as_id
from helpdesk.core.validation import parse
from helpdesk.identity import directory, policy
from helpdesk.routes import PORTAL
from helpdesk.state.session import SessionState
from helpdesk.tickets import macros
from helpdesk.tickets.validation import MacroActions, MacroChanges, MacroDraft

KEEP = "keep"  # a select's "leave this field as it is"
EMPTY_FORM = {"name": "", "description": "", "scope": "personal", "status": KEEP, "priority": KEEP, "team": KEEP,
              "assignee": KEEP, "add_tags": "", "remove_tags": "", "reply": "", "reply_internal": ""}
FORM_FIELDS = frozenset(EMPTY_FORM)


def _tag_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


def _scope_label(row: dict[str, Any], language: str) -> str:
    if row["personal"]:
        return i18n.translate(language, "Only me")
    return (i18n.translate_format(language, "Team: {team}", team=row["team"]) if row["team_id"]
            else i18n.translate(language, "Everyone"))


class MacrosState(SessionState):
    macros: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    can_share: bool = False
    team_choices: list[dict[str, str]] = []
    agent_choices: list[dict[str, str]] = []
    form: dict[str, str] = dict(EMPTY_FORM)
    field_errors: dict[str, str] = {}
    dialog_open: bool = False
    editing_id: int = 0

    def _load(self) -> rx.event.EventSpec | None:
        self.error = ""
        with self._on_failure("error") as failure, self._service() as (session, actor):
            rows = macros.list_macros(session, actor, language=self._lang())
            self.can_share = policy.is_admin(actor)
            teams, agents = directory.team_options(session), directory.agent_options(session)
        if failure:
            return failure.event
        self.macros = [{"id": str(r["id"]), "name": r["name"], "description": r["description"],
                        "scope": _scope_label(r, self._lang()),
                        "personal": "yes" if r["personal"] else "", "summary": r["summary"],
                        "can_edit": "yes" if r["can_edit"] else "",
                        **{f"a_{k}": str(v) for k, v in self._form_of(r).items()}} for r in rows]
        self.team_choices = [{"id": str(o["id"]), "label": o["label"]} for o in teams]
        self.agent_choices = [{"id": str(o["id"]), "label": o["label"]} for o in agents]
        self.loaded = True
        return None

    @staticmethod
    def _form_of(row: dict[str, Any]) -> dict[str, str]:
        actions = row["actions"]
        return {
            "name": row["name"], "description": row["description"],
            "scope": "personal" if row["personal"] else (f"team:{row['team_id']}" if row["team_id"] else "everyone"),
            "status": actions["status"] or KEEP, "priority": actions["priority"] or KEEP,
            "team": str(actions["team_id"]) if actions["team_id"] is not None else KEEP,
            "assignee": actions["assignee"] or KEEP,
            "add_tags": ", ".join(actions["add_tags"]), "remove_tags": ", ".join(actions["remove_tags"]),
            "reply": actions["reply"], "reply_internal": "yes" if actions["reply_internal"] else "",
        }

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.dialog_open, self.loaded = False, False
        with self._on_failure() as failure:
            actor = self._run(lambda session, actor: actor)
        if failure:
            return failure.event
        if actor.is_requester:
            return rx.redirect(PORTAL)
        return self._load()

    @rx.event
    def open_new(self) -> None:
        self.form, self.field_errors, self.editing_id, self.dialog_open = dict(EMPTY_FORM), {}, 0, True

    @rx.event
    def open_edit(self, macro_id: str) -> None:
        row = next((m for m in self.macros if m["id"] == macro_id and m["can_edit"]), None)
        if row is None:
            return
        self.form = {name: row[f"a_{name}"] for name in EMPTY_FORM}
        self.field_errors, self.editing_id, self.dialog_open = {}, as_id(macro_id), True

    @rx.event
    def close_dialog(self, open_: bool = False) -> None:
        self.dialog_open = bool(open_) and self.dialog_open

    @rx.event
    def set_field(self, name: str, value: str | bool) -> None:
        if name not in FORM_FIELDS:
            return
        if name == "reply_internal":
            value = "yes" if value is True or value == "yes" else ""
        self.form = {**self.form, name: str(value)[:10000]}
        self.field_errors = {k: v for k, v in self.field_errors.items() if k != name}

    def _actions(self) -> dict[str, Any]:
        form = self.form
        return {
            "status": None if form["status"] == KEEP else form["status"],
            "priority": None if form["priority"] == KEEP else form["priority"],
            "team_id": as_id(form["team"]),
            "assignee": "" if form["assignee"] == KEEP else form["assignee"],
            "add_tags": _tag_list(form["add_tags"]), "remove_tags": _tag_list(form["remove_tags"]),
            "reply": form["reply"], "reply_internal": form["reply_internal"] == "yes",
        }

    @rx.event
    def save(self) -> rx.event.EventSpec | None:
        form, editing = dict(self.form), self.editing_id
        scope = form["scope"]
        team_id = as_id(scope.removeprefix("team:")) if scope.startswith("team:") else None
        self.field_errors = {}
        # Bad input shows at its fields; a refusal (a requester or manager calling this) in `error`.
        with self._on_failure("error", fields="field_errors") as failure:
            actions = parse(MacroActions, self._actions())
            with self._service() as (session, actor):
                if editing:
                    changes = {"name": form["name"], "description": form["description"], "actions": actions}
                    if scope != "personal":
                        changes["team_id"] = team_id
                    saved = macros.update_macro(session, actor, editing, parse(MacroChanges, changes))
                else:
                    saved = macros.create_macro(session, actor, parse(MacroDraft, {
                        "name": form["name"], "description": form["description"], "actions": actions,
                        "personal": scope == "personal", "team_id": team_id}))
                name = saved.name
        if failure.signed_out:
            return failure.event
        if failure:
            if not self.field_errors:
                self.field_errors = {"form": self.error or self._t("This macro could not be saved.")}
            # A problem in the actions ("change at least one field") has no field of its own: show it at the top.
            if "form" in self.field_errors or "actions" in self.field_errors:
                self.field_errors = {**self.field_errors,
                                     "form": self.field_errors.get("form") or self.field_errors["actions"]}
            return None
        self.dialog_open = False
        self._load()
        return rx.toast.success(self._t("Macro “{name}” saved.", name=name))

    @rx.event
    def delete(self, macro_id: str) -> rx.event.EventSpec | None:
        if as_id(macro_id) is None:
            return None
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            macros.delete_macro(session, actor, as_id(macro_id))
        if failure:
            return failure.event
        self._load()
        return rx.toast.success(self._t("Macro deleted."))
