"""The agent's tools on one ticket page: its tags and the macros that can be applied to it.

Kept apart from TicketState (the conversation and fields), with its own live refresh: a tag or macro applied in
another tab, by the API or by another agent shows here at once.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError
from helpdesk.core.i18n import N_
from helpdesk.routes import QUEUE
from helpdesk.state.live import versions_ahead
from helpdesk.state.session import SessionState, first_problem
from helpdesk.state.ticket import TicketState
from helpdesk.tickets import macros, tags, tickets
from helpdesk.tickets.macros import MacroOutcome

SUGGESTIONS = 8


def outcome_text(name: str, outcome: MacroOutcome, language: str = i18n.DEFAULT_LANGUAGE) -> str:
    """ "Applied “Escalate”: status, priority changed; tag vpn added; reply sent." """
    def tr(msgid: str, **values: Any) -> str:
        return i18n.translate_format(language, msgid, **values)

    parts = []
    if outcome.fields:
        labels = {"assignee_id": N_("assignee"), "team_id": N_("team"), "status": N_("status"),
                  "priority": N_("priority")}
        fields = ", ".join(i18n.translate(language, labels.get(f, f)) for f in outcome.fields)
        parts.append(tr("{fields} changed", fields=fields))
    for names, one, many in ((outcome.tags_added, N_("tag {names} added"), N_("tags {names} added")),
                             (outcome.tags_removed, N_("tag {names} removed"), N_("tags {names} removed"))):
        if names:
            parts.append(tr(one if len(names) == 1 else many, names=", ".join(names)))
    if outcome.replied:
        parts.append(tr("reply sent"))
    separator = "؛ " if i18n.is_rtl(language) else "; "
    return tr("Applied “{name}”: {changes}.", name=name,
              changes=separator.join(parts) if parts else tr("nothing to change"))


class TicketToolsState(SessionState):
    tags: list[str] = []
    can_tag: bool = False
    tag_input: str = ""
    tag_suggestions: list[str] = []
    tag_error: str = ""
    macros: list[dict[str, str]] = []
    seen_version: int = -1

    def _ticket_id(self) -> int | None:
        raw = str(self.router.page.params.get("ticket_id", ""))
        return as_id(raw, big=True)

    def _load(self) -> None:
        ticket_id = self._ticket_id()
        self.tags, self.macros, self.can_tag = [], [], False
        if ticket_id is None:
            return
        try:
            with self._service() as (session, actor):
                ticket = tickets.get_for(session, actor, ticket_id)
                if not tickets.sees_internal_notes(actor, ticket):
                    return
                self.tags = tickets.tag_names(session, ticket.id)
                self.can_tag = tickets.can_work(actor, ticket)
                if self.can_tag:
                    self.macros = [{"id": str(m["id"]), "name": m["name"], "summary": m["summary"]}
                                   for m in macros.list_macros(session, actor, ticket_id=ticket.id,
                                                               language=self._lang())]
                    self.tag_suggestions = [t["name"] for t in tags.suggest(session, actor, self.tag_input,
                                                                            limit=SUGGESTIONS)]
        except DomainError:
            return  # not signed in or not this person's ticket: TicketState's own load says so

    @rx.event
    def on_load(self) -> None:
        self.tag_input, self.tag_error = "", ""
        self.seen_version = live.current_version()
        self._load()

    @rx.event
    def apply_change(self, version: int) -> None:
        ahead = versions_ahead(self.seen_version, version)
        self.seen_version = max(self.seen_version, version)
        if ahead:
            self._load()

    @rx.event
    def set_tag_input(self, value: str) -> None:
        self.tag_input, self.tag_error = value[:40], ""
        # Someone who may not tag (a requester, a signed-out tab) gets no suggestions, not an error.
        with self._on_failure(on={DomainError: lambda _exc: None}) as failure, self._reading() as (session, actor):
            found = tags.suggest(session, actor, self.tag_input, limit=SUGGESTIONS)
        self.tag_suggestions = [] if failure else [t["name"] for t in found if t["name"] not in self.tags]

    @rx.event
    def add_tag(self, name: str = "") -> rx.event.EventSpec | None:
        return self._add_tag(name)

    def _add_tag(self, name: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        text = name if isinstance(name, str) and name else self.tag_input
        if not text.strip():
            self.tag_error = self._t("Write a tag first.")
            return None
        if ticket_id is None:
            return None
        with self._on_failure("tag_error", describe=first_problem) as failure, self._service() as (session, actor):
            tags.add_tags(session, actor, ticket_id, [text])
        if failure:
            return failure.event
        self.tag_input = ""
        self._load()
        return None

    @rx.event
    def submit_tag(self, form: dict) -> rx.event.EventSpec | None:
        """Enter in the tag field, or its Add button: the form carries what is in the field now (the field's own
        change events are debounced, so `tag_input` may lag a keystroke behind)."""
        value = form.get("tag") if isinstance(form, dict) else None
        return self._add_tag(value if isinstance(value, str) else "")

    @rx.event
    def remove_tag(self, name: str) -> rx.event.EventSpec | None:
        ticket_id = self._ticket_id()
        if ticket_id is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            tags.remove_tags(session, actor, ticket_id, [name])
        if failure:
            return failure.event
        self._load()
        return rx.toast.info(self._t("Tag {name} removed.", name=name))

    @rx.event
    async def apply_macro(self, macro_id: str) -> rx.event.EventSpec | list[rx.event.EventSpec] | None:
        ticket_id = self._ticket_id()
        macro = next((m for m in self.macros if m["id"] == macro_id), None)
        if ticket_id is None or macro is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            outcome = macros.apply_macro(session, actor, as_id(macro_id), ticket_id)
        if failure:
            return failure.event
        message = outcome_text(macro["name"], outcome, self._lang())
        with self._on_failure(on={DomainError: lambda _exc: "gone"}) as gone, self._service() as (session, actor):
            tickets.get_for(session, actor, ticket_id)
        if gone.signed_out:
            return gone.event
        if gone:  # the macro moved it to a team this person does not see
            return [rx.toast.success(message + " It moved out of your queue."), rx.redirect(QUEUE)]
        self._load()
        ticket_state = await self.get_state(TicketState)
        ticket_state._load()
        return rx.toast.success(message)
