"""The administration console's frame: section navigation, the "not found" answer for non-admins, dialogs and
form fields shared by the admin pages."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.layout import error_callout, page_header
from helpdesk.routes import (
    ADMIN,
    ADMIN_API,
    ADMIN_AUDIT,
    ADMIN_CANNED,
    ADMIN_CATEGORIES,
    ADMIN_HELD_MAIL,
    ADMIN_MAILBOXES,
    ADMIN_SETTINGS,
    ADMIN_SLA,
    ADMIN_TEAMS,
    ADMIN_USERS,
    AI_ADMIN,
    MACROS,
)
from helpdesk.state.admin import AdminState

# (label, route, icon)
SECTIONS = [
    ("Overview", ADMIN, "layout-dashboard"),
    ("Users", ADMIN_USERS, "users"),
    ("Teams", ADMIN_TEAMS, "users-round"),
    ("Categories", ADMIN_CATEGORIES, "folder-tree"),
    ("SLA & hours", ADMIN_SLA, "timer"),
    ("Canned responses", ADMIN_CANNED, "message-square-text"),
    ("Mailboxes", ADMIN_MAILBOXES, "mail"),
    ("Held mail", ADMIN_HELD_MAIL, "mail-warning"),
    # Shared macros are managed on the macros page agents use for their own (it has no admin frame).
    ("Macros", MACROS, "wand-sparkles"),
    ("AI triage", AI_ADMIN, "brain-circuit"),
    ("Settings", ADMIN_SETTINGS, "settings"),
    ("API tokens", ADMIN_API, "key-round"),
    ("Audit log", ADMIN_AUDIT, "scroll-text"),
]


def _section_link(label: str, route: str, icon: str, current: str) -> rx.Component:
    active = route == current
    return rx.link(
        rx.hstack(rx.icon(icon, size=14), rx.text(label, size="2", weight="medium"), spacing="2", align="center",
                  white_space="nowrap"),
        href=route,
        underline="none",
        color_scheme="gray",
        high_contrast=active,
        padding_x="10px",
        padding_y="6px",
        border_radius="8px",
        background="var(--accent-a4)" if active else "transparent",
        _hover={"background": "var(--gray-a3)"},
        data_testid=f"admin-nav-{label.lower().replace(' ', '-').replace('&', 'and')}",
    )


def admin_nav(current: str) -> rx.Component:
    return rx.box(
        rx.hstack(*[_section_link(label, route, icon, current) for label, route, icon in SECTIONS], spacing="1"),
        overflow_x="auto",
        width="100%",
        padding_bottom="6px",
        margin_bottom="18px",
        border_bottom="1px solid var(--gray-a4)",
    )


def not_found() -> rx.Component:
    """What a non-administrator sees on any admin page: the same as a page that does not exist."""
    return rx.center(
        rx.vstack(
            rx.heading("404", size="9", color_scheme="gray"),
            rx.heading("Page not found", size="5"),
            rx.text("There is no page at this address, or it is not one you can open.", color_scheme="gray",
                    size="2"),
            rx.link("Go to the start page", href="/", size="2"),
            align="center",
            spacing="2",
        ),
        padding_y="80px",
        width="100%",
        data_testid="admin-not-found",
    )


def admin_page(current: str, title: str, subtitle: str, error: rx.Var, notice: rx.Var, *content: rx.Component,
               actions: tuple[rx.Component, ...] = ()) -> rx.Component:
    return rx.cond(
        AdminState.admin_checked,
        rx.cond(
            AdminState.admin_allowed,
            rx.fragment(
                admin_nav(current),
                page_header(title, subtitle, *actions),
                error_callout(error),
                rx.cond(notice != "", rx.callout(notice, icon="circle-check", color_scheme="green", width="100%",
                                                 margin_bottom="16px", data_testid="admin-notice")),
                *content,
            ),
            not_found(),
        ),
        rx.center(rx.spinner(size="3"), padding_y="80px", width="100%"),
    )


def field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(errors.contains(name), rx.text(errors[name], color_scheme="red", size="1",
                                                  data_testid=f"field-error-{name}"))


def labelled(label: str, control: rx.Component, errors: rx.Var, name: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=f"field-{name}"),
        control,
        rx.cond(hint != "", rx.text(hint, size="1", color_scheme="gray")) if hint else rx.fragment(),
        field_error(errors, name),
        spacing="1",
        width="100%",
    )


def text_field(state: type, label: str, name: str, *, placeholder: str = "", kind: str = "text",
               hint: str = "") -> rx.Component:
    # aria-label as well as the <label>: Radix's Text rendered as a label does not reliably name the input (axe).
    return labelled(label, rx.input(id=f"field-{name}", value=state.form[name].to(str), type=kind, aria_label=label,
                                    placeholder=placeholder, on_change=lambda v: state.set_field(name, v),
                                    width="100%"), state.field_errors, name, hint)


def text_area(state: type, label: str, name: str, *, rows: str = "4", placeholder: str = "",
              hint: str = "", **props) -> rx.Component:
    return labelled(label, rx.text_area(id=f"field-{name}", value=state.form[name].to(str), rows=rows, aria_label=label,
                                        placeholder=placeholder, on_change=lambda v: state.set_field(name, v),
                                        width="100%", **props), state.field_errors, name, hint)


def select_field(state: type, label: str, name: str, items: list[rx.Component] | rx.Component,
                 hint: str = "") -> rx.Component:
    return labelled(label, rx.select.root(
        rx.select.trigger(id=f"field-{name}", width="100%", aria_label=label, data_testid=f"select-{name}"),
        rx.select.content(*(items if isinstance(items, list) else [items])),
        value=state.form[name].to(str),
        on_change=lambda v: state.set_field(name, v),
    ), state.field_errors, name, hint)


def dialog(state: type, name: str, title: str, body: rx.Component, *buttons: rx.Component,
           width: str = "520px") -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.vstack(body, rx.hstack(rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                                      *buttons, justify="end", width="100%", spacing="2", wrap="wrap"),
                      spacing="4", width="100%"),
            max_width=width,
            data_testid=f"dialog-{name}",
        ),
        open=state.dialog == name,
        on_open_change=state.close_dialog,
    )


def table(headers: list[str], rows: rx.Var, render: object, testid: str, empty: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,
        rx.box(
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h, white_space="nowrap")
                                               for h in headers])),
                rx.table.body(rx.foreach(rows, render)),
                size="2",
                width="100%",
                data_testid=testid,
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.text(empty, size="2", color_scheme="gray", padding_y="12px"),
    )


ROLE_COLOURS = {"requester": "gray", "agent": "blue", "manager": "purple", "admin": "red"}
STATUS_COLOURS = {"active": "green", "invited": "amber", "deactivated": "gray"}


def coloured(value: rx.Var, colours: dict[str, str], testid: str = "") -> rx.Component:
    return rx.match(value, *[(k, rx.badge(k, color_scheme=c, variant="soft", data_testid=testid))
                             for k, c in colours.items()], rx.badge(value, variant="soft", data_testid=testid))
