"""All of a person's notifications (/notifications): unread or all, a page at a time, each linking to its ticket."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card, empty_state, error_callout, page_header
from helpdesk.components.live import version_watcher
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import MY_NOTIFICATIONS, NOTIFICATIONS
from helpdesk.state.live import BellPing
from helpdesk.state.notifications import NotificationsState


def _row(row: rx.Var) -> rx.Component:
    unread = row["read"] != "yes"
    title = rx.text(row["title"], size="3", weight=rx.cond(unread, "bold", "medium"), class_name="hd-wrap")
    return rx.hstack(
        rx.box(width="8px", height="8px", border_radius="999px", flex_shrink="0", margin_top="8px",
               background=rx.cond(unread, "var(--accent-9)", "transparent"), aria_hidden="true"),
        rx.vstack(
            rx.cond(row["href"] != "",
                    rx.link(title, href=row["href"], underline="hover", color_scheme="gray", high_contrast=True,
                            data_testid="notification-link"),
                    title),
            rx.cond(row["excerpt"] != "", rx.text(row["excerpt"], size="2", color_scheme="gray", class_name="hd-wrap")),
            rx.text(rx.cond(unread, t("Unread · "), ""), row["ticket"], rx.cond(row["ticket"] != "", " · ", ""),
                    rx.el.time(row["ago"], title=row["when"]), size="1", color_scheme="gray"),
            spacing="1",
            align="start",
            flex="1 1 auto",
            min_width="0",
        ),
        rx.cond(unread, rx.button(rx.icon("check", size=14), t("Mark read"), size="1", variant="soft",
                                  color_scheme="gray", flex_shrink="0",
                                  on_click=NotificationsState.mark_read(row["id"]), data_testid="mark-read")),
        align="start",
        spacing="3",
        width="100%",
        padding=rx.breakpoints(initial="12px 14px", md="14px 18px"),
        border_bottom="1px solid var(--gray-a4)",
        background=rx.cond(unread, "var(--accent-a2)", "transparent"),
        data_testid="notification-row",
        data_unread=rx.cond(unread, "true", "false"),
    )


def _tabs(*content: rx.Component) -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(
            rx.tabs.trigger(rx.cond(NotificationsState.unread > 0,
                                    tf("Unread ({count})", count=NotificationsState.unread), t("Unread")),
                            value="unread", data_testid="view-unread"),
            rx.tabs.trigger(t("All"), value="all", data_testid="view-all"),
        ),
        rx.tabs.content(*content, value=NotificationsState.view, padding_top="12px"),
        value=NotificationsState.view,
        on_change=NotificationsState.show,
    )


@template(NOTIFICATIONS, N_("Notifications"), on_load=NotificationsState.on_load, max_width="960px")
def notifications_page() -> rx.Component:
    return rx.fragment(
        # A push for this person (a new notification, or one read in another tab) shows this page as it is now.
        rx.box(version_watcher(version=BellPing.ping, spread=0, seen=NotificationsState.seen_ping,
                               on_change=NotificationsState.refresh(BellPing.ping)), display="none"),
        page_header(
            t("Notifications"),
            t("Replies, assignments and changes to the tickets you take part in."),
            rx.hstack(
                rx.link(rx.button(rx.icon("mail", size=14), t("E-mail settings"), variant="soft", color_scheme="gray"),
                        href=MY_NOTIFICATIONS, data_testid="email-settings-link"),
                rx.button(rx.icon("check-check", size=14), t("Mark all read"), variant="soft",
                          disabled=NotificationsState.unread == 0, on_click=NotificationsState.mark_all_read,
                          data_testid="page-mark-all-read"),
                spacing="2",
                wrap="wrap",
            ),
        ),
        error_callout(NotificationsState.error),
        _tabs(
            card(
                rx.cond(
                    NotificationsState.rows.length() > 0,
                    rx.vstack(rx.foreach(NotificationsState.rows, _row), spacing="0", width="100%",
                              data_testid="notification-rows"),
                    rx.cond(
                        NotificationsState.view == "unread",
                        empty_state("bell", t("You are all caught up"),
                                    t("New replies, assignments and changes to your tickets show up here."),
                                    rx.button(t("Show all notifications"), variant="soft",
                                              on_click=NotificationsState.show("all"))),
                        empty_state("bell", t("No notifications yet"),
                                    t("Replies, assignments and changes to your tickets show up here.")),
                    ),
                ),
                padding="0",
            ),
        ),
        rx.hstack(
            rx.button(t("Previous"), variant="soft", on_click=NotificationsState.previous_page,
                      disabled=NotificationsState.cursor_stack.length() == 0, data_testid="previous-page"),
            rx.button(t("Next"), variant="soft", on_click=NotificationsState.next_page,
                      disabled=NotificationsState.next_cursor == "", data_testid="next-page"),
            justify="end",
            width="100%",
            margin_top="12px",
        ),
    )
