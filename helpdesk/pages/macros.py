"""Macros: several field changes, tags and a reply applied to a ticket in one action (helpdesk/tickets/macros.py)."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, empty_state, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import MACROS, QUEUE
from helpdesk.state.formatting import STAFF_STATUS_LABELS
from helpdesk.state.macros import KEEP, MacrosState
from helpdesk.tickets.canned_responses import PLACEHOLDER_LIST


def _error(name: str) -> rx.Component:
    return rx.cond(MacrosState.field_errors.contains(name),
                   rx.text(MacrosState.field_errors[name], color_scheme="red", size="1", role="alert",
                           data_testid=f"macro-error-{name}"))


def _labelled(label: rx.Var | str, name: str, control: rx.Component, hint: rx.Var | str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=f"macro-{name}", id=f"macro-{name}-label"),
        control,
        rx.text(hint, size="1", color_scheme="gray") if not isinstance(hint, str) or hint else rx.fragment(),
        _error(name),
        spacing="1",
        width="100%",
    )


def _select(label: rx.Var | str, name: str, items: list[rx.Component],
            keep_label: rx.Var | str = t("Leave as it is")) -> rx.Component:
    return _labelled(label, name, rx.select.root(
        rx.select.trigger(id=f"macro-{name}", width="100%", aria_labelledby=f"macro-{name}-label",
                          data_testid=f"macro-{name}"),
        rx.select.content(rx.select.item(keep_label, value=KEEP), *items),
        value=MacrosState.form[name],
        on_change=lambda value: MacrosState.set_field(name, value),
    ))


def _text(label: rx.Var | str, name: str, placeholder: rx.Var | str = "", hint: rx.Var | str = "") -> rx.Component:
    return _labelled(label, name, rx.input(id=f"macro-{name}", value=MacrosState.form[name], placeholder=placeholder,
                                           aria_label=label,
                                           on_change=lambda value: MacrosState.set_field(name, value), width="100%",
                                           data_testid=f"macro-{name}"), hint)


def _dialog() -> rx.Component:
    choice = lambda c: rx.select.item(c["label"], value=c["id"])  # noqa: E731
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(MacrosState.editing_id == 0, t("New macro"), t("Edit macro"))),
            rx.dialog.description(t("Every change is checked per ticket when the macro is applied, as if made by "
                                    "hand."),
                                  size="2", color_scheme="gray", margin_bottom="12px"),
            rx.vstack(
                _error("form"),
                _text(t("Name"), "name", t("e.g. Ask for the VPN client version")),
                _text(t("Description (optional)"), "description"),
                rx.cond(MacrosState.can_share,
                        _labelled(t("Who can use it"), "scope", rx.select.root(
                            rx.select.trigger(id="macro-scope", width="100%", aria_labelledby="macro-scope-label",
                                              data_testid="macro-scope"),
                            rx.select.content(
                                rx.select.item(t("Only me"), value="personal"),
                                rx.select.item(t("Everyone"), value="everyone"),
                                rx.foreach(MacrosState.team_choices,
                                           lambda c: rx.select.item(t("Team: ") + c["label"],
                                                                    value="team:" + c["id"])),
                            ),
                            value=MacrosState.form["scope"],
                            on_change=lambda value: MacrosState.set_field("scope", value),
                        ))),
                rx.grid(
                    _select(t("Status"), "status", [rx.select.item(t(label), value=value)
                                                 for value, label in STAFF_STATUS_LABELS.items()]),
                    _select(t("Priority"), "priority", [rx.select.item(label, value=value) for value, label in
                                                     (("critical", t("Critical")), ("high", t("High")),
                                                      ("medium", t("Medium")), ("low", t("Low")))]),
                    _select(t("Team"), "team", [rx.foreach(MacrosState.team_choices, choice)]),
                    _select(t("Assignee"), "assignee", [rx.select.item(t("Whoever applies it"), value="me"),
                                                     rx.select.item(t("Nobody"), value="nobody"),
                                                     rx.foreach(MacrosState.agent_choices, choice)]),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.grid(
                    _text(t("Add tags"), "add_tags", t("vpn, needs-info"), t("Separate tags with commas.")),
                    _text(t("Remove tags"), "remove_tags", "triage"),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    spacing="3",
                    width="100%",
                ),
                _labelled(t("Reply (optional)"), "reply", rx.text_area(
                    id="macro-reply", value=MacrosState.form["reply"], rows="5", width="100%", aria_label=t("Reply"),
                    placeholder="Hello {{ requester.first_name }}, …",
                    on_change=lambda value: MacrosState.set_field("reply", value), data_testid="macro-reply"),
                    t("Placeholders: ") + PLACEHOLDER_LIST),
                rx.text(
                    rx.hstack(
                        rx.checkbox(checked=MacrosState.form["reply_internal"] == "yes",
                                    on_change=lambda value: MacrosState.set_field("reply_internal", value),
                                    aria_label=t("Post the reply as an internal note"),
                                    data_testid="macro-reply-internal"),
                        t("Post it as an internal note, not to the requester"),
                        spacing="2", align="center",
                    ),
                    as_="label", size="2",
                ),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.button(t("Save"), on_click=MacrosState.save, data_testid="save-macro"),
                justify="end", spacing="2", width="100%", margin_top="16px",
            ),
            max_width="640px",
            data_testid="macro-dialog",
        ),
        open=MacrosState.dialog_open,
        on_open_change=MacrosState.close_dialog,
    )


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(
            rx.text(row["name"], weight="medium", size="2"),
            rx.cond(row["description"] != "", rx.text(row["description"], size="1", color_scheme="gray")),
            spacing="0")),
        rx.table.cell(rx.badge(row["scope"], variant="soft",
                               color_scheme=rx.cond(row["personal"] == "yes", "purple", "blue"))),
        rx.table.cell(rx.text(row["summary"], size="2")),
        rx.table.cell(rx.cond(row["can_edit"] == "yes", rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=MacrosState.open_edit(row["id"]),
                      aria_label=t("Edit ") + row["name"], data_testid="edit-macro"),
            rx.alert_dialog.root(
                rx.alert_dialog.trigger(rx.button(t("Delete"), size="1", variant="ghost", color_scheme="red",
                                                  aria_label=t("Delete ") + row["name"], data_testid="delete-macro")),
                rx.alert_dialog.content(
                    rx.alert_dialog.title(t("Delete this macro?")),
                    rx.alert_dialog.description("“", row["name"], t("” will no longer be offered to anyone.")),
                    rx.hstack(
                        rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                        rx.alert_dialog.action(rx.button(t("Delete"), color_scheme="red",
                                                         on_click=MacrosState.delete(row["id"]),
                                                         data_testid="confirm-delete-macro")),
                        justify="end", spacing="3", margin_top="16px",
                    ),
                ),
            ),
            spacing="2"))),
        data_testid="macro-row",
    )


@template(MACROS, N_("Macros"), on_load=MacrosState.on_load)
def macros_page() -> rx.Component:
    return rx.fragment(
        page_header(
            t("Macros"),
            rx.text(t("Several changes and a reply in one action, from a ticket or on tickets selected in the "),
                    rx.link(t("queue"), href=QUEUE), t(". "),
                    rx.cond(MacrosState.can_share, t("You manage the shared ones."),
                            t("Yours are yours alone; administrators manage the shared ones.")),
                    size="2", color_scheme="gray"),
            rx.button(rx.icon("plus", size=14), t("New macro"), on_click=MacrosState.open_new, data_testid="new-macro"),
        ),
        error_callout(MacrosState.error),
        card(
            rx.cond(
                MacrosState.macros.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, white_space="nowrap")
                                                       for h in (t("Name"), t("Who can use it"), t("Does"), "")])),
                        rx.table.body(rx.foreach(MacrosState.macros, _row)),
                        size="2", width="100%", class_name="hd-stack-table", data_testid="macros-table",
                    ),
                    overflow_x="auto", width="100%", data_testid="macros-scroll",
                ),
                rx.cond(MacrosState.loaded,
                        empty_state("wand-sparkles", t("No macros yet"),
                                    t("A macro sets status, priority, team, assignee and tags, and can reply, in one "
                                    "click.")),
                        rx.center(rx.spinner(), padding="40px", width="100%")),
            ),
        ),
        _dialog(),
    )
