"""The bell in the top bar (the unread count, refreshed by live pushes, and the latest notifications) and the full
list of a person's notifications (/notifications)."""

from __future__ import annotations

import reflex as rx

from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError, NotAuthenticated
from helpdesk.notifications import inbox
from helpdesk.routes import notifications_url, ticket_url
from helpdesk.state.formatting import local_time, relative
from helpdesk.state.live import watchers
from helpdesk.state.paging import KeysetPaging
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


NOTIFICATION_VIEWS = ("unread", "all")


class NotificationsState(KeysetPaging, SessionState):
    """The full list (/notifications): every notification of the signed-in person, newest first, a page at a time.

    The inbox reads only the caller's own notifications (and only about tickets they may still read); the links
    are built here from the server's rows, never taken from the browser."""

    view: str = "unread"
    rows: list[dict[str, str]] = []
    unread: int = 0
    loaded: bool = False
    error: str = ""
    seen_ping: int = -1  # the bell's push counter this list was read at (-1: not yet mounted)

    def _load(self, cursor: str | None = None, *, fresh: bool = False) -> rx.event.EventSpec | None:
        self.error = ""
        with self._on_failure("error") as failure, self._reading(fresh=fresh) as (session, actor):
            page = inbox.list_notifications(session, actor, unread_only=self.view == "unread", cursor=cursor,
                                            limit=inbox.PAGE_SIZE)
        if failure:
            return failure.event
        self.rows = [{"id": str(r["id"]), "title": r["title"], "excerpt": r["excerpt"],
                      "ago": relative(r["created_at"], self._lang()), "when": local_time(r["created_at"], self._lang()),
                      "read": "yes" if r["read"] else "", "kind": r["kind"],
                      "ticket": f"#{r['ticket_number']}" if r["ticket_number"] else "",
                      "href": ticket_url(r["ticket_id"]) if r["ticket_id"] else ""} for r in page.rows]
        self.unread = page.unread
        self.next_cursor = page.next_cursor or ""
        self.loaded = True
        return None

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        # The view is the address's (?view=all), so a reload, the back button or a shared link show the same tab;
        # anything else is the unread list.
        view = str(self.router.url.query_parameters.get("view", "") or "")
        self.view = view if view in NOTIFICATION_VIEWS else "unread"
        self.cursor_stack = []
        self.seen_ping = -1
        return self._load()

    @rx.event
    def show(self, view: str) -> rx.event.EventSpec | None:
        """A tab: a new address (a step in the browser's history); its on_load reads that view."""
        if view not in NOTIFICATION_VIEWS:
            return None
        return rx.redirect(notifications_url(view))

    @rx.event
    def refresh(self, ping: int) -> rx.event.EventSpec | None:
        """A push said this person's notifications changed (a new one, or read in another tab): this page again.
        The first call comes as the page mounts, right after on_load read the list: it only notes the counter."""
        first, self.seen_ping = self.seen_ping < 0, max(self.seen_ping, as_id(ping) or 0)
        return None if first else self._load(self._current_cursor(), fresh=True)

    @rx.event
    def mark_read(self, notification_id: str) -> rx.event.EventSpec | None:
        number = as_id(notification_id, big=True)
        if number is None:
            return None
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            inbox.mark_read(session, actor, number)
        if failure:
            return failure.event
        return self._load(self._current_cursor(), fresh=True)

    @rx.event
    def mark_all_read(self) -> rx.event.EventSpec | None:
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            inbox.mark_all_read(session, actor)
        if failure:
            return failure.event
        self.cursor_stack = []
        return self._load(fresh=True)
