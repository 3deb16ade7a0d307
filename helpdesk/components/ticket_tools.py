"""The ticket page's panel of agent tools: tags (add with suggestions, remove) and macros (apply in one action)."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, live_trigger
from helpdesk.routes import MACROS
from helpdesk.state.live import LiveState
from helpdesk.state.ticket_tools import TicketToolsState


def _tag(name: rx.Var) -> rx.Component:
    return rx.badge(
        rx.icon("tag", size=12),
        name,
        rx.cond(TicketToolsState.can_tag,
                rx.icon_button(rx.icon("x", size=10), size="1", variant="ghost", color_scheme="gray", radius="full",
                               on_click=TicketToolsState.remove_tag(name), aria_label=t("Remove tag ") + name,
                               height="16px", width="16px", data_testid="remove-tag")),
        variant="soft",
        color_scheme="gray",
        size="2",
        radius="full",
        data_testid="ticket-tag",
    )


def _add_tag() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.input(name="tag", value=TicketToolsState.tag_input,
                     on_change=TicketToolsState.set_tag_input.debounce(200), placeholder=t("Add a tag"),
                     list="hd-ticket-tag-suggestions", aria_label=t("Add a tag"), autocomplete="off",
                     flex="1", min_width="0", data_testid="tag-input"),
            rx.button(t("Add"), type="submit", variant="soft", size="2", data_testid="add-tag"),
            spacing="2",
            width="100%",
        ),
        rx.el.datalist(rx.foreach(TicketToolsState.tag_suggestions, lambda t: rx.el.option(value=t)),
                       id="hd-ticket-tag-suggestions"),
        rx.cond(TicketToolsState.tag_error != "",
                rx.text(TicketToolsState.tag_error, color_scheme="red", size="1", role="alert",
                        data_testid="tag-error")),
        on_submit=TicketToolsState.submit_tag,
        reset_on_submit=False,
        width="100%",
    )


def _macros() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text(t("Macro"), size="1", color_scheme="gray", weight="medium"), rx.spacer(),
                  rx.link(t("Manage"), href=MACROS, size="1"), width="100%"),
        rx.cond(
            TicketToolsState.macros.length() > 0,
            rx.select.root(
                rx.select.trigger(placeholder=t("Apply a macro…"), width="100%", aria_label=t("Apply a macro"),
                                  data_testid="macro-select"),
                rx.select.content(rx.foreach(TicketToolsState.macros, lambda m: rx.select.item(
                    m["name"], value=m["id"]))),
                value="",
                on_change=TicketToolsState.apply_macro,
            ),
            rx.text(t("No macros yet. A macro sets several fields, tags and a reply in one click."), size="1",
                    color_scheme="gray"),
        ),
        spacing="1",
        width="100%",
    )


def ticket_tools_panel() -> rx.Component:
    """Tags for everyone in IT (editable by those working the ticket); macros for those working it."""
    return rx.fragment(
        live_trigger(LiveState.version, TicketToolsState.apply_change(LiveState.version)),
        rx.cond(
            TicketToolsState.can_tag | (TicketToolsState.tags.length() > 0),
            card(
                rx.vstack(
                    rx.text(t("Tags"), size="1", color_scheme="gray", weight="medium"),
                    rx.cond(TicketToolsState.tags.length() > 0,
                            rx.hstack(rx.foreach(TicketToolsState.tags, _tag), spacing="2", wrap="wrap",
                                      data_testid="ticket-tags"),
                            rx.text(t("No tags yet."), size="2", color_scheme="gray")),
                    rx.cond(TicketToolsState.can_tag, _add_tag()),
                    rx.cond(TicketToolsState.can_tag, rx.divider(margin_y="6px")),
                    rx.cond(TicketToolsState.can_tag, _macros()),
                    spacing="2",
                    width="100%",
                ),
                data_testid="ticket-tools",
            ),
        ),
    )
