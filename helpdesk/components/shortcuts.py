"""Keyboard shortcuts of the queue and the ticket page: the help dialog and the hooks assets/shortcuts.js uses.

The keys are handled in the browser (assets/shortcuts.js, loaded once by the app): moving between rows must not
wait for the server. The script acts only on a page that contains `shortcut_scope(...)`, never while focus is in a
text field, select, menu or dialog, and finds what to press by `data-shortcut` attributes; what it does is what the
page's own buttons do, so every permission check stays on the server.
"""

from __future__ import annotations

import reflex as rx

from helpdesk.components.i18n import t
from helpdesk.core.i18n import N_

QUEUE_KEYS = (
    ("j", N_("Next ticket")),
    ("k", N_("Previous ticket")),
    ("Enter", N_("Open the ticket")),
    ("r", N_("Reply: open the ticket with the reply box focused")),
    ("a", N_("Assign the ticket to me")),
    ("x", N_("Select or unselect the ticket for bulk actions")),
    ("?", N_("Show these shortcuts")),
)
TICKET_KEYS = (
    ("r", N_("Focus the reply box")),
    ("a", N_("Assign the ticket to me")),
    ("?", N_("Show these shortcuts")),
)


def _key_row(key: str, action: str) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.el.kbd(key, class_name="hd-kbd")),
        rx.table.cell(rx.text(t(action), size="2")),
    )


def shortcuts_help(keys: tuple[tuple[str, str], ...]) -> rx.Component:
    """A "Shortcuts" button (and the "?" key) opening the list of this page's keys."""
    return rx.dialog.root(
        rx.dialog.trigger(
            # Not on a phone (no keyboard); the "?" key still opens the dialog wherever one is attached.
            rx.button(rx.icon("keyboard", size=14), t("Shortcuts"), variant="ghost", color_scheme="gray", size="2",
                      aria_keyshortcuts="?", data_shortcut="help", data_testid="shortcuts-button",
                      display=rx.breakpoints(initial="none", md="inline-flex")),
        ),
        rx.dialog.content(
            rx.dialog.title(t("Keyboard shortcuts")),
            rx.dialog.description(t("They work whenever you are not typing in a field."), size="2",
                                  color_scheme="gray", margin_bottom="12px"),
            rx.table.root(
                rx.table.header(rx.table.row(rx.table.column_header_cell(t("Key")),
                                             rx.table.column_header_cell(t("Does")))),
                rx.table.body(*[_key_row(key, action) for key, action in keys]),
                size="1",
                width="100%",
            ),
            rx.hstack(rx.dialog.close(rx.button(t("Close"), variant="soft", data_testid="close-shortcuts")),
                      justify="end", margin_top="16px"),
            max_width="460px",
            data_testid="shortcuts-dialog",
        ),
    )


def shortcut_scope(page: str) -> rx.Component:
    """Marks the page for the script and holds the polite live region it announces selections in."""
    return rx.box(
        rx.el.div(id="hd-shortcut-status", aria_live="polite", role="status", class_name="hd-sr-only"),
        data_shortcuts=page,
        display="contents",
    )
