"""The bell in the top bar: the unread count (refreshed by live pushes) and the latest notifications."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError, NotAuthenticated
from helpdesk.notifications import inbox
from helpdesk.routes import ticket_url
from helpdesk.state.formatting import relative
from helpdesk.state.live import watchers
from helpdesk.state.session import SessionState

LATEST = 15


def _quietly(_exc: DomainError) -> None:
    """The bell never takes a page over: a signed-out or failing bell just shows nothing new."""
    return None


class BellState(SessionState):
    unread: int = 0
    items: list[dict[str, str]] = []
    is_open: bool = False

    def _read(self, *, with_items: bool) -> None:
        with self._on_failure(on={NotAuthenticated: _quietly, DomainError: _quietly}) as failure, \
                self._reading(fresh=True) as (session, actor):
            watchers.watch_bell(self.router.session.client_token, actor.user_id)
            if with_items:
                page = inbox.list_notifications(session, actor, limit=LATEST)
                rows, unread = page.rows, page.unread
            else:
                rows, unread = [], inbox.unread_count(session, actor)
        if failure:
            return
        self.unread = unread
        if with_items:
            self.items = [{"id": str(r["id"]), "title": r["title"], "excerpt": r["excerpt"],
                           "ago": relative(r["created_at"], self._lang()), "read": "yes" if r["read"] else "",
                           "href": ticket_url(r["ticket_id"]) if r["ticket_id"] else "/"} for r in rows]

    @rx.event
    def refresh(self) -> None:
        """On every page (the bell mounts) and whenever a push says this person's notifications changed."""
        self._read(with_items=self.is_open)

    @rx.event
    def set_open(self, is_open: bool) -> None:
        self.is_open = bool(is_open)
        if self.is_open:
            self._read(with_items=True)

    @rx.event
    def open_item(self, notification_id: str) -> rx.event.EventSpec | None:
        """Marks it read and goes to its ticket (the href is the server's own, never the browser's)."""
        number = as_id(notification_id, big=True)
        if number is None:
            return None
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            row = inbox.mark_read(session, actor, number)
        if failure:
            return failure.event
        self.is_open = False
        self._read(with_items=False)
        return rx.redirect(ticket_url(row["ticket_id"]) if row["ticket_id"] else "/")

    @rx.event
    def mark_all_read(self) -> rx.event.EventSpec | None:
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            inbox.mark_all_read(session, actor)
        if failure:
            return failure.event
        self._read(with_items=True)
        return None
