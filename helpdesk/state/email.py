"""Thin states for the e-mail channel's pages: the rating link of the "resolved" e-mail, and each person's choice of
notification e-mails. The rules (who may rate, which link is genuine, which switches a person has) are in the
domain."""

from __future__ import annotations

from typing import Any

import reflex as rx

from helpdesk.core.bounds import as_id
from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError
from helpdesk.email import preferences
from helpdesk.state.session import SessionState, first_problem
from helpdesk.tickets import csat


class SatisfactionState(rx.State):
    """Records the rating when the page loads in a browser (its events run over the socket), so a mail scanner
    that only fetches the link's HTML records nothing."""

    recorded: bool = False
    rating: str = ""
    ticket_label: str = ""
    comment_saved: bool = False
    error: str = ""

    def _link(self) -> tuple[int, str, str]:
        params = self.router.url.query_parameters
        ticket_id = as_id(params.get("ticket"), big=True) or 0  # anything else is no ticket's link
        return ticket_id, str(params.get("rating", ""))[:8], str(params.get("sig", ""))[:64]

    def _rate(self, comment: str | None) -> None:
        ticket_id, rating, signature = self._link()
        try:
            with session_scope() as session:
                row = csat.rate_by_link(session, ticket_id, rating, signature, comment)
        except DomainError as exc:
            self.error, self.recorded = first_problem(exc), False
            return
        self.error, self.recorded, self.rating = "", True, row["rating"]
        self.ticket_label = f"#{row['number']} {row['title']}"

    @rx.event
    def on_load(self) -> None:
        self.comment_saved = False
        self._rate(None)

    @rx.event
    def save_comment(self, form: dict[str, Any]) -> None:
        self._rate(str(form.get("comment", ""))[:2000])
        self.comment_saved = self.recorded


class NotificationSettingsState(SessionState):
    """The signed-in person's own switches (every handler reads and writes only the caller's)."""

    items: list[dict[str, Any]] = []
    error: str = ""

    def _show(self, rows: list[dict[str, Any]]) -> None:
        self.items = rows
        self.error = ""

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        with self._on_failure("error") as failure:
            self._show(self._run(preferences.preferences))
        return failure.event

    @rx.event
    def toggle(self, kind: str, enabled: bool) -> rx.event.EventSpec | None:
        with self._on_failure("error") as failure, self._service() as (session, actor):
            rows = preferences.set_preferences(session, actor, {str(kind)[:40]: enabled is True})
        if failure:
            return failure.event
        self._show(rows)
        return None

    @rx.var
    def request_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item.get("group") == "requests"]

    @rx.var
    def work_items(self) -> list[dict[str, Any]]:
        return [item for item in self.items if item.get("group") == "work"]
