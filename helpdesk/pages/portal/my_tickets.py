"""Requester portal: "My tickets"."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.badges import priority_badge, status_badge
from helpdesk.components.i18n import t
from helpdesk.components.layout import card, empty_state, error_callout, live_trigger, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import NEW_TICKET, PORTAL
from helpdesk.state.live import LiveState
from helpdesk.state.portal import MyTicketsState


def _row(row: rx.Var) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.hstack(
                    rx.text(row["number"], size="2", color_scheme="gray", weight="medium", flex_shrink="0"),
                    rx.text(row["title"], size="3", weight="medium", class_name="hd-wrap", dir="auto"),
                    spacing="2",
                    align="baseline",
                    min_width="0",
                ),
                rx.text(row["category"], t(" · opened "), row["created_ago"], t(" · updated "), row["updated_ago"],
                        rx.cond(row["followed_from"] != "",
                                rx.text.span(t(" · you follow it (reported by "), row["followed_from"], t(")"),
                                             data_testid="followed-marker")),
                        size="1", color_scheme="gray", class_name="hd-wrap"),
                spacing="1",
                align="start",
                flex="1 1 240px",
                min_width="0",
            ),
            # On a phone the badges go under the title instead of squeezing it.
            rx.hstack(priority_badge(row["priority"], row["priority_label"]),
                      status_badge(row["status"], row["status_label"]), spacing="2", flex_shrink="0"),
            align="center",
            spacing="3",
            wrap="wrap",
            width="100%",
            padding=rx.breakpoints(initial="12px 14px", md="14px 18px"),
            border_bottom="1px solid var(--gray-a4)",
            _hover={"background": "var(--gray-a2)"},
        ),
        href="/tickets/" + row["id"],
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        width="100%",
        data_testid="my-ticket-row",
    )


def _tabs(*content: rx.Component) -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(t("Open"), value="open"),
            rx.tabs.trigger(t("Resolved"), value="resolved"),
            rx.tabs.trigger(t("All"), value="all"),
        ),
        # One panel, always the active tab's, holds the list: the tabs point at a panel that exists.
        rx.tabs.content(*content, value=MyTicketsState.view, padding_top="12px"),
        value=MyTicketsState.view,
        on_change=MyTicketsState.show,
    )


@template(PORTAL, N_("My tickets"), on_load=MyTicketsState.on_load, max_width="960px")
def my_tickets_page() -> rx.Component:
    return rx.fragment(
        live_trigger(LiveState.version,
                     MyTicketsState.apply_change(LiveState.version, LiveState.ticket_id)),
        page_header(
            t("My tickets"),
            t("Follow your requests and reply to the IT team."),
            rx.link(rx.button(rx.icon("plus", size=16), t("New ticket"), size="3"), href=NEW_TICKET),
        ),
        error_callout(MyTicketsState.error),
        _tabs(
            card(
                rx.cond(
                    MyTicketsState.rows.length() > 0,
                    rx.vstack(rx.foreach(MyTicketsState.rows, _row), spacing="0", width="100%"),
                    rx.cond(
                        MyTicketsState.loaded,
                        empty_state("inbox", t("No tickets here"),
                                    t("When you report a problem or ask for something, it shows up here."),
                                    rx.link(rx.button(t("Report a problem"), variant="soft"), href=NEW_TICKET)),
                        rx.center(rx.spinner(), padding="40px", width="100%"),
                    ),
                ),
                padding="0",
            ),
        ),
        rx.hstack(
            rx.button(t("Previous"), variant="soft", on_click=MyTicketsState.previous_page,
                      disabled=MyTicketsState.cursor_stack.length() == 0),
            rx.button(t("Next"), variant="soft", on_click=MyTicketsState.next_page,
                      disabled=MyTicketsState.next_cursor == ""),
            justify="end",
            width="100%",
            margin_top="12px",
        ),
    )
