"""The application shell: top bar with navigation by role, user menu, page container."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import direction_provider, document_language, t
from helpdesk.components.live import version_watcher
from helpdesk.components.notifications import notification_bell
from helpdesk.routes import (
    ADMIN,
    AI_ADMIN,
    KB,
    MY_NOTIFICATIONS,
    MY_SETTINGS,
    NEW_TICKET,
    NOTIFICATIONS,
    PORTAL,
    QUEUE,
    REPORTS,
)
from helpdesk.state.session import SessionState


def _nav_link(label: rx.Var | str, href: str, icon: str) -> rx.Component:
    return rx.link(
        # On a phone the links show their icons only, so the bar fits the screen.
        rx.hstack(rx.icon(icon, size=16), rx.text(label, size="2", weight="medium", white_space="nowrap",
                                                  display=rx.breakpoints(initial="none", md="block")),
                  spacing="2", align="center"),
        href=href,
        title=label,
        aria_label=label,
        underline="none",
        color_scheme="gray",
        high_contrast=True,
        padding_x=rx.breakpoints(initial="8px", md="10px"),
        padding_y="6px",
        flex_shrink="0",
        border_radius="8px",
        _hover={"background": "var(--gray-a3)"},
    )


def _user_menu() -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full"),
                rx.vstack(
                    rx.text(SessionState.user_name, size="2", weight="medium"),
                    rx.text(rx.match(SessionState.user_role, ("requester", t("Requester")), ("agent", t("Agent")),
                                     ("manager", t("Manager")), ("admin", t("Admin")), SessionState.user_role),
                            size="1", color_scheme="gray", text_transform="capitalize"),
                    spacing="0",
                    align="start",
                    display=rx.breakpoints(initial="none", md="flex"),
                ),
                rx.icon("chevron-down", size=14),
                variant="ghost",
                color_scheme="gray",
                size="2",
                data_testid="user-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item(rx.text(SessionState.user_email, size="1", color_scheme="gray"), disabled=True),
            rx.menu.item(rx.icon("key-round", size=14), t("Your API tokens"), on_select=rx.redirect(MY_SETTINGS),
                         data_testid="my-settings"),
            rx.menu.item(rx.icon("bell", size=14), t("All notifications"), on_select=rx.redirect(NOTIFICATIONS),
                         data_testid="all-notifications"),
            # Everyone chooses their notification e-mails (requesters about their requests, IT also about its work).
            rx.menu.item(rx.icon("mail", size=14), t("E-mail notifications"), on_select=rx.redirect(MY_NOTIFICATIONS),
                         data_testid="my-notifications"),
            rx.menu.separator(),
            # Each language named in itself, so someone who cannot read the current one still finds theirs.
            rx.menu.item(rx.icon("languages", size=14), "English", lang="en",
                         on_select=SessionState.choose_language("en"), data_testid="menu-language-en"),
            rx.menu.item(rx.icon("languages", size=14), "اردو", lang="ur",
                         on_select=SessionState.choose_language("ur"), data_testid="menu-language-ur"),
            rx.menu.separator(),
            rx.menu.item(rx.icon("log-out", size=14), t("Sign out"), on_select=SessionState.sign_out,
                         data_testid="sign-out"),
        ),
    )


def skip_link() -> rx.Component:
    """The first thing a keyboard reaches: jumps past the top bar to the page's content."""
    return rx.el.a(t("Skip to content"), href="#main", class_name="skip-link", data_testid="skip-link")


def top_bar() -> rx.Component:
    return rx.el.header(
        rx.hstack(
            rx.link(
                rx.hstack(
                    rx.center(rx.icon("life-buoy", size=18, color="var(--accent-contrast)"),
                              background="var(--accent-9)", border_radius="8px", width="30px", height="30px"),
                    rx.heading(t("IT Helpdesk"), size="4", weight="bold", white_space="nowrap",
                               display=rx.breakpoints(initial="none", sm="block")),
                    align="center",
                    spacing="2",
                ),
                href="/",
                underline="none",
                color="inherit",
                aria_label=t("IT Helpdesk home"),
                flex_shrink="0",
            ),
            # The links depend on the role: drawn once the session is known, so they never swap places.
            rx.cond(SessionState.user_name != "", rx.el.nav(rx.hstack(
                rx.cond(
                    SessionState.is_requester,
                    rx.fragment(_nav_link(t("My tickets"), PORTAL, "inbox"),
                                _nav_link(t("New ticket"), NEW_TICKET, "square-pen"),
                                _nav_link(t("Help articles"), KB, "book-open")),
                    rx.fragment(_nav_link(t("Queue"), QUEUE, "list-todo"),
                                _nav_link(t("My requests"), PORTAL, "inbox"),
                                _nav_link(t("New ticket"), NEW_TICKET, "square-pen"),
                                _nav_link(t("Help articles"), KB, "book-open"),
                                rx.cond(SessionState.reads_all, _nav_link(t("Reports"), REPORTS, "chart-column")),
                                rx.cond(SessionState.reads_all, _nav_link(t("AI"), AI_ADMIN, "brain-circuit")),
                                rx.cond(SessionState.is_admin, _nav_link(t("Admin"), ADMIN, "settings"))),
                ),
                spacing="1",
            ), aria_label=t("Main"), margin_inline_start=rx.breakpoints(initial="4px", md="24px"), overflow_x="auto",
                min_width="0", flex="1 1 auto"), rx.box(flex="1 1 auto")),
            rx.cond(SessionState.user_name != "",
                    rx.hstack(notification_bell(), _user_menu(), spacing="2", align="center", flex_shrink="0")),
            align="center",
            width="100%",
            max_width="1320px",
            margin_x="auto",
            padding_x=rx.breakpoints(initial="12px", md="24px"),
            height="60px",
        ),
        border_bottom="1px solid var(--gray-a5)",
        background="var(--color-panel-solid)",
        position="sticky",
        top="0",
        z_index="10",
    )


