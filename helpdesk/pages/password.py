"""Forgot password (ask for a link by e-mail) and set a password (from a reset or invitation link)."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import hydration_marker
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import FORGOT_PASSWORD, LOGIN, RESET_PASSWORD
from helpdesk.state.password import ForgotPasswordState, ResetPasswordState


def standalone_card(*children: rx.Component) -> rx.Component:
    """The sign-in page's look: the logo above one card, centred."""
    return rx.center(
        hydration_marker(),
        rx.vstack(
            rx.hstack(
                rx.center(rx.icon("life-buoy", size=22, color="var(--accent-contrast)"), background="var(--accent-9)",
                          border_radius="10px", width="40px", height="40px"),
                rx.heading(t("IT Helpdesk"), size="6"),
                align="center",
                spacing="3",
            ),
            rx.card(*children, size="4", width="100%"),
            rx.link(t("Back to sign in"), href=LOGIN, size="2"),
            spacing="5",
            align="center",
            width="400px",
            max_width="92vw",
        ),
        min_height="100vh",
        background="linear-gradient(180deg, var(--accent-2), var(--gray-2))",
    )


def password_field(label: rx.Var | str, name: str, errors: rx.Var, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=name),
        rx.input(id=name, name=name, type="password", auto_complete=autocomplete, size="3", width="100%"),
        rx.cond(errors.contains(name), rx.text(errors[name], color_scheme="red", size="1",
                                                data_testid=f"error-{name}")),
        spacing="1",
        width="100%",
    )


@template(FORGOT_PASSWORD, N_("Forgot password"), on_load=ForgotPasswordState.on_load, shell=False)
def forgot_password_page() -> rx.Component:
    return standalone_card(
        rx.cond(
            ForgotPasswordState.sent_message != "",
            rx.vstack(
                rx.heading(t("Check your e-mail"), size="5"),
                rx.callout(ForgotPasswordState.sent_message, icon="mail", color_scheme="green", width="100%",
                           data_testid="reset-requested"),
                spacing="4",
            ),
            rx.form(
                rx.vstack(
                    rx.heading(t("Forgot your password?"), size="5"),
                    rx.text(t("Enter your work e-mail address and we will send you a link to choose a new one."),
                            color_scheme="gray", size="2"),
                    rx.vstack(
                        rx.text(t("E-mail"), size="2", weight="medium", as_="label", html_for="email"),
                        rx.input(id="email", name="email", type="email", placeholder="you@company.com",
                                 auto_complete="username", size="3", width="100%"),
                        rx.cond(ForgotPasswordState.field_errors.contains("email"),
                                rx.text(ForgotPasswordState.field_errors["email"], color_scheme="red", size="1")),
                        spacing="1",
                        width="100%",
                    ),
                    rx.button(t("Send me a link"), type="submit", size="3", width="100%", data_testid="send-reset"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ForgotPasswordState.submit,
                reset_on_submit=False,
            ),
        ),
    )


@template(RESET_PASSWORD, N_("Choose a password"), on_load=ResetPasswordState.on_load, shell=False)
def reset_password_page() -> rx.Component:
    return standalone_card(
        rx.cond(
            ResetPasswordState.link_error != "",
            rx.vstack(
                rx.heading(t("Link not valid"), size="5"),
                rx.callout(ResetPasswordState.link_error, icon="triangle-alert", color_scheme="red", width="100%",
                           data_testid="link-error"),
                rx.link(t("Ask for a new link"), href=FORGOT_PASSWORD, size="2"),
                spacing="4",
            ),
            rx.form(
                rx.vstack(
                    rx.heading(rx.cond(ResetPasswordState.is_invitation, t("Welcome: choose your password"),
                                       t("Choose a new password")), size="5"),
                    rx.text(t("For "), rx.text.strong(ResetPasswordState.email), t(". At least 10 characters."),
                            color_scheme="gray", size="2"),
                    password_field(t("New password"), "password", ResetPasswordState.field_errors, "new-password"),
                    password_field(t("Repeat it"), "confirm", ResetPasswordState.field_errors, "new-password"),
                    rx.button(t("Save password"), type="submit", size="3", width="100%", data_testid="save-password"),
                    spacing="4",
                    width="100%",
                ),
                on_submit=ResetPasswordState.submit,
                reset_on_submit=False,
            ),
        ),
    )
