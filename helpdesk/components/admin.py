"""The administration console's frame: section navigation, the "not found" answer for non-admins, dialogs and
form fields shared by the admin pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.components.layout import error_callout, page_header
from helpdesk.core.i18n import N_
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

# (label, route, icon); the English label also names the section's test ids, the page shows t(label).
SECTIONS = [
    (N_("Overview"), ADMIN, "layout-dashboard"),
    (N_("Users"), ADMIN_USERS, "users"),
    (N_("Teams"), ADMIN_TEAMS, "users-round"),
    (N_("Categories"), ADMIN_CATEGORIES, "folder-tree"),
    (N_("SLA & hours"), ADMIN_SLA, "timer"),
    (N_("Canned responses"), ADMIN_CANNED, "message-square-text"),
    (N_("Mailboxes"), ADMIN_MAILBOXES, "mail"),
    (N_("Held mail"), ADMIN_HELD_MAIL, "mail-warning"),
    # Shared macros are managed on the macros page agents use for their own (it has no admin frame).
    (N_("Macros"), MACROS, "wand-sparkles"),
    (N_("AI triage"), AI_ADMIN, "brain-circuit"),
    (N_("Settings"), ADMIN_SETTINGS, "settings"),
    (N_("API tokens"), ADMIN_API, "key-round"),
    (N_("Audit log"), ADMIN_AUDIT, "scroll-text"),
]
# Radix primitives that lay themselves out by a direction (a table's scroll area, a segmented control, a select) put
# dir="ltr" on their own element unless a DirectionProvider says otherwise, and Radix's table aligns its text left: in
# an Urdu page a table then ran left to right. Inside a box with this style they follow the page's direction (in
# English nothing changes: "start" is left there).
FOLLOW_PAGE_DIRECTION = {"& [dir=ltr]": {"direction": "inherit"}, "& .rt-TableRootTable": {"text_align": "start"}}
# Label text for a value the server sends as a code (a role, an account's status): English msgids, shown through t().
VALUE_LABELS = {"requester": N_("requester"), "agent": N_("agent"), "manager": N_("manager"), "admin": N_("admin"),
                "active": N_("active"), "invited": N_("invited"), "deactivated": N_("deactivated")}


def _section_link(label: str, route: str, icon: str, current: str) -> rx.Component:
    active = route == current
    return rx.link(
        rx.hstack(rx.icon(icon, size=14), rx.text(t(label), size="2", weight="medium"), spacing="2", align="center",
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
            rx.heading(t("Page not found"), size="5"),
            rx.text(t("There is no page at this address, or it is not one you can open."), color_scheme="gray",
                    size="2"),
            rx.link(t("Go to the start page"), href="/", size="2"),
            align="center",
            spacing="2",
        ),
        padding_y="80px",
        width="100%",
        data_testid="admin-not-found",
    )


def admin_page(current: str, title: Any, subtitle: Any, error: rx.Var, notice: rx.Var, *content: rx.Component,
               actions: tuple[rx.Component, ...] = ()) -> rx.Component:
    """`title` and `subtitle` are page text (t()/tf()); `error` and `notice` come from the state in the page's
    language."""
    return rx.cond(
        AdminState.admin_checked,
        rx.cond(
            AdminState.admin_allowed,
            rx.box(
                admin_nav(current),
                page_header(title, rx.text(subtitle, color_scheme="gray", size="2"), *actions),
                error_callout(error),
                # high_contrast: Radix's green callout text is at the edge of 4.5:1 (axe failed it on a phone).
                rx.cond(notice != "", rx.callout(notice, icon="circle-check", color_scheme="green", high_contrast=True,
                                                 width="100%", margin_bottom="16px", data_testid="admin-notice")),
                *content,
                style=FOLLOW_PAGE_DIRECTION,
            ),
            not_found(),
        ),
        rx.center(rx.spinner(size="3"), padding_y="80px", width="100%"),
    )


def field_error(errors: rx.Var, name: str) -> rx.Component:
    return rx.cond(errors.contains(name), rx.text(errors[name], color_scheme="red", size="1",
                                                  data_testid=f"field-error-{name}"))


def labelled(label: Any, control: rx.Component, errors: rx.Var, name: str, hint: Any = "") -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium", as_="label", html_for=f"field-{name}"),
        control,
        rx.fragment() if isinstance(hint, str) and not hint else rx.text(hint, size="1", color_scheme="gray"),
        field_error(errors, name),
        spacing="1",
        width="100%",
    )


def text_field(state: type, label: Any, name: str, *, placeholder: Any = "", kind: str = "text",
               hint: Any = "") -> rx.Component:
    # aria-label as well as the <label>: Radix's Text rendered as a label does not reliably name the input (axe).
    return labelled(label, rx.input(id=f"field-{name}", value=state.form[name].to(str), type=kind, aria_label=label,
                                    placeholder=placeholder, on_change=lambda v: state.set_field(name, v),
                                    width="100%"), state.field_errors, name, hint)


def text_area(state: type, label: Any, name: str, *, rows: str = "4", placeholder: Any = "",
              hint: Any = "", **props) -> rx.Component:
    return labelled(label, rx.text_area(id=f"field-{name}", value=state.form[name].to(str), rows=rows, aria_label=label,
                                        placeholder=placeholder, on_change=lambda v: state.set_field(name, v),
                                        width="100%", **props), state.field_errors, name, hint)


def select_field(state: type, label: Any, name: str, items: list[rx.Component] | rx.Component,
                 hint: Any = "") -> rx.Component:
    return labelled(label, rx.select.root(
        rx.select.trigger(id=f"field-{name}", width="100%", aria_label=label, data_testid=f"select-{name}"),
        rx.select.content(*(items if isinstance(items, list) else [items])),
        value=state.form[name].to(str),
        on_change=lambda v: state.set_field(name, v),
    ), state.field_errors, name, hint)


def dialog(state: type, name: str, title: Any, body: rx.Component, *buttons: rx.Component,
           width: str = "520px") -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.vstack(body, rx.hstack(rx.dialog.close(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                                      *buttons, justify="end", width="100%", spacing="2", wrap="wrap"),
                      spacing="4", width="100%"),
            max_width=width,
            data_testid=f"dialog-{name}",
        ),
        open=state.dialog == name,
        on_open_change=state.close_dialog,
    )


def table(headers: list[Any], rows: rx.Var, render: object, testid: str, empty: Any) -> rx.Component:
    """`headers` and `empty` are page text (t()); an empty header is a column of buttons."""
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
    """A badge for a code the server sends (a role, a status), named in the page's language."""
    return rx.match(value, *[(k, rx.badge(t(VALUE_LABELS.get(k, k)), color_scheme=c, variant="soft",
                                          data_testid=testid))
                             for k, c in colours.items()], rx.badge(value, variant="soft", data_testid=testid))
