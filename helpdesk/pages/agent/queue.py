"""Agent queue: filters, sort, counts per status, keyset pages; saved views, tags, bulk actions, macros, keyboard
shortcuts."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.badges import priority_badge, sla_badge, status_badge
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card, empty_state, error_callout, live_trigger, page_header
from helpdesk.components.shortcuts import QUEUE_KEYS, shortcut_scope, shortcuts_help
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import FILE_FOR_SOMEONE, MACROS, QUEUE
from helpdesk.state.formatting import STAFF_STATUS_LABELS
from helpdesk.state.live import LiveState
from helpdesk.state.queue import STATUS_OPEN_TAB, QueueState

# "open" is every unresolved ticket; "Open" is also one status, so the tab says what it holds. (The labels are
# English msgids, translated where they are drawn.)
TAB_LABELS = {"open": N_("Unresolved"), **{STATUS_OPEN_TAB if value == "open" else value: label
                                        for value, label in STAFF_STATUS_LABELS.items()}, "all": N_("Everything")}


def _status_tab(value: str, label: str) -> rx.Component:
    return rx.tabs.trigger(
        rx.hstack(
            rx.text(t(label)),
            rx.badge(QueueState.counts.get(value, 0), variant="soft", color_scheme="gray", radius="full"),
            spacing="2",
            align="center",
        ),
        value=value,
        data_testid=f"tab-{value}",
    )


def _select(placeholder: rx.Var | str, any_label: rx.Var | str, value: rx.Var, on_change, items: list[rx.Component],
            width: str = "170px", label: rx.Var | str = "") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width=width,
                          aria_label=placeholder if isinstance(label, str) and not label else label),
        rx.select.content(rx.select.item(any_label, value="any"), *items),
        value=rx.cond(value == "", "any", value),
        on_change=on_change,
    )


def _choice_items(choices: rx.Var) -> rx.Component:
    return rx.foreach(choices, lambda c: rx.select.item(c["label"], value=c["id"]))


def _filters() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16)),
            placeholder=t("Search title or #number"),
            default_value=QueueState.query,
            on_change=QueueState.set_query.debounce(350),
            width="200px",
            data_testid="queue-search",
        ),
        _select(t("Priority"), t("Any priority"), QueueState.priority, QueueState.set_priority, [
            rx.select.item(t("Critical"), value="critical"), rx.select.item(t("High"), value="high"),
            rx.select.item(t("Medium"), value="medium"), rx.select.item(t("Low"), value="low")], width="130px"),
        _select(t("Team"), t("Any team"), QueueState.team, QueueState.set_team,
                [_choice_items(QueueState.team_choices)], width="150px"),
        _select(t("Assignee"), t("Any assignee"), QueueState.assignee, QueueState.set_assignee, [
            rx.select.item(t("Me"), value="me"), rx.select.item(t("Unassigned"), value="unassigned"),
            _choice_items(QueueState.agent_choices)], width="150px"),
        _select(t("Category"), t("Any category"), QueueState.category, QueueState.set_category,
                [_choice_items(QueueState.category_choices)], width="160px"),
        _select(t("SLA"), t("Any SLA"), QueueState.sla_state, QueueState.set_sla_state, [
            rx.select.item(t("At risk"), value="at_risk"), rx.select.item(t("Breached"), value="breached")],
            width="120px",
            label=t("SLA state")),
        _select(t("Tag"), t("Any tag"), QueueState.tag, QueueState.set_tag,
                [rx.foreach(QueueState.tag_choices, lambda t: rx.select.item(t, value=t))], width="130px"),
        rx.spacer(),
        rx.select.root(
            rx.select.trigger(width="150px", aria_label=t("Sort")),
            rx.select.content(
                rx.select.item(t("Newest first"), value="newest"),
                rx.select.item(t("Oldest first"), value="oldest"),
                rx.select.item(t("Recently updated"), value="updated"),
                rx.select.item(t("Highest priority"), value="priority"),
            ),
            value=QueueState.sort,
            on_change=QueueState.set_sort,
        ),
        rx.cond(QueueState.has_filters,
                rx.button(rx.icon("x", size=14), t("Clear"), variant="ghost", on_click=QueueState.clear_filters)),
        spacing="2",
        wrap="wrap",
        width="100%",
        margin_bottom="14px",
    )


def _header_cell(text: str, width: str = "") -> rx.Component:
    return rx.table.column_header_cell(text, width=width) if width else rx.table.column_header_cell(text)


def _row_tags(joined: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.foreach(joined.to(str).split(","), lambda name: rx.button(
            rx.icon("tag", size=10), name, size="1", variant="soft", color_scheme="gray", radius="full",
            on_click=QueueState.filter_by_tag(name), aria_label=tf("Show tickets tagged {tag}", tag=name),
            height="20px", padding_x="6px", data_testid="row-tag")),
        spacing="1", wrap="wrap", margin_top="4px",
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.cond(QueueState.can_bulk_edit, rx.table.cell(rx.checkbox(
            checked=QueueState.selected.contains(row["id"]),
            on_change=lambda _: QueueState.toggle_selected(row["id"]),
            aria_label=t("Select ticket"), data_testid="row-select"))),
        rx.table.cell(rx.text(row["number"], color_scheme="gray", weight="medium", size="2")),
        rx.table.cell(
            rx.vstack(
                rx.link(row["title"], href="/tickets/" + row["id"], weight="medium", size="2", dir="auto",
                        color_scheme="gray", high_contrast=True, data_testid="queue-row-title"),
                rx.text(row["requester"], " · ", row["category"], size="1", color_scheme="gray"),
                rx.cond(row["tags"] != "", _row_tags(row["tags"])),
                # Pressed by the "a" shortcut on this row (assets/shortcuts.js); never shown or focused.
                rx.cond(QueueState.can_bulk_edit,
                        rx.el.button(t("Assign to me"), on_click=QueueState.assign_row_to_me(row["id"]),
                                     data_shortcut="assign-me", tab_index=-1, display="none")),
                spacing="0",
                align="start",
            )
        ),
        rx.table.cell(status_badge(row["status"], row["status_label"])),
        rx.table.cell(priority_badge(row["priority"], row["priority_label"])),
        rx.table.cell(rx.text(row["team"], size="2")),
        rx.table.cell(rx.text(row["assignee"], size="2",
                              color=rx.cond(row["unassigned"] == "yes", "var(--gray-10)", "inherit"))),
        rx.table.cell(sla_badge(row["sla"], row["sla_label"])),
        rx.table.cell(rx.text(row["created_ago"], size="2", color_scheme="gray", title=row["created"])),
        align="center",
        data_testid="queue-row",
        background=rx.cond(row["id"] == QueueState.highlighted, "var(--accent-a2)", "transparent"),
        transition="background 1s",
    )


def _bulk_select(placeholder: rx.Var | str, on_change, items: list[rx.Component] | rx.Component, testid: str,
                 width: str = "160px") -> rx.Component:
    return rx.select.root(
        rx.select.trigger(placeholder=placeholder, width=width, aria_label=placeholder,
                          data_testid=testid),
        rx.select.content(*(items if isinstance(items, list) else [items])),
        value="", on_change=on_change,
    )


def _bulk_bar() -> rx.Component:
    return rx.cond(
        QueueState.selected.length() > 0,
        rx.hstack(
            rx.text(tf("{count} selected", count=QueueState.selected.length()), weight="medium", size="2"),
            rx.button(rx.icon("user-check", size=14), t("Assign to me"), variant="soft", size="2",
                      on_click=QueueState.bulk_assign("me"), data_testid="bulk-assign-me"),
            _bulk_select(t("Assign to…"), QueueState.bulk_assign, [
                rx.select.item(t("Nobody"), value="none"), _choice_items(QueueState.agent_choices)], "bulk-assign"),
            _bulk_select(t("Set status…"), QueueState.bulk_status,
                         [rx.select.item(t(label), value=value) for value, label in STAFF_STATUS_LABELS.items()],
                         "bulk-status"),
            _bulk_select(t("Set priority…"), QueueState.bulk_priority, [
                rx.select.item(t("Critical"), value="critical"), rx.select.item(t("High"), value="high"),
                rx.select.item(t("Medium"), value="medium"), rx.select.item(t("Low"), value="low")], "bulk-priority",
                width="140px"),
            _bulk_select(t("Move to team…"), QueueState.bulk_team, _choice_items(QueueState.team_choices), "bulk-team"),
            rx.hstack(
                rx.input(placeholder=t("Tag"), value=QueueState.bulk_tag, on_change=QueueState.set_bulk_tag,
                         aria_label=t("Tag to add to the selected tickets"), width="110px", list="hd-tag-choices",
                         data_testid="bulk-tag"),
                rx.button(t("Add tag"), variant="soft", size="2", on_click=QueueState.bulk_add_tag,
                          disabled=QueueState.bulk_tag == "", data_testid="bulk-add-tag"),
                spacing="1",
            ),
            rx.cond(QueueState.macro_choices.length() > 0,
                    _bulk_select(t("Apply macro…"), QueueState.bulk_macro,
                                 rx.foreach(QueueState.macro_choices,
                                            lambda m: rx.select.item(m["name"], value=m["id"])),
                                 "bulk-macro", width="170px")),
            rx.button(t("Clear selection"), variant="ghost", on_click=QueueState.select_page(False)),
            spacing="2",
            align="center",
            wrap="wrap",
            padding="10px 14px",
            border_radius="10px",
            # A solid panel with an accent edge: the select placeholders keep their contrast (a tinted background
            # took them below 4.5:1).
            background="var(--color-panel-solid)",
            border="1px solid var(--accent-a7)",
            box_shadow="inset 4px 0 0 var(--accent-9)",
            width="100%",
            margin_bottom="12px",
            data_testid="bulk-bar",
        ),
    )


def _view_chip(view: rx.Var) -> rx.Component:
    active = view["id"] == QueueState.active_view
    return rx.button(
        rx.cond(view["scope"] == "personal", rx.icon("user", size=12), rx.icon("users", size=12)),
        view["name"],
        size="1",
        variant=rx.cond(active, "solid", "soft"),
        color_scheme=rx.cond(active, "indigo", "gray"),
        radius="full",
        aria_pressed=rx.cond(active, "true", "false"),
        title=rx.match(view["scope"], ("personal", t("Your view")), ("everyone", t("Shared with everyone in IT")),
                       tf("Shared with the team {team}", team=view["team"].to(str))),
        on_click=QueueState.apply_view(view["id"]),
        data_testid="saved-view",
    )


def _views_bar() -> rx.Component:
    """Saved views beside the tabs: one click shows the queue as the view stores it."""
    return rx.el.nav(
        rx.hstack(
            rx.text(t("Views"), size="2", weight="medium", color_scheme="gray"),
            rx.foreach(QueueState.views, _view_chip),
            rx.button(rx.icon("bookmark-plus", size=14), t("Save view"), size="1", variant="ghost",
                      on_click=QueueState.open_save_view, data_testid="save-view"),
            rx.cond(QueueState.active_view_editable & QueueState.active_view_changed,
                    rx.button(rx.icon("save", size=14), t("Update view"), size="1", variant="ghost",
                              on_click=QueueState.update_active_view, data_testid="update-view")),
            rx.cond(QueueState.active_view_editable,
                    rx.button(rx.icon("pencil", size=14), t("Edit view"), size="1", variant="ghost",
                              on_click=QueueState.open_edit_view, data_testid="edit-view")),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        aria_label=t("Saved views"),
        margin_bottom="12px",
        data_testid="views-bar",
    )


def _view_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(QueueState.editing_view == "", t("Save this view"), t("Edit view"))),
            rx.dialog.description(
                rx.cond(QueueState.editing_view == "",
                        t("Saves the queue's current tab, filters and sort under a name."),
                        t("Rename it or change who sees it. Saving also stores the current filters.")),
                size="2", color_scheme="gray", margin_bottom="12px"),
            rx.vstack(
                rx.text(t("Name"), size="2", weight="medium", as_="label", html_for="view-name"),
                rx.input(id="view-name", value=QueueState.view_name, on_change=QueueState.set_view_name,
                         aria_label=t("Name of the view"),
                         placeholder=t("e.g. My urgent VPN tickets"), width="100%", data_testid="view-name"),
                rx.text(t("Who sees it"), size="2", weight="medium", id="view-scope-label"),
                rx.select.root(
                    rx.select.trigger(width="100%", aria_labelledby="view-scope-label", data_testid="view-scope"),
                    rx.select.content(rx.foreach(QueueState.share_choices,
                                                 lambda c: rx.select.item(c["label"], value=c["value"]))),
                    value=QueueState.view_scope,
                    on_change=QueueState.set_view_scope,
                ),
                rx.text(t("Sharing with a team: its lead, managers and admins; with everyone: managers and admins."),
                        size="1", color_scheme="gray"),
                rx.cond(QueueState.view_error != "",
                        rx.text(QueueState.view_error, color_scheme="red", size="2", role="alert",
                                data_testid="view-error")),
                spacing="2",
                width="100%",
            ),
            rx.hstack(
                rx.cond(QueueState.editing_view != "",
                        rx.button(t("Delete view"), variant="soft", color_scheme="red", on_click=QueueState.delete_view,
                                  data_testid="delete-view")),
                rx.spacer(),
                rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.button(t("Save"), on_click=QueueState.save_view, data_testid="confirm-save-view"),
                spacing="2", width="100%", margin_top="16px", wrap="wrap",
            ),
            max_width="460px",
            data_testid="view-dialog",
        ),
        open=QueueState.view_dialog,
        on_open_change=QueueState.close_view_dialog,
    )


@template(QUEUE, N_("Queue"), on_load=QueueState.on_load)
def queue_page() -> rx.Component:
    return rx.fragment(
        live_trigger(LiveState.version,
                     QueueState.apply_change(LiveState.version, LiveState.ticket_id), LiveState.spread_ms,
                     seen=QueueState.seen_version),
        page_header(
            t("Ticket queue"),
            rx.hstack(rx.box(width="8px", height="8px", border_radius="999px", background="var(--green-9)"),
                      rx.text(t("Live: changes appear as they happen."), size="2", color_scheme="gray"),
                      align="center", spacing="2"),
            rx.cond(QueueState.can_bulk_edit, rx.hstack(
                rx.switch(checked=QueueState.available, on_change=QueueState.set_available,
                          aria_label=t("Available for new tickets"), data_testid="availability"),
                rx.text(rx.cond(QueueState.available, t("Available for new tickets"), t("Away")), size="2"),
                align="center", spacing="2", margin_right="12px")),
            rx.cond(QueueState.can_bulk_edit,
                    rx.hstack(
                        rx.link(rx.button(rx.icon("phone", size=14), t("File for someone"), variant="soft"),
                                href=FILE_FOR_SOMEONE, data_testid="file-for-someone"),
                        rx.link(rx.button(rx.icon("wand-sparkles", size=14), t("Macros"), variant="soft"), href=MACROS),
                        spacing="2", wrap="wrap")),
            shortcuts_help(QUEUE_KEYS),
            rx.button(rx.icon("refresh-cw", size=14), t("Refresh"), variant="soft", on_click=QueueState.refresh),
        ),
        shortcut_scope("queue"),
        error_callout(QueueState.error),
        _views_bar(),
        _view_dialog(),
        # Suggestions for the bulk bar's tag field: the tags in use.
        rx.el.datalist(rx.foreach(QueueState.tag_choices, lambda t: rx.el.option(value=t)), id="hd-tag-choices"),
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
                                                    on_change=QueueState.select_page, aria_label=t("Select page")),
                                        width="36px")),
                                    _header_cell("#", "80px"),
                                    rx.table.column_header_cell(t("Ticket"), min_width="220px"),
                                    _header_cell(t("Status"), "150px"),
                                    _header_cell(t("Priority"), "120px"), _header_cell(t("Team"), "160px"),
                                    _header_cell(t("Assignee"), "140px"), _header_cell(t("SLA"), "150px"),
                                    _header_cell(t("Opened"), "100px"),
                                )
                            ),
                            rx.table.body(rx.foreach(QueueState.rows, _row)),
                            variant="ghost",
                            size="2",
                            width="100%",
                        ),
                        rx.cond(
                            QueueState.loaded,
                            empty_state("circle-check", t("Nothing to see here"),
                                        t("No tickets match these filters. Clear a filter or pick another status."),
                                        rx.button(t("Clear filters"), variant="soft",
                                                  on_click=QueueState.clear_filters)),
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
            rx.text(tf("Page {number}", number=QueueState.page_number), size="2", color_scheme="gray"),
            rx.spacer(),
            rx.button(t("Previous"), variant="soft", on_click=QueueState.previous_page,
                      disabled=QueueState.cursor_stack.length() == 0),
            rx.button(t("Next"), variant="soft", on_click=QueueState.next_page,
                      disabled=QueueState.next_cursor == "", data_testid="queue-next"),
            width="100%",
            align="center",
            margin_top="12px",
        ),
    )
