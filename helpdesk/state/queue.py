"""The agent queue: filters, sort, keyset pages and counts per status."""

from __future__ import annotations

import reflex as rx
from reflex_base.constants.state import FIELD_MARKER

from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError
from helpdesk.core.validation import parse
from helpdesk.identity import directory
from helpdesk.identity.actor import load_actor
from helpdesk.models import User
from helpdesk.state import live as live_state
from helpdesk.state.formatting import STAFF_STATUS_LABELS, plural, ticket_row
from helpdesk.state.live import QueueView, versions_ahead, watchers
from helpdesk.state.paging import KeysetPaging
from helpdesk.state.session import SessionState
from helpdesk.tickets import assignment, tickets
from helpdesk.tickets.validation import TicketChanges

OPEN = ["new", "open", "in_progress", "waiting_on_customer"]
# The tab "open" holds every unresolved ticket (its value is kept for links and tests); the status Open has its own
# tab, "status_open", which the same key had hidden (and its count had been overwritten by the total).
STATUS_OPEN_TAB = "status_open"
STATUS_TABS = ["open", *(STATUS_OPEN_TAB if s == "open" else s for s in STAFF_STATUS_LABELS), "all"]
PAGE_SIZE = 25


def with_totals(counts: dict[str, int]) -> dict[str, int]:
    return counts | {STATUS_OPEN_TAB: counts.get("open", 0), "open": sum(counts.get(s, 0) for s in OPEN),
                     "all": sum(counts.values())}


