"""Admin pages of the e-mail channel: mailboxes (add, edit, enable/disable, test the connection) and held mail."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import admin_page, dialog, labelled, select_field, table, text_field
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_HELD_MAIL, ADMIN_MAILBOXES
from helpdesk.state.admin_mail import HeldMailState, MailboxesState
from helpdesk.state.admin_people import NONE

# Tables from a tablet up; on a phone each row becomes a stacked card, so nothing needs sideways scrolling.
WIDE = rx.breakpoints(initial="none", sm="block")
NARROW = rx.breakpoints(initial="block", sm="none")
NOTHING_HELD = N_("Nothing is held. Messages the intake cannot vouch for appear here.")
NO_MAILBOXES = N_("No mailboxes yet: add one, or let your mail server post messages to /api/v1/email/inbound.")

# ---------------------------------------------------------------- mailboxes


def _status(row: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.cond(row["status"] == "enabled", rx.badge(t("enabled"), color_scheme="green", variant="soft"),
                rx.badge(t("disabled"), color_scheme="gray", variant="soft")),
        rx.text(tf("Polled {when}", when=row["polled"]), size="1", color_scheme="gray", white_space="nowrap"),
        rx.cond(row["last_error"] != "",
                rx.text(row["last_error"], size="1", color_scheme="red", max_width="260px",
                        data_testid="mailbox-last-error")),
        spacing="1", align="start",
    )


def _mailbox_actions(row: rx.Var, prefix: str) -> rx.Component:
    """Edit, test, enable/disable; `prefix` keeps the phone layout's test ids apart from the table's."""
    return rx.hstack(
        rx.button(t("Edit"), size="1", variant="soft", on_click=MailboxesState.open_edit(row["id"]),
                  data_testid=prefix + "edit-mailbox-" + row["name"]),
        rx.button(rx.icon("plug-zap", size=12), t("Test connection"), size="1", variant="soft",
                  loading=MailboxesState.testing_id == row["id"], disabled=MailboxesState.testing_id != "",
                  on_click=MailboxesState.test_connection(row["id"]),
                  data_testid=prefix + "test-mailbox-" + row["name"]),
        rx.cond(row["status"] == "enabled",
                rx.button(t("Disable"), size="1", variant="soft", color_scheme="red",
                          on_click=MailboxesState.set_active(row["id"], False),
                          data_testid=prefix + "disable-mailbox-" + row["name"]),
                rx.button(t("Enable"), size="1", variant="soft", color_scheme="green",
                          on_click=MailboxesState.set_active(row["id"], True),
                          data_testid=prefix + "enable-mailbox-" + row["name"])),
        spacing="2", wrap="wrap",
    )


def _held_link(row: rx.Var) -> rx.Component:
    return rx.cond(row["held"] != "0",
                   rx.link(tf("{count} held", count=row["held"]), href=ADMIN_HELD_MAIL, size="2",
                           white_space="nowrap"),
                   rx.text(t("none held"), size="1", color_scheme="gray"))


def _mailbox_card(row: rx.Var) -> rx.Component:
    """A mailbox on a phone: everything the table row says, stacked, with its buttons in reach."""
    return rx.box(
        rx.vstack(
            rx.hstack(rx.text(row["name"], weight="bold"), rx.spacer(),
                      rx.cond(row["status"] == "enabled", rx.badge(t("enabled"), color_scheme="green", variant="soft"),
                              rx.badge(t("disabled"), color_scheme="gray", variant="soft")), width="100%"),
            rx.text(row["address"], size="2", color_scheme="gray", word_break="break-word"),
            rx.text(row["server"], " · ", row["folder"], size="2"),
            rx.text(tf("New tickets: {where}", where=row["files_to"]), size="1", color_scheme="gray"),
            rx.hstack(rx.text(tf("Polled {when}", when=row["polled"]), size="1", color_scheme="gray"), _held_link(row),
                      spacing="3", align="center"),
            rx.cond(row["last_error"] != "", rx.text(row["last_error"], size="1", color_scheme="red")),
            _mailbox_actions(row, "m-"),
            spacing="1", width="100%",
        ),
        padding_y="12px", border_bottom="1px solid var(--gray-a4)", width="100%", data_testid="mailbox-card",
    )


def _mailbox_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.vstack(rx.text(row["name"], weight="medium"),
                                           rx.text(row["address"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.vstack(rx.text(row["server"], size="2", white_space="nowrap"),
                                rx.text(row["username"], " · ", row["folder"], size="1", color_scheme="gray"),
                                spacing="0")),
        rx.table.cell(rx.text(row["files_to"], size="2")),
        rx.table.cell(_status(row)),
        rx.table.cell(_held_link(row)),
        rx.table.cell(_mailbox_actions(row, "")),
        data_testid="mailbox-row",
    )


def _check_line(label: rx.Var | str, status: rx.Var, text: rx.Var, testid: str) -> rx.Component:
    return rx.hstack(
        rx.match(status,
                 ("yes", rx.icon("circle-check", size=18, color="var(--green-10)", flex_shrink="0")),
                 ("unset", rx.icon("circle-alert", size=18, color="var(--amber-10)", flex_shrink="0")),
                 rx.icon("circle-x", size=18, color="var(--red-10)", flex_shrink="0")),
        rx.vstack(rx.text(label, size="2", weight="bold"),
                  rx.text(text, size="2", word_break="break-word", data_testid=testid),
                  spacing="0", min_width="0"),
        spacing="2", align="start", width="100%",
    )


def _test_result() -> rx.Component:
    result = MailboxesState.test_result
    return rx.cond(
        result.contains("id"),
        rx.callout.root(
            rx.vstack(
                rx.text(rx.cond(result["ok"] == "yes", tf("Connection test passed: {mailbox}", mailbox=result["name"]),
                                tf("Connection test failed: {mailbox}", mailbox=result["name"])),
                        weight="bold", size="3", data_testid="test-verdict"),
                _check_line(t("Incoming mail (IMAP, this mailbox's settings)"), result["imap_ok"], result["imap"],
                            "test-imap"),
                _check_line(t("Outgoing mail (SMTP, the helpdesk's server for replies)"), result["smtp_ok"],
                            result["smtp"], "test-smtp"),
                spacing="2", width="100%",
            ),
            color_scheme=rx.cond(result["ok"] == "yes", "green", "red"),
            width="100%", margin_bottom="16px", data_testid="test-result",
        ),
    )


def _password_field() -> rx.Component:
    return labelled(
        t("Password"),
        rx.input(id="field-secret", type="password", auto_complete="new-password",
                 value=MailboxesState.form["secret"].to(str),
                 placeholder=rx.cond(MailboxesState.editing_has_secret, t("Set · type a new one to change it"), ""),
                 on_change=lambda v: MailboxesState.set_field("secret", v), width="100%"),
        MailboxesState.field_errors, "secret",
    )


def _mailbox_dialog() -> rx.Component:
    form = MailboxesState.form
    return dialog(
        MailboxesState, "mailbox", rx.cond(MailboxesState.editing_id == 0, t("Add a mailbox"), t("Edit mailbox")),
        rx.vstack(
            rx.grid(
                text_field(MailboxesState, t("Name"), "name", placeholder=t("IT inbox")),
                text_field(MailboxesState, t("Address people write to"), "address", kind="email",
                           placeholder="it@company.com"),
                text_field(MailboxesState, t("IMAP server"), "imap_host", placeholder="imap.company.com"),
                rx.vstack(
                    text_field(MailboxesState, t("Port"), "imap_port", kind="number",
                               hint=t("993 with TLS, 143 without.")),
                    rx.hstack(rx.switch(checked=form["imap_tls"].to(str) == "true", id="field-imap_tls",
                                        on_change=lambda on: MailboxesState.set_flag("imap_tls", on),
                                        aria_label=t("IMAP over TLS"), data_testid="switch-imap_tls"),
                              rx.text(t("Use TLS (IMAPS)"), size="2", as_="label", html_for="field-imap_tls"),
                              align="center"),
                    spacing="2", width="100%"),
                text_field(MailboxesState, t("User name"), "username"),
                rx.vstack(
                    _password_field(),
                    rx.cond(MailboxesState.editing_has_secret,
                            rx.hstack(rx.badge(t("set"), color_scheme="green", variant="soft",
                                               data_testid="secret-set"),
                                      rx.text(t("A password is stored. Leave the field empty to keep it."), size="1",
                                              color_scheme="gray"), spacing="2", align="center")),
                    spacing="1", width="100%"),
                text_field(MailboxesState, t("Folder to read"), "folder"),
                text_field(MailboxesState, t("Move filed mail to (optional)"), "processed_folder",
                           hint=t("Empty: filed mail stays and is flagged.")),
                select_field(MailboxesState, t("New tickets go to team"), "team_id", [
                    rx.select.item(t("Triage decides"), value=NONE),
                    rx.foreach(MailboxesState.team_choices, lambda t: rx.select.item(t["label"], value=t["id"]))]),
                select_field(MailboxesState, t("New tickets get category"), "category_id", [
                    rx.select.item(t("Triage decides"), value=NONE),
                    rx.foreach(MailboxesState.category_choices,
                               lambda c: rx.select.item(c["label"], value=c["id"]))]),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3", width="100%",
            ),
            rx.text(t("Save first, then use “Test connection” on the list: it tries the stored settings."), size="1",
                    color_scheme="gray"),
            spacing="3", width="100%",
        ),
        rx.button(t("Save"), on_click=MailboxesState.save, data_testid="save-mailbox"),
        width="720px",
    )


@template(ADMIN_MAILBOXES, "Mailboxes", on_load=MailboxesState.on_load)
def mailboxes_page() -> rx.Component:
    return admin_page(
        ADMIN_MAILBOXES, t("Mailboxes"),
        t("IMAP mailboxes the helpdesk reads: new mail becomes tickets, answers become replies."),
        MailboxesState.error, MailboxesState.notice,
        _test_result(),
        card(
            rx.box(table([t("Mailbox"), t("Server"), t("New tickets go to"), t("Status"), t("Held"), ""],
                         MailboxesState.mailboxes, _mailbox_row, "mailboxes-table", t(NO_MAILBOXES)), display=WIDE),
            rx.box(rx.cond(MailboxesState.mailboxes.length() > 0,
                           rx.foreach(MailboxesState.mailboxes, _mailbox_card),
                           rx.text(t(NO_MAILBOXES), size="2", color_scheme="gray")), display=NARROW),
        ),
        _mailbox_dialog(),
        actions=(rx.button(rx.icon("plus", size=14), t("Add mailbox"), on_click=MailboxesState.open_new,
                           data_testid="new-mailbox"),),
    )


# ---------------------------------------------------------------- held mail


def _held_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.vstack(rx.text(row["received"], size="1", white_space="nowrap"),
                                rx.text(row["ago"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(rx.text(row["from"], size="2", overflow_wrap="anywhere", min_width="140px", dir="auto")),
        rx.table.row_header_cell(rx.text(row["subject"], size="2", weight="medium")),
        rx.table.cell(rx.text(row["reason"], size="1", color_scheme="amber", min_width="180px")),
        rx.table.cell(rx.text(row["mailbox"], size="1", color_scheme="gray")),
        rx.table.cell(rx.button(rx.icon("eye", size=12), t("Review"), size="1", variant="soft",
                                on_click=HeldMailState.view(row["id"]), data_testid="review-" + row["subject"])),
        data_testid="held-row",
    )


def _held_card(row: rx.Var) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(rx.text(row["subject"], weight="bold", size="2", overflow_wrap="anywhere"), rx.spacer(),
                      rx.text(row["ago"], size="1", color_scheme="gray", white_space="nowrap"), width="100%",
                      align="start"),
            rx.text(row["from"], size="2", overflow_wrap="anywhere"),
            rx.text(row["reason"], size="1", color_scheme="amber", overflow_wrap="anywhere"),
            rx.button(rx.icon("eye", size=12), t("Review"), size="1", variant="soft",
                      on_click=HeldMailState.view(row["id"]), data_testid="m-review-" + row["subject"]),
            spacing="1", width="100%",
        ),
        padding_y="12px", border_bottom="1px solid var(--gray-a4)", width="100%", data_testid="held-card",
    )


def _detail(label: rx.Var | str, value: rx.Var, testid: str = "") -> rx.Component:
    return rx.hstack(rx.text(label, size="2", color_scheme="gray", min_width="90px"),
                     rx.text(value, size="2", word_break="break-word", data_testid=testid, dir="auto"),
                     spacing="2", align="start", width="100%")


def _held_dialog() -> rx.Component:
    message = HeldMailState.viewing
    return dialog(
        HeldMailState, "held", message["subject"].to(str),
        rx.vstack(
            rx.callout(message["reason"].to(str), icon="triangle-alert", color_scheme="amber", width="100%",
                       data_testid="held-reason"),
            _detail(t("From"), message["from_display"].to(str), "held-from"),
            _detail(t("To"), message["to"].to(str)),
            _detail(t("Received"), message["received"].to(str)),
            _detail(t("Files"), message["attachments"].to(str)),
            rx.box(rx.text(message["text"].to(str), size="2", white_space="pre-wrap", data_testid="held-text"),
                   background="var(--gray-a2)", border="1px solid var(--gray-a5)", border_radius="8px",
                   padding="10px", width="100%", max_height="300px", overflow_y="auto"),
            rx.text(t("Accept files it as its sender (a new requester if the address is unknown), as a new ticket or "
                      "a reply, exactly as verified mail would be. Discard files nothing and deletes the stored "
                      "message."), size="1", color_scheme="gray"),
            spacing="3", width="100%",
        ),
        rx.button(rx.icon("trash-2", size=14), t("Discard"), variant="soft", color_scheme="red",
                  on_click=HeldMailState.discard(message["id"].to(str)), data_testid="discard-held"),
        rx.button(rx.icon("inbox", size=14), t("Accept"), on_click=HeldMailState.accept(message["id"].to(str)),
                  data_testid="accept-held"),
        width="640px",
    )


@template(ADMIN_HELD_MAIL, "Held mail", on_load=HeldMailState.on_load)
def held_mail_page() -> rx.Component:
    return admin_page(
        ADMIN_HELD_MAIL, t("Held mail"),
        t("Messages the e-mail intake did not file: senders it could not verify, staff addresses without a reply "
          "token, floods. Review each one: accept it or discard it."),
        HeldMailState.error, HeldMailState.notice,
        rx.cond(HeldMailState.filed_url != "",
                rx.link(t("Open the ticket"), href=HeldMailState.filed_url, size="2", margin_bottom="12px",
                        display="inline-block", data_testid="filed-ticket-link")),
        card(
            rx.box(table([t("Received"), t("From"), t("Subject"), t("Why it was held"), t("Mailbox"), ""],
                         HeldMailState.held, _held_row, "held-table", t(NOTHING_HELD)), display=WIDE),
            rx.box(rx.cond(HeldMailState.held.length() > 0, rx.foreach(HeldMailState.held, _held_card),
                           rx.text(t(NOTHING_HELD), size="2", color_scheme="gray")), display=NARROW),
            rx.cond(HeldMailState.total > 0,
                    rx.hstack(
                        rx.text(HeldMailState.page_label, size="2", color_scheme="gray",
                                data_testid="held-page-label"),
                        rx.spacer(),
                        rx.button(t("Newer"), variant="soft", size="1",
                                  disabled=HeldMailState.cursor_stack.length() == 0,
                                  on_click=HeldMailState.previous_page, data_testid="held-newer"),
                        rx.button(t("Older"), variant="soft", size="1", disabled=HeldMailState.next_cursor == "",
                                  on_click=HeldMailState.next_page, data_testid="held-older"),
                        width="100%", align="center", margin_top="12px",
                    )),
        ),
        _held_dialog(),
    )
