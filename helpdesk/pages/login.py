"""Sign-in page."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import language_picker, t
from helpdesk.components.layout import hydration_marker
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import FORGOT_PASSWORD, LOGIN
from helpdesk.state.login import LoginState


def _field(label: rx.Var | str, name: str, kind: str, placeholder: rx.Var | str, autocomplete: str) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=name),
        rx.input(id=name, name=name, type=kind, placeholder=placeholder, auto_complete=autocomplete, size="3",
                 width="100%"),
        rx.cond(LoginState.field_errors.contains(name),
                rx.text(LoginState.field_errors[name], color_scheme="red", size="1")),
        spacing="1",
        width="100%",
    )


def _single_sign_on() -> rx.Component:
    # A document navigation, not a client-side route: the browser leaves for the identity provider and comes back.
    return rx.vstack(
        rx.hstack(rx.separator(size="4"), rx.text(t("or"), size="1", color_scheme="gray"), rx.separator(size="4"),
                  align="center", width="100%"),
        rx.button(
            rx.link(rx.icon("key-round", size=16), t("Sign in with") + " " + LoginState.sso_name,
                    href=LoginState.sso_href,
                    reload_document=True, underline="none", data_testid="sign-in-sso"),
            as_child=True, variant="outline", size="3", width="100%",
        ),
        spacing="3",
        width="100%",
    )


@template(LOGIN, N_("Sign in"), on_load=LoginState.redirect_if_signed_in, shell=False)
def login_page() -> rx.Component:
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
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.hstack(rx.heading(t("Sign in"), size="5"), language_picker(), justify="between",
                                  align="center", width="100%"),
                        rx.text(t("Use your work e-mail address."), color_scheme="gray", size="2"),
                        rx.cond(
                            LoginState.error != "",
                            rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red", role="alert",
                                       width="100%"),
                        ),
                        _field(t("E-mail"), "email", "email", "you@company.com", "username"),
                        _field(t("Password"), "password", "password", t("Your password"), "current-password"),
                        rx.cond(LoginState.notice != "",
                                rx.callout(LoginState.notice, icon="circle-check", color_scheme="green",
                                           width="100%", data_testid="login-notice")),
                        rx.button(t("Sign in"), type="submit", size="3", width="100%", data_testid="sign-in"),
                        rx.cond(LoginState.sso_name != "", _single_sign_on()),
                        spacing="4",
                        width="100%",
                    ),
                    on_submit=LoginState.submit,
                    reset_on_submit=False,
                ),
                size="4",
                width="100%",
            ),
            rx.link(t("Forgot your password?"), href=FORGOT_PASSWORD, size="2", data_testid="forgot-password"),
            rx.text(t("Trouble signing in? Call the service desk on ext. 4357."), size="1", color_scheme="gray"),
            spacing="5",
            align="center",
            width="400px",
            max_width="92vw",
        ),
        min_height="100vh",
        background="linear-gradient(180deg, var(--accent-2), var(--gray-2))",
    )