class QueueState(KeysetPaging, SessionState):
    status: str = "open"
    priority: str = ""
    team: str = ""
    assignee: str = ""
    category: str = ""
    query: str = ""
    sort: str = "newest"
    sla_state: str = ""

    rows: list[dict[str, str]] = []
    counts: dict[str, int] = {}
    team_choices: list[dict[str, str]] = []
    agent_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []
    loaded: bool = False
    error: str = ""
    # The last bus version this page reflects; a gap means updates were missed (reload).
    seen_version: int = -1
    highlighted: str = ""
    selected: list[str] = []
    available: bool = True
    can_bulk_edit: bool = False

    def _filters(self, user_id: int) -> tickets.TicketFilters:
        statuses = (OPEN if self.status == "open" else [] if self.status == "all"
                    else ["open"] if self.status == STATUS_OPEN_TAB else [self.status])
        if tickets.looks_like_number(self.query):
            statuses = []  # "#1443" finds that ticket whatever tab is showing (resolved ones too)
        return tickets.TicketFilters(
            statuses=statuses,
            priorities=[self.priority] if self.priority else [],
            team_id=as_id(self.team),
            assignee_id=user_id if self.assignee == "me" else as_id(self.assignee),
            unassigned=self.assignee == "unassigned",
            category_id=as_id(self.category),
            text=self.query[:200],
            sla_state=self.sla_state,
        )

    def _load(self, cursor: str | None = None, *, fresh: bool = False) -> rx.event.EventSpec | None:
        self.error = ""
        with self._on_failure("error") as failure, self._reading(fresh=fresh) as (session, actor):
            filters = self._filters(actor.user_id)
            page = tickets.list_tickets(session, actor, filters, sort=self.sort, cursor=cursor, limit=PAGE_SIZE)
            if not actor.is_requester:
                # On the first page, pushes carry this tab's fresh rows; deeper pages refresh themselves.
                view = QueueView(actor.user_id, filters, self.sort) if cursor is None else None
                watchers.watch_queue(self.router.session.client_token, view)
            counts = tickets.status_counts(session, actor, filters)
        if failure:
            return failure.event
        self.rows = [ticket_row(r, staff=True) for r in page.rows]
        self.next_cursor = page.next_cursor or ""
        self.counts = with_totals(counts)
        self.loaded = True
        return None

    def _reload(self) -> rx.event.EventSpec | None:
        self.cursor_stack = []
        return self._load()

    @rx.event
    def apply_change(self, version: int, ticket_id: int) -> rx.event.EventSpec | None:
        """Runs in a queue tab whose push did not carry its rows (a deeper page, or a failed render): re-read."""
        ahead = versions_ahead(self.seen_version, version)
        self.seen_version = max(self.seen_version, version)
        if not ahead:
            return None
        return self._load(self._current_cursor(), fresh=True)

    @rx.event
    def next_page(self) -> rx.event.EventSpec | None:
        # A live push may have moved the first page in the browser only; continue from what it shows now.
        if not self.cursor_stack:
            self._load(None)
        return super().next_page()

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.seen_version = live.current_version()
        with self._on_failure() as failure, self._service() as (session, actor):
            if actor.is_requester:
                return rx.redirect("/portal")
            self.available = bool(session.get(User, actor.user_id).is_available)
            self.can_bulk_edit = actor.is_staff
            teams = directory.team_options(session)
            agents = directory.agent_options(session)
            categories = directory.category_options(session)
        if failure:
            return failure.event
        self.team_choices = [{"id": str(o["id"]), "label": o["label"]} for o in teams]
        self.agent_choices = [{"id": str(o["id"]), "label": o["label"]} for o in agents]
        self.category_choices = [{"id": str(o["id"]), "label": o["label"]} for o in categories]
        return self._reload()

    @rx.event
    def set_status(self, value: str) -> rx.event.EventSpec | None:
        if value in STATUS_TABS:
            self.status = value
        return self._reload()

    @rx.event
    def set_priority(self, value: str) -> rx.event.EventSpec | None:
        self.priority = value if value in ("low", "medium", "high", "critical") else ""
        return self._reload()

    @rx.event
    def set_team(self, value: str) -> rx.event.EventSpec | None:
        self.team = value if as_id(value) else ""
        return self._reload()

    @rx.event
    def set_assignee(self, value: str) -> rx.event.EventSpec | None:
        self.assignee = value if value in ("me", "unassigned") or as_id(value) else ""
        return self._reload()

    @rx.event
    def set_category(self, value: str) -> rx.event.EventSpec | None:
        self.category = value if as_id(value) else ""
        return self._reload()

    @rx.event
    def set_sla_state(self, value: str) -> rx.event.EventSpec | None:
        self.sla_state = value if value in ("at_risk", "breached") else ""
        return self._reload()

    @rx.event
    def set_query(self, value: str) -> rx.event.EventSpec | None:
        self.query = value[:200]
        return self._reload()

    @rx.event
    def set_sort(self, value: str) -> rx.event.EventSpec | None:
        if value in tickets.SORTS:
            self.sort = value
        return self._reload()

    @rx.event
    def clear_filters(self) -> rx.event.EventSpec | None:
        self.status, self.priority, self.team, self.assignee, self.category, self.query = "open", "", "", "", "", ""
        self.sla_state = ""
        return self._reload()

    @rx.event
    def refresh(self) -> rx.event.EventSpec | None:
        return self._load(self._current_cursor())


    @rx.event
    def toggle_selected(self, ticket_id: str) -> None:
        if as_id(ticket_id, big=True) is None:
            return
        self.selected = ([t for t in self.selected if t != ticket_id] if ticket_id in self.selected
                         else [*self.selected, ticket_id])

    @rx.event
    def select_page(self, checked: bool) -> None:
        if checked:
            self._load(self._current_cursor())  # the rows as the browser shows them after any live push
        self.selected = [r["id"] for r in self.rows] if checked else []

    def _bulk(self, **fields: object) -> rx.event.EventSpec | None:
        ids = [i for i in (as_id(t, big=True) for t in self.selected) if i is not None]
        with self._on_failure(toast=True) as failure:
            changes = parse(TicketChanges, fields)
            with self._service() as (session, actor):
                result = tickets.bulk_update(session, actor, ids, changes)
        if failure:
            return failure.event
        self.selected = []
        self._load(self._current_cursor())
        changed = plural(len(result.updated), "ticket")
        if result.failed:
            reasons = "; ".join(f"#{tid}: {why}" for tid, why in list(result.failed.items())[:3])
            return rx.toast.warning(f"Updated {changed}; {len(result.failed)} not changed ({reasons}).")
        if result.unchanged and not result.updated:
            return rx.toast.info(f"Nothing to change: the {plural(len(result.unchanged), 'ticket')} already had it.")
        if result.unchanged:
            return rx.toast.success(f"Updated {changed}; {len(result.unchanged)} already had it.")
        return rx.toast.success(f"Updated {changed}.")

    @rx.event
    def bulk_status(self, value: str) -> rx.event.EventSpec | None:
        return self._bulk(status=value)

    @rx.event
    def bulk_assign(self, value: str) -> rx.event.EventSpec | None:
        if value == "me":
            with self._on_failure() as failure:
                user_id = self._run(lambda session, actor: actor.user_id)
            if failure:
                return failure.event
            return self._bulk(assignee_id=user_id)
        return self._bulk(assignee_id=as_id(value))

    @rx.event
    def set_available(self, available: bool) -> rx.event.EventSpec | None:
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            assignment.set_availability(session, actor, bool(available))
        if failure:
            return failure.event
        self.available = bool(available)
        return rx.toast.info("You will get new tickets automatically." if available
                             else "You are away: no new tickets will be assigned to you.")

    @rx.var
    def page_number(self) -> int:
        return len(self.cursor_stack) + 1

    @rx.var
    def has_filters(self) -> bool:
        return bool(self.priority or self.team or self.assignee or self.category or self.query or self.sla_state
                    or self.status != "open")


def render_queue_view(view: QueueView, version: int, ticket_id: int) -> dict | None:
    """The delta a live push carries for every tab showing `view`: its fresh first page, counts and version."""
    try:
        with session_scope() as session:
            actor = load_actor(session, view.user_id)
            page = tickets.list_tickets(session, actor, view.filters, sort=view.sort, cursor=None, limit=PAGE_SIZE)
            counts = tickets.status_counts(session, actor, view.filters)
    except DomainError:
        return None  # signed out or deactivated: the tab's own refresh sends it to the sign-in page
    rows = [ticket_row(r, staff=True) for r in page.rows]
    fields = {"rows": rows, "next_cursor": page.next_cursor or "", "counts": with_totals(counts),
              "seen_version": version, "loaded": True, "error": ""}
    if any(row["id"] == str(ticket_id) for row in rows):
        fields["highlighted"] = str(ticket_id)
    return {QueueState.get_full_name(): {f"{name}{FIELD_MARKER}": value for name, value in fields.items()}}


live_state.queue_view_renderer = render_queue_view