def hydration_marker() -> rx.Component:
    """Present once the page is connected to the server (tests and live updates wait for it). Every page has one,
    so it also carries the page's language onto `<html lang dir>`."""
    return rx.fragment(document_language(),
                       rx.cond(rx.State.is_hydrated, rx.box(data_testid="hydrated", display="none")))


def live_trigger(version: rx.Var, on_change: rx.event.EventSpec, spread: rx.Var | int = 0,
                 seen: rx.Var | int = -1) -> rx.Component:
    """Fires `on_change` whenever the pushed `version` moves past `seen` (and once when the page mounts)."""
    return rx.box(version_watcher(version=version, spread=spread, seen=seen, on_change=on_change), display="none",
                  data_live_version=version)


def loading_placeholder() -> rx.Component:
    """What the page shows until its data has arrived: a quiet spinner that reserves no space the content then
    pushes around."""
    return rx.center(rx.spinner(size="3"), padding_y="56px", width="100%", aria_busy="true",
                     aria_label=t("Loading"), data_testid="page-loading")


def page_shell(*children: rx.Component, max_width: str = "1320px") -> rx.Component:
    return direction_provider(rx.box(
        hydration_marker(),
        skip_link(),
        top_bar(),
        rx.el.main(
            # The content appears at once when the page's on_load has filled it (Reflex sets is_hydrated after
            # the on_load events), so nothing is drawn empty first and then pushed down as data arrives: the
            # layout shift Lighthouse measured (CLS up to 0.26) came from exactly that.
            rx.cond(rx.State.is_hydrated, rx.fragment(*children), loading_placeholder()),
            id="main",
            tab_index=-1,
            width="100%",
            max_width=max_width,
            margin_x="auto",
            padding_x=rx.breakpoints(initial="12px", md="24px"),
            padding_y=rx.breakpoints(initial="16px", md="28px"),
            outline="none",
        ),
        min_height="100vh",
        background="var(--gray-2)",
    ))


def page_header(title: rx.Var | str, subtitle: rx.Component | rx.Var | str = "",
                *actions: rx.Component) -> rx.Component:
    # A translated subtitle (t(...)) is a Var: the same grey line as a plain one.
    if isinstance(subtitle, str | rx.Var):
        subtitle = rx.text(subtitle, color_scheme="gray", size="2") if not isinstance(subtitle, str) or subtitle \
            else rx.fragment()
    return rx.hstack(
        rx.vstack(
            rx.heading(title, size=rx.breakpoints(initial="6", md="7"), weight="bold", as_="h1"),
            subtitle,
            spacing="1",
            align="start",
            flex="1 1 260px",
            min_width="0",
        ),
        *actions,
        align="end",
        wrap="wrap",
        width="100%",
        margin_bottom="20px",
    )


def empty_state(icon: str, title: rx.Var | str, text: rx.Var | str, *actions: rx.Component) -> rx.Component:
    return rx.center(
        rx.vstack(
            rx.center(rx.icon(icon, size=28, color="var(--gray-10)"), background="var(--gray-a3)",
                      border_radius="999px", width="56px", height="56px"),
            rx.heading(title, size="4"),
            rx.text(text, color_scheme="gray", size="2", text_align="center", max_width="380px"),
            *actions,
            align="center",
            spacing="3",
        ),
        padding_y="56px",
        width="100%",
        data_testid="empty-state",
    )


def error_callout(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                   margin_bottom="16px"),
    )


def card(*children: rx.Component, **props) -> rx.Component:
    return rx.card(*children, size=rx.breakpoints(initial="2", md="3"), width="100%", **props)
