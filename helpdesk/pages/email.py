"""The e-mail channel's pages: the satisfaction link of the "resolved" e-mail and "My notifications"."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import card, error_callout, hydration_marker, page_header
from helpdesk.pages.template import template
from helpdesk.routes import MY_NOTIFICATIONS, SATISFACTION
from helpdesk.state.email import NotificationSettingsState, SatisfactionState


@template(SATISFACTION, "How did we do?", on_load=SatisfactionState.on_load, shell=False)
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


@template(MY_NOTIFICATIONS, "My notifications", on_load=NotificationSettingsState.on_load)
def my_notifications_page() -> rx.Component:
    return rx.fragment(
        page_header(t("My notifications"), t("Which e-mails you get about your work.")),
        rx.cond(NotificationSettingsState.error != "", error_callout(NotificationSettingsState.error)),
        card(rx.vstack(
            rx.foreach(NotificationSettingsState.items, lambda item: rx.hstack(
                rx.switch(checked=item["enabled"].to(bool),
                          on_change=lambda value: NotificationSettingsState.toggle(item["kind"].to(str), value),
                          id=item["kind"].to(str), data_testid="pref-" + item["kind"].to(str)),
                rx.text(item["label"].to(str), as_="label", html_for=item["kind"].to(str)),
                spacing="3", align="center",
            )),
            spacing="3",
        )),
    )
