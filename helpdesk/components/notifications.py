"""The notification bell of the top bar: unread count (live), the latest notifications, mark read."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t, tf
from helpdesk.components.live import version_watcher
from helpdesk.routes import NOTIFICATIONS
from helpdesk.state.live import BellPing
from helpdesk.state.notifications import BellState


def _item(item: rx.Var) -> rx.Component:
    unread = item["read"] != "yes"
    return rx.el.li(
        rx.el.button(
            rx.hstack(
                rx.box(width="8px", height="8px", border_radius="999px", flex_shrink="0", margin_top="6px",
                       background=rx.cond(unread, "var(--accent-9)", "transparent")),
                rx.vstack(
                    rx.text(item["title"], size="2", weight=rx.cond(unread, "bold", "regular"), class_name="hd-wrap"),
                    rx.cond(item["excerpt"] != "",
                            rx.text(item["excerpt"], size="1", color_scheme="gray", class_name="hd-wrap")),
                    rx.text(item["ago"], size="1", color_scheme="gray"),
                    spacing="1",
                    align="start",
                    min_width="0",
                ),
                spacing="2",
                align="start",
                width="100%",
            ),
            on_click=BellState.open_item(item["id"]),
            class_name="hd-notification",
            data_testid="notification",
            data_unread=rx.cond(unread, "true", "false"),
            width="100%",
            text_align="start",
            padding="10px 12px",
            border_radius="8px",
            background="transparent",
            cursor="pointer",
        ),
        list_style="none",
    )


def notification_bell() -> rx.Component:
    label = rx.cond(BellState.unread > 0, tf("Notifications, {count} unread", count=BellState.unread),
                    t("Notifications"))
    return rx.fragment(
        # Fires once when the bar mounts (the count) and again on every push for this person.
        rx.box(version_watcher(version=BellPing.ping, spread=0, seen=-1, on_change=BellState.refresh),
               display="none"),
        rx.popover.root(
            rx.popover.trigger(
                rx.button(
                    rx.icon("bell", size=18),
                    rx.cond(BellState.unread > 0,
                            rx.badge(rx.cond(BellState.unread > 99, "99+", BellState.unread.to_string()),
                                     color_scheme="red", variant="solid", high_contrast=True, radius="full", size="1",
                                     data_testid="bell-count")),
                    variant="ghost",
                    color_scheme="gray",
                    size="2",
                    aria_label=label,
                    data_testid="bell",
                ),
            ),
            rx.popover.content(
                rx.hstack(
                    rx.heading(t("Notifications"), size="3", as_="h2"),
                    rx.spacer(),
                    rx.cond(BellState.unread > 0,
                            rx.button(t("Mark all read"), size="1", variant="soft", on_click=BellState.mark_all_read,
                                      data_testid="mark-all-read")),
                    align="center",
                    width="100%",
                    margin_bottom="8px",
                ),
                rx.cond(
                    BellState.items.length() > 0,
                    rx.el.ul(rx.foreach(BellState.items, _item), padding="0", margin="0",
                             max_height="min(420px, 60vh)", overflow_y="auto", tab_index=0,
                             aria_label=t("Latest notifications")),
                    rx.text(t("Nothing new. Replies, assignments and changes to your tickets show up here."), size="2",
                            color_scheme="gray", data_testid="no-notifications"),
                ),
                rx.box(rx.link(t("See all notifications"), href=NOTIFICATIONS, size="2", weight="medium",
                               on_click=BellState.set_open(False), data_testid="see-all-notifications"),
                       border_top="1px solid var(--gray-a5)", padding_top="10px", margin_top="8px", width="100%"),
                width="min(380px, 92vw)",
                padding="12px",
                aria_label=t("Notifications"),
                data_testid="notification-list",
            ),
            open=BellState.is_open,
            on_open_change=BellState.set_open,
        ),
    )
