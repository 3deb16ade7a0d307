"""Agent queue: filters, sort, counts per status, keyset pages."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.badges import priority_badge, sla_badge, status_badge
from helpdesk.components.layout import card, empty_state, error_callout, live_trigger, page_header
from helpdesk.pages.template import template
from helpdesk.routes import FILE_FOR_SOMEONE, QUEUE
from helpdesk.state.formatting import STAFF_STATUS_LABELS
from helpdesk.state.live import LiveState
from helpdesk.state.queue import STATUS_OPEN_TAB, QueueState

# "open" is every unresolved ticket; "Open" is also one status, so the tab says what it holds.
TAB_LABELS = {"open": "Unresolved", **{STATUS_OPEN_TAB if value == "open" else value: label
                                        for value, label in STAFF_STATUS_LABELS.items()}, "all": "Everything"}


def _status_tab(value: str, label: str) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(label),
            rx.badge(QueueState.counts.get(value, 0), variant="soft", color_scheme="gray", radius="full"),
            spacing="2",
            align="center",
        ),
        value=value,
        data_testid=f"tab-{value}",
    )


def _select(placeholder: str, value: rx.Var, on_change, items: list[rx.Component], width: str = "170px",
            label: str = "") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width=width, aria_label=label or placeholder),
        rx.select.content(rx.select.item(f"Any {placeholder if placeholder.isupper() else placeholder.lower()}",
                                         value="any"), *items),
        value=rx.cond(value == "", "any", value),
        on_change=on_change,
    )


def _choice_items(choices: rx.Var) -> rx.Component:
    return rx.foreach(choices, lambda c: rx.select.item(c["label"], value=c["id"]))


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder="Search title or #number",
            default_value=QueueState.query,
            on_change=QueueState.set_query.debounce(350),
            width="220px",
            data_testid="queue-search",
        ),
        _select("Priority", QueueState.priority, QueueState.set_priority, [
            rx.select.item("Critical", value="critical"), rx.select.item("High", value="high"),
            rx.select.item("Medium", value="medium"), rx.select.item("Low", value="low")], width="130px"),
        _select("Team", QueueState.team, QueueState.set_team, [_choice_items(QueueState.team_choices)], width="160px"),
        _select("Assignee", QueueState.assignee, QueueState.set_assignee, [
            rx.select.item("Me", value="me"), rx.select.item("Unassigned", value="unassigned"),
            _choice_items(QueueState.agent_choices)], width="160px"),
        _select("Category", QueueState.category, QueueState.set_category,
                [_choice_items(QueueState.category_choices)], width="180px"),
        _select("SLA", QueueState.sla_state, QueueState.set_sla_state, [
            rx.select.item("At risk", value="at_risk"), rx.select.item("Breached", value="breached")], width="120px",
            label="SLA state"),
        rx.spacer(),
        rx.select.root(
            rx.select.trigger(width="160px", aria_label="Sort"),
            rx.select.content(
                rx.select.item("Newest first", value="newest"),
                rx.select.item("Oldest first", value="oldest"),
                rx.select.item("Recently updated", value="updated"),
                rx.select.item("Highest priority", value="priority"),
            ),
            value=QueueState.sort,
            on_change=QueueState.set_sort,
        ),
        rx.cond(QueueState.has_filters,
                rx.button(rx.icon("x", size=14), "Clear", variant="ghost", on_click=QueueState.clear_filters)),
        spacing="2",
        wrap="wrap",
        width="100%",
        margin_bottom="14px",
    )


def _header_cell(text: str, width: str = "") -> rx.Component:
    return rx.table.column_header_cell(text, width=width) if width else rx.table.column_header_cell(text)


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.cond(QueueState.can_bulk_edit, rx.table.cell(rx.checkbox(
            checked=QueueState.selected.contains(row["id"]),
            on_change=lambda _: QueueState.toggle_selected(row["id"]),
            aria_label="Select ticket", data_testid="row-select"))),
        rx.table.cell(rx.text(row["number"], color_scheme="gray", weight="medium", size="2")),
        rx.table.cell(
            rx.vstack(
                rx.link(row["title"], href="/tickets/" + row["id"], weight="medium", size="2",
                        color_scheme="gray", high_contrast=True, data_testid="queue-row-title"),
                rx.text(row["requester"], " · ", row["category"], size="1", color_scheme="gray"),
                spacing="0",
                align="start",
            )
        ),
        rx.table.cell(status_badge(row["status"], row["status_label"])),
        rx.table.cell(priority_badge(row["priority"], row["priority_label"])),
        rx.table.cell(rx.text(row["team"], size="2")),
        rx.table.cell(rx.text(row["assignee"], size="2",
                              color=rx.cond(row["assignee"] == "Unassigned", "var(--gray-10)", "inherit"))),
        rx.table.cell(sla_badge(row["sla"], row["sla_label"])),
        rx.table.cell(rx.text(row["created_ago"], size="2", color_scheme="gray", title=row["created"])),
        align="center",
        data_testid="queue-row",
        background=rx.cond(row["id"] == QueueState.highlighted, "var(--accent-a2)", "transparent"),
        transition="background 1s",
    )


def _bulk_bar() -> rx.Component:
    return rx.cond(
        QueueState.selected.length() > 0,
        rx.hstack(
            rx.text(QueueState.selected.length(), " selected", weight="medium", size="2"),
            rx.select.root(
                rx.select.trigger(placeholder="Set status…", width="170px", data_testid="bulk-status"),
                rx.select.content(
                    *[rx.select.item(label, value=value) for value, label in STAFF_STATUS_LABELS.items()]
                ),
                value="", on_change=QueueState.bulk_status,
            ),
            rx.select.root(
                rx.select.trigger(placeholder="Assign to…", width="170px", data_testid="bulk-assign"),
                rx.select.content(rx.select.item("Me", value="me"), rx.select.item("Nobody", value="none"),
                                  _choice_items(QueueState.agent_choices)),
                value="", on_change=QueueState.bulk_assign,
            ),
            rx.button("Clear selection", variant="ghost", on_click=QueueState.select_page(False)),
            spacing="3",
            align="center",
            padding="10px 14px",
            border_radius="10px",
            background="var(--accent-a3)",
            width="100%",
            margin_bottom="12px",
            data_testid="bulk-bar",
        ),
    )


@template(QUEUE, "Queue", on_load=QueueState.on_load)
def queue_page() -> rx.Component:
    return rx.fragment(
        live_trigger(LiveState.version,
                     QueueState.apply_change(LiveState.version, LiveState.ticket_id), LiveState.spread_ms,
                     seen=QueueState.seen_version),
        page_header(
            "Ticket queue",
            rx.hstack(rx.box(width="8px", height="8px", border_radius="999px", background="var(--green-9)"),
                      rx.text("Live: changes appear as they happen.", size="2", color_scheme="gray"),
                      align="center", spacing="2"),
            rx.cond(QueueState.can_bulk_edit, rx.hstack(
                rx.switch(checked=QueueState.available, on_change=QueueState.set_available,
                          aria_label="Available for new tickets", data_testid="availability"),
                rx.text(rx.cond(QueueState.available, "Available for new tickets", "Away"), size="2"),
                align="center", spacing="2", margin_right="12px")),
            rx.cond(QueueState.can_bulk_edit,
                    rx.link(rx.button(rx.icon("phone", size=14), "File for someone", variant="soft"),
                            href=FILE_FOR_SOMEONE, data_testid="file-for-someone")),
            rx.button(rx.icon("refresh-cw", size=14), "Refresh", variant="soft", on_click=QueueState.refresh),
        ),
        error_callout(QueueState.error),
        rx.tabs.root(
            rx.tabs.list(*[_status_tab(value, label) for value, label in TAB_LABELS.items()]),
            # One panel, always the active tab's, holds the filters and rows: the tabs point at a panel that exists.
            rx.tabs.content(
                _filters(),
                _bulk_bar(),
                card(
                    rx.cond(
                        QueueState.rows.length() > 0,
                        rx.table.root(
                            rx.table.header(
                                rx.table.row(
                                    rx.cond(QueueState.can_bulk_edit, rx.table.column_header_cell(
                                        rx.checkbox(checked=(QueueState.selected.length() > 0)
                                                    & (QueueState.selected.length() == QueueState.rows.length()),
                                                    on_change=QueueState.select_page, aria_label="Select page"),
                                        width="36px")),
                                    _header_cell("#", "80px"), rx.table.column_header_cell("Ticket", min_width="220px"),
                                    _header_cell("Status", "150px"),
                                    _header_cell("Priority", "120px"), _header_cell("Team", "160px"),
                                    _header_cell("Assignee", "140px"), _header_cell("SLA", "150px"),
                                    _header_cell("Opened", "100px"),
                                )
                            ),
                            rx.table.body(rx.foreach(QueueState.rows, _row)),
                            variant="ghost",
                            size="2",
                            width="100%",
                        ),
                        rx.cond(
                            QueueState.loaded,
                            empty_state("circle-check", "Nothing to see here",
                                        "No tickets match these filters. Clear a filter or pick another status.",
                                        rx.button("Clear filters", variant="soft", on_click=QueueState.clear_filters)),
                            rx.center(rx.spinner(), padding="40px", width="100%"),
                        ),
                    ),
                    padding="8px",
                ),
                value=QueueState.status,
                padding_top="14px",
            ),
            value=QueueState.status,
            on_change=QueueState.set_status,
        ),
        rx.hstack(
            rx.text("Page ", QueueState.page_number, size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button("Previous", variant="soft", on_click=QueueState.previous_page,
                      disabled=QueueState.cursor_stack.length() == 0),
            rx.button("Next", variant="soft", on_click=QueueState.next_page,
                      disabled=QueueState.next_cursor == "", data_testid="queue-next"),
            width="100%",
            align="center",
            margin_top="12px",
        ),
    )
