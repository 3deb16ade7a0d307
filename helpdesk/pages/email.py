"""The e-mail channel's pages: the satisfaction link of the "resolved" e-mail and "E-mail notifications" (each
person's choice of notification e-mails)."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, error_callout, hydration_marker, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import MY_NOTIFICATIONS, NOTIFICATIONS, SATISFACTION
from helpdesk.state.email import NotificationSettingsState, SatisfactionState


@template(SATISFACTION, N_("How did we do?"), on_load=SatisfactionState.on_load, shell=False)
def satisfaction_page() -> rx.Component:
    return rx.center(
        hydration_marker(),
        rx.card(
            rx.cond(
                SatisfactionState.recorded,
                rx.vstack(
                    rx.heading(t("Thank you!"), size="6"),
                    rx.text(t("You rated "), rx.text.strong(SatisfactionState.ticket_label), t(" as "),
                            rx.text.strong(SatisfactionState.rating, data_testid="csat-recorded-rating"), "."),
                    rx.cond(
                        SatisfactionState.comment_saved,
                        rx.text(t("Your comment is saved."), color_scheme="green", data_testid="csat-comment-saved"),
                        rx.form(
                            rx.vstack(
                                rx.text(t("Anything you want to tell us? (optional)"), size="2", as_="label",
                                        html_for="comment"),
                                rx.text_area(id="comment", name="comment", max_length=2000, width="100%",
                                             rows="4", data_testid="csat-comment"),
                                rx.button(t("Send comment"), type="submit", data_testid="csat-send"),
                                spacing="2", width="100%",
                            ),
                            on_submit=SatisfactionState.save_comment, width="100%",
                        ),
                    ),
                    spacing="3", width="100%",
                ),
                rx.cond(SatisfactionState.error != "",
                        rx.vstack(rx.heading(t("This link does not work"), size="5"),
                                  error_callout(SatisfactionState.error)),
                        rx.text(t("Recording your rating…"))),
            ),
            width="min(480px, 92vw)", padding="24px",
        ),
        min_height="80vh",
    )


def _switch(item: rx.Var) -> rx.Component:
    kind = item["kind"].to(str)
    return rx.hstack(
        rx.switch(checked=item["enabled"].to(bool),
                  on_change=lambda value: NotificationSettingsState.toggle(kind, value),
                  id="pref-" + kind, data_testid="pref-" + kind, flex_shrink="0", margin_top="2px",
                  # The label's `for` does not name Radix's switch button for screen readers: say it on the button.
                  aria_label=item["label"].to(str)),
        rx.text(item["label"].to(str), as_="label", html_for="pref-" + kind, size="2", class_name="hd-wrap"),
        spacing="3",
        align="start",
        width="100%",
    )


def _group(heading: str, text: str, items: rx.Var, testid: str) -> rx.Component:
    return card(rx.vstack(
        rx.vstack(rx.heading(heading, size="4", as_="h2"), rx.text(text, size="2", color_scheme="gray"),
                  spacing="1"),
        rx.vstack(rx.foreach(items, _switch), spacing="3", width="100%"),
        spacing="4",
        width="100%",
    ), data_testid=testid)


@template(MY_NOTIFICATIONS, N_("E-mail notifications"), on_load=NotificationSettingsState.on_load, max_width="960px")
def my_notifications_page() -> rx.Component:
    return rx.fragment(
        page_header(t("E-mail notifications"), t("Choose which e-mails you get. Switched off or not, everything still "
                    "shows under the bell."),
                    rx.link(rx.button(rx.icon("bell", size=14), t("All notifications"), variant="soft",
                                      color_scheme="gray"), href=NOTIFICATIONS, data_testid="all-notifications-link")),
        rx.cond(NotificationSettingsState.error != "", error_callout(NotificationSettingsState.error)),
        rx.vstack(
            _group(t("Your requests"), t("About the tickets you filed or are copied in on."),
                   NotificationSettingsState.request_items, "prefs-requests"),
            rx.cond(NotificationSettingsState.work_items.length() > 0,
                    _group(t("Your work"), t("About the tickets you work on in IT."),
                           NotificationSettingsState.work_items, "prefs-work")),
            spacing="4",
            width="100%",
        ),
    )
