"""The agent queue: filters, sort, keyset pages and counts per status; saved views, tags, bulk actions and macros."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import reflex as rx
from reflex_base.constants.state import FIELD_MARKER

from helpdesk.core import i18n
from helpdesk.core import live_bus as live
from helpdesk.core.bounds import as_id
from helpdesk.core.db import session_scope
from helpdesk.core.errors import DomainError
from helpdesk.core.validation import parse
from helpdesk.identity import directory
from helpdesk.identity.actor import Actor, load_actor
from helpdesk.models import User
from helpdesk.state import live as live_state
from helpdesk.state.formatting import STAFF_STATUS_LABELS, ticket_rows
from helpdesk.state.live import QueueView, versions_ahead, watchers
from helpdesk.state.paging import KeysetPaging
from helpdesk.state.session import SessionState, first_problem
from helpdesk.tickets import assignment, macros, saved_views, tags, tickets
from helpdesk.tickets.validation import SavedViewChanges, SavedViewDraft, TicketChanges, ViewFilters, tag_name

OPEN = ["new", "open", "in_progress", "waiting_on_customer"]
# The tab "open" holds every unresolved ticket (its value is kept for links and tests); the status Open has its own
# tab, "status_open", which the same key had hidden (and its count had been overwritten by the total).
STATUS_OPEN_TAB = "status_open"
STATUS_TABS = ["open", *(STATUS_OPEN_TAB if s == "open" else s for s in STAFF_STATUS_LABELS), "all"]
PAGE_SIZE = 25


def with_totals(counts: dict[str, int]) -> dict[str, int]:
    return counts | {STATUS_OPEN_TAB: counts.get("open", 0), "open": sum(counts.get(s, 0) for s in OPEN),
                     "all": sum(counts.values())}


# The queue's tab values and a saved view's (helpdesk/tickets/validation.py: VIEW_TABS) differ only where the queue
# keeps its old names: "open" is every unresolved ticket, "status_open" the status Open.
_TAB_TO_VIEW = {"open": "unresolved", STATUS_OPEN_TAB: "open"}
_VIEW_TO_TAB = {view: tab for tab, view in _TAB_TO_VIEW.items()}
TAG_CHOICES = 40  # the most used tags offered in the queue's tag filter


def bulk_message(result: tickets.BulkResult, language: str = i18n.DEFAULT_LANGUAGE) -> tuple[str, str]:
    """(kind, text) of the toast after a bulk action: exactly how many changed, and why any were skipped."""
    def tr(msgid: str, **values: Any) -> str:
        return i18n.translate_format(language, msgid, **values)

    def tickets_count(count: int) -> str:
        return tr("{count} ticket", count=count) if count == 1 else tr("{count} tickets", count=count)

    if result.unchanged and not result.updated and not result.failed:
        return "info", tr("Nothing to change: the {tickets} already had it.",
                          tickets=tickets_count(len(result.unchanged)))
    parts = [tr("Updated {tickets}", tickets=tickets_count(len(result.updated)))]
    if result.unchanged:
        parts.append(tr("{count} already had it", count=len(result.unchanged)))
    if result.failed:
        reasons = Counter(i18n.translate(language, reason) for reason in result.failed.values())
        why = (next(iter(reasons)) if len(reasons) == 1
               else ", ".join(f"{reason} ({count})" for reason, count in reasons.most_common()))
        parts.append(tr("{count} skipped: {why}", count=len(result.failed), why=why))
    separator, stop = ("؛ ", "۔") if i18n.is_rtl(language) else ("; ", ".")
    return ("warning" if result.failed else "success"), separator.join(parts) + stop


def _toast(kind: str, text: str) -> rx.event.EventSpec:
    return {"info": rx.toast.info, "warning": rx.toast.warning}.get(kind, rx.toast.success)(text)


class QueueState(KeysetPaging, SessionState):
    status: str = "open"
    priority: str = ""
    team: str = ""
    assignee: str = ""
    category: str = ""
    query: str = ""
    sort: str = "newest"
    sla_state: str = ""
    tag: str = ""

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
    tag_choices: list[str] = []
    # Saved views beside the tabs: id, name, scope, team, can_edit ("yes"/""), filters (JSON, to spot changes).
    views: list[dict[str, str]] = []
    active_view: str = ""
    share_choices: list[dict[str, str]] = []
    view_dialog: bool = False
    editing_view: str = ""  # "" while saving a new view
    view_name: str = ""
    view_scope: str = "personal"
    view_error: str = ""
    # Macros the agent may apply from the bulk bar: id, name, summary.
    macro_choices: list[dict[str, str]] = []
    bulk_tag: str = ""

    def _view_filters(self) -> ViewFilters:
        """The queue's filters and sort as a saved view stores them (the setters keep every value valid)."""
        return ViewFilters(
            tab=_TAB_TO_VIEW.get(self.status, self.status),
            priority=self.priority or None,
            team_id=as_id(self.team),
            assignee=self.assignee,
            category_id=as_id(self.category),
            query=self.query[:200],
            sla_state=self.sla_state,
            tag=self.tag,
            sort=self.sort,
        )

    def _filters(self, user_id: int) -> tickets.TicketFilters:
        filters = saved_views.ticket_filters(self._view_filters(), user_id)
        if tickets.looks_like_number(self.query):
            filters.statuses = []  # "#1443" finds that ticket whatever tab is showing (resolved ones too)
        return filters

    def _show_filters(self, stored: ViewFilters) -> None:
        self.status = _VIEW_TO_TAB.get(stored.tab, stored.tab)
        self.priority = stored.priority.value if stored.priority else ""
        self.team = str(stored.team_id or "")
        self.assignee = stored.assignee
        self.category = str(stored.category_id or "")
        self.query, self.sla_state, self.tag, self.sort = stored.query, stored.sla_state, stored.tag, stored.sort

    def _load_tools(self, session, actor: Actor) -> None:  # noqa: ANN001
        """Saved views, tag choices and macros: they change rarely, and a live push says when shared ones did."""
        self.views = [{"id": str(v["id"]), "name": v["name"], "scope": v["scope"], "team": v["team"],
                       "can_edit": "yes" if v["can_edit"] else "",
                       "filters": json.dumps(v["filters"], sort_keys=True)}
                      for v in saved_views.list_views(session, actor)]
        if self.active_view and not any(v["id"] == self.active_view for v in self.views):
            self.active_view = ""
        self.tag_choices = [t["name"] for t in tags.suggest(session, actor, limit=TAG_CHOICES)]
        if self.tag and self.tag not in self.tag_choices:
            self.tag_choices = [self.tag, *self.tag_choices]
        self.macro_choices = ([{"id": str(m["id"]), "name": m["name"], "summary": m["summary"]}
                               for m in macros.list_macros(session, actor)] if actor.is_staff else [])

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
            if not actor.is_requester:
                self._load_tools(session, actor)
        if failure:
            return failure.event
        self.rows = ticket_rows(page.rows, staff=True, language=self._lang())
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
            self.share_choices = saved_views.share_options(session, actor)
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
    def set_tag(self, value: str) -> rx.event.EventSpec | None:
        self.tag = value if value in self.tag_choices else ""
        return self._reload()

    @rx.event
    def filter_by_tag(self, value: str) -> rx.event.EventSpec | None:
        """A tag clicked on a row: show every unresolved ticket with it."""
        try:
            self.tag = tag_name(value)
        except ValueError:
            return None
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
        self.sla_state, self.tag, self.active_view = "", "", ""
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

    def _selected_ids(self) -> list[int]:
        return [i for i in (as_id(t, big=True) for t in self.selected) if i is not None]

    def _after_bulk(self, result: tickets.BulkResult) -> rx.event.EventSpec:
        self.selected = []
        self._load(self._current_cursor())
        return _toast(*bulk_message(result, self._lang()))

    def _bulk(self, **fields: object) -> rx.event.EventSpec | None:
        ids = self._selected_ids()
        with self._on_failure(toast=True) as failure:
            changes = parse(TicketChanges, fields)
            with self._service() as (session, actor):
                result = tickets.bulk_update(session, actor, ids, changes)
        if failure:
            return failure.event
        return self._after_bulk(result)

    @rx.event
    def bulk_status(self, value: str) -> rx.event.EventSpec | None:
        return self._bulk(status=value)

    @rx.event
    def bulk_priority(self, value: str) -> rx.event.EventSpec | None:
        return self._bulk(priority=value)

    @rx.event
    def bulk_team(self, value: str) -> rx.event.EventSpec | None:
        # As on the ticket page: a ticket moved to another team leaves its assignee behind.
        return self._bulk(team_id=as_id(value), assignee_id=None)

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
    def set_bulk_tag(self, value: str) -> None:
        self.bulk_tag = value[:40]

    @rx.event
    def bulk_add_tag(self) -> rx.event.EventSpec | None:
        ids = self._selected_ids()
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            result = tags.bulk_add(session, actor, ids, [self.bulk_tag])
        if failure:
            return failure.event
        self.bulk_tag = ""
        return self._after_bulk(result)

    @rx.event
    def bulk_macro(self, macro_id: str) -> rx.event.EventSpec | None:
        if as_id(macro_id) is None:
            return None
        ids = self._selected_ids()
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            result = macros.apply_to_many(session, actor, as_id(macro_id), ids)
        if failure:
            return failure.event
        return self._after_bulk(result)

    @rx.event
    def assign_row_to_me(self, ticket_id: str) -> rx.event.EventSpec | None:
        """The "a" shortcut on the focused row."""
        if as_id(ticket_id, big=True) is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            ticket = tickets.update_ticket(session, actor, as_id(ticket_id, big=True),
                                           TicketChanges(assignee_id=actor.user_id))
            number = ticket.number
        if failure:
            return failure.event
        self._load(self._current_cursor())
        return rx.toast.success(self._t("#{number} is assigned to you.", number=number))

    # ------------------------------------------------------------ saved views

    @rx.event
    def apply_view(self, view_id: str) -> rx.event.EventSpec | None:
        with self._on_failure(toast=True) as failure, self._reading() as (session, actor):
            row = saved_views.view_row(session, actor, as_id(view_id) or 0)
        if failure:
            return failure.event
        self._show_filters(ViewFilters.model_validate(row["filters"]))
        self.active_view = view_id
        return self._reload()

    @rx.event
    def open_save_view(self) -> None:
        self.editing_view, self.view_name, self.view_scope, self.view_error = "", "", "personal", ""
        self.view_dialog = True

    @rx.event
    def open_edit_view(self) -> None:
        view = next((v for v in self.views if v["id"] == self.active_view and v["can_edit"]), None)
        if view is None:
            return
        self.editing_view, self.view_name, self.view_error = view["id"], view["name"], ""
        self.view_scope = {"personal": "personal", "everyone": "everyone"}.get(view["scope"], "")
        if view["scope"] == "team":
            stored = next((c["value"] for c in self.share_choices if c["label"] == f"Team: {view['team']}"), "")
            self.view_scope = stored
        self.view_dialog = True

    @rx.event
    def close_view_dialog(self, open_: bool = False) -> None:
        self.view_dialog = bool(open_) and self.view_dialog

    @rx.event
    def set_view_name(self, value: str) -> None:
        self.view_name, self.view_error = value[:60], ""

    @rx.event
    def set_view_scope(self, value: str) -> None:
        if any(c["value"] == value for c in self.share_choices):
            self.view_scope = value

    @rx.event
    def save_view(self) -> rx.event.EventSpec | None:
        shared = self.view_scope != "personal"
        team_id = as_id(self.view_scope.removeprefix("team:")) if self.view_scope.startswith("team:") else None
        fields = {"name": self.view_name, "shared": shared, "team_id": team_id,
                  "filters": self._view_filters().model_dump(mode="json")}
        editing = self.editing_view
        with self._on_failure("view_error", describe=first_problem) as failure:
            with self._service() as (session, actor):
                if editing:
                    view = saved_views.update_view(session, actor, int(editing), parse(SavedViewChanges, fields))
                else:
                    view = saved_views.create_view(session, actor, parse(SavedViewDraft, fields))
                view_id, name = str(view.id), view.name
        if failure:
            return failure.event
        self.view_dialog, self.active_view = False, view_id
        self._load(self._current_cursor())
        return rx.toast.success(self._t("View “{name}” saved.", name=name))

    @rx.event
    def update_active_view(self) -> rx.event.EventSpec | None:
        """Stores the queue's current filters and sort in the active view."""
        view_id = self.active_view
        if as_id(view_id) is None:
            return None
        with self._on_failure(toast=True, describe=first_problem) as failure, self._service() as (session, actor):
            name = saved_views.update_view(session, actor, as_id(view_id),
                                           SavedViewChanges(filters=self._view_filters())).name
        if failure:
            return failure.event
        self._load(self._current_cursor())
        return rx.toast.success(self._t("View “{name}” updated.", name=name))

    @rx.event
    def delete_view(self) -> rx.event.EventSpec | None:
        view_id = self.editing_view
        if as_id(view_id) is None:
            return None
        with self._on_failure("view_error", describe=first_problem) as failure, self._service() as (session, actor):
            saved_views.delete_view(session, actor, as_id(view_id))
        if failure:
            return failure.event
        self.view_dialog, self.active_view, self.editing_view = False, "", ""
        self._load(self._current_cursor())
        return rx.toast.success(self._t("View deleted."))

    @rx.event
    def set_available(self, available: bool) -> rx.event.EventSpec | None:
        with self._on_failure(toast=True) as failure, self._service() as (session, actor):
            assignment.set_availability(session, actor, bool(available))
        if failure:
            return failure.event
        self.available = bool(available)
        return rx.toast.info(self._t("You will get new tickets automatically.") if available
                             else self._t("You are away: no new tickets will be assigned to you."))

    @rx.var
    def page_number(self) -> int:
        return len(self.cursor_stack) + 1

    @rx.var
    def has_filters(self) -> bool:
        return bool(self.priority or self.team or self.assignee or self.category or self.query or self.sla_state
                    or self.tag or self.status != "open")

    @rx.var(cache=False)
    def active_view_editable(self) -> bool:
        return any(v["id"] == self.active_view and v["can_edit"] for v in self.views)

    @rx.var(cache=False)
    def active_view_changed(self) -> bool:
        """The queue shows other filters than the active view stores (it may be updated with them)."""
        view = next((v for v in self.views if v["id"] == self.active_view), None)
        if view is None:
            return False
        try:
            current = json.dumps(self._view_filters().model_dump(mode="json"), sort_keys=True)
        except ValueError:
            return False
        return current != view["filters"]


def render_queue_view(view: QueueView, version: int, ticket_id: int) -> dict | None:
    """The delta a live push carries for every tab showing `view`: its fresh first page, counts and version."""
    try:
        with session_scope() as session:
            actor = load_actor(session, view.user_id)
            page = tickets.list_tickets(session, actor, view.filters, sort=view.sort, cursor=None, limit=PAGE_SIZE)
            counts = tickets.status_counts(session, actor, view.filters)
    except DomainError:
        return None  # signed out or deactivated: the tab's own refresh sends it to the sign-in page
    rows = ticket_rows(page.rows, staff=True, language=actor.language)
    fields = {"rows": rows, "next_cursor": page.next_cursor or "", "counts": with_totals(counts),
              "seen_version": version, "loaded": True, "error": ""}
    if any(row["id"] == str(ticket_id) for row in rows):
        fields["highlighted"] = str(ticket_id)
    return {QueueState.get_full_name(): {f"{name}{FIELD_MARKER}": value for name, value in fields.items()}}


live_state.queue_view_renderer = render_queue_view
