"""Admin pages of the e-mail channel: the mailboxes it reads (with "Test connection") and the messages it held.

Thin: the rules (administrators only, what a valid mailbox is, what accepting a held message files) live in
helpdesk/email/mailboxes.py and helpdesk/email/intake.py. A mailbox's password never reaches the browser: the page
only learns whether one is stored; a typed one is cleared from the form once saved.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any

import reflex as rx

from helpdesk.core import i18n
from helpdesk.core.errors import DomainError
from helpdesk.email import intake, mailboxes
from helpdesk.identity.directory import category_options, team_options
from helpdesk.routes import ticket_url
from helpdesk.state.admin import AdminPage, AdminState, as_int
from helpdesk.state.admin_people import NONE, _optional_id
from helpdesk.state.formatting import local_time, relative
from helpdesk.state.paging import AdminKeysetPaging
from helpdesk.tickets import tickets

NEW_MAILBOX = {"name": "", "address": "", "imap_host": "", "imap_port": "993", "imap_tls": "true", "username": "",
               "secret": "", "folder": "INBOX", "processed_folder": "", "team_id": NONE, "category_id": NONE}


def _mailbox_row(row: dict[str, Any], language: str) -> dict[str, str]:
    tr = functools.partial(i18n.translate, language)
    return {"id": str(row["id"]), "name": row["name"], "address": row["address"],
            "server": f"{row['imap_host']}:{row['imap_port']} · " + ("TLS" if row["imap_tls"] else tr("no TLS")),
            "imap_host": row["imap_host"], "imap_port": str(row["imap_port"]),
            "imap_tls": "true" if row["imap_tls"] else "false", "username": row["username"],
            "folder": row["folder"], "processed_folder": row["processed_folder"],
            "files_to": " · ".join(x for x in (row["team"], row["category"]) if x) or tr("Triage decides"),
            "team_id": str(row["team_id"] or NONE), "category_id": str(row["category_id"] or NONE),
            "status": "enabled" if row["is_active"] else "disabled",
            "polled": relative(row["last_polled_at"], language) or tr("never"), "last_error": row["last_error"],
            "has_secret": "yes" if row["has_secret"] else "", "held": str(row["held"])}


class MailboxesState(AdminPage, AdminState):
    FORM_FIELDS = tuple(NEW_MAILBOX)

    mailboxes: list[dict[str, str]] = []
    team_choices: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []
    editing_id: int = 0
    editing_has_secret: bool = False
    testing_id: str = ""  # the mailbox whose connection is being tried
    test_result: dict[str, str] = {}

    def _clear(self) -> None:
        self.mailboxes, self.team_choices, self.category_choices, self.test_result = [], [], [], {}

    async def _load(self) -> Any:
        ok, result, event = await self._admin_work(lambda session, actor: (
            mailboxes.list_mailboxes(session, actor), team_options(session), category_options(session)))
        if ok:
            rows, teams, categories = result
            self.mailboxes = [_mailbox_row(r, self._lang()) for r in rows]
            self.team_choices = [{"id": str(t["id"]), "label": t["label"]} for t in teams]
            self.category_choices = [{"id": str(c["id"]), "label": c["label"]} for c in categories]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog, self.form, self.test_result, self.testing_id = "", {}, {}, ""
        return await self._load()

    @rx.event
    def open_new(self) -> None:
        self.editing_id, self.editing_has_secret = 0, False
        self.form, self.field_errors, self.dialog = dict(NEW_MAILBOX), {}, "mailbox"
        self.notice = self.error = ""

    @rx.event
    def open_edit(self, mailbox_id: str) -> None:
        row = next((m for m in self.mailboxes if m["id"] == str(mailbox_id)), None)
        if row is None:
            return
        self.editing_id, self.editing_has_secret = int(row["id"]), bool(row["has_secret"])
        self.form = {**{k: row[k] for k in NEW_MAILBOX if k != "secret"}, "secret": ""}
        self.field_errors, self.dialog = {}, "mailbox"
        self.notice = self.error = ""

    @rx.event
    async def save(self) -> Any:
        form, mailbox_id = dict(self.form), self.editing_id
        values = {k: form.get(k, "") for k in ("name", "address", "imap_host", "imap_port", "username", "secret",
                                                 "folder", "processed_folder")}
        values |= {"imap_tls": form.get("imap_tls") == "true", "team_id": _optional_id(form.get("team_id")),
                   "category_id": _optional_id(form.get("category_id"))}

        def work(session: Any, actor: Any) -> Any:
            if mailbox_id:
                return mailboxes.update_mailbox(session, actor, mailbox_id, values).name
            return mailboxes.create_mailbox(session, actor, values).name

        ok, name, event = await self._admin_work(work, fields=True)
        if ok:
            self.dialog, self.form = "", {}  # the typed password leaves the page's state
            self.notice = (self._t("Saved mailbox {name}.", name=name) if mailbox_id else
                           self._t("Saved mailbox {name}. It is read from the next poll on.", name=name))
            return await self._load()
        return event

    @rx.event
    async def set_active(self, mailbox_id: str, active: bool) -> Any:
        target, active = as_int(mailbox_id) or 0, bool(active)
        self.notice = self.error = ""
        ok, mailbox_name, event = await self._admin_work(lambda session, actor: mailboxes.set_mailbox_active(
            session, actor, target, active).name, toast=True)
        if ok:
            self.notice = (self._t("{name} is enabled: it is read from the next poll on.", name=mailbox_name)
                           if active else
                           self._t("{name} is disabled: its mail waits on the server until it is enabled again.",
                                   name=mailbox_name))
            return await self._load()
        return event

    @rx.event(background=True)
    async def test_connection(self, mailbox_id: str) -> Any:
        """Connects to the servers outside the state lock (up to the check's timeout), so the page stays usable."""
        target = as_int(mailbox_id) or 0
        async with self:
            if self.testing_id:
                return None
            ok, actor, event = await self._admin_work(lambda session, actor: actor)
            if not ok:
                return event
            self.testing_id, self.test_result, self.notice, self.error = str(target), {}, "", ""
        try:
            report = await asyncio.to_thread(mailboxes.try_connection, actor, target)
        except DomainError as exc:
            async with self:
                self.testing_id, self.error = "", self._t(exc.message)
            return None
        async with self:
            name = next((m["name"] for m in self.mailboxes if m["id"] == str(target)), "")
            self.testing_id = ""
            self.test_result = {
                "id": str(target), "name": name, "ok": "yes" if report.ok else "",
                "imap_ok": "yes" if report.imap_ok else "", "imap": report.imap,
                "smtp_ok": {True: "yes", False: "", None: "unset"}[report.smtp_ok], "smtp": report.smtp,
            }
        return None


class HeldMailState(AdminKeysetPaging, AdminPage, AdminState):
    held: list[dict[str, str]] = []
    total: int = 0
    viewing: dict[str, str] = {}
    filed_url: str = ""  # the ticket the last accepted message became

    def _clear(self) -> None:
        self.held, self.total, self.viewing = [], 0, {}

    async def _load(self) -> Any:
        cursor = self._current_cursor() or None
        ok, page, event = await self._admin_work(lambda session, actor: intake.held_page(session, actor, cursor),
                                                 fields=True)
        if not ok:
            if self.field_errors.get("cursor"):  # a stale page marker: back to the first page
                self.field_errors = {}
                self._first_page()
                return await self._load()
            return event
        if not page.rows and self.cursor_stack:  # the last one on this page was just handled
            self.cursor_stack = self.cursor_stack[:-1]
            return await self._load()
        language, tr = self._lang(), self._t
        self.held = [{"id": str(r["id"]), "from": r["from"], "subject": r["subject"] or tr("(no subject)"),
                      "reason": r["reason"], "received": local_time(r["received"], language),
                      "ago": relative(r["received"], language), "mailbox": r["mailbox"] or tr("HTTP intake")}
                     for r in page.rows]
        self.total = page.total
        self.next_cursor = page.next_cursor or ""
        return event

    @rx.var
    def page_label(self) -> str:
        if not self.total:
            return ""
        first = len(self.cursor_stack) * intake.HELD_PAGE_SIZE + 1
        return self._t("{first}–{last} of {total}", first=f"{first:,}", last=f"{first + len(self.held) - 1:,}",
                       total=f"{self.total:,}")

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = self.filed_url = ""
        self.dialog, self.viewing = "", {}
        self._first_page()
        return await self._load()

    @rx.event
    async def view(self, record_id: str) -> Any:
        target = as_int(record_id) or 0
        self.notice = self.error = ""
        ok, message, event = await self._admin_work(lambda session, actor: intake.held_message(session, actor,
                                                                                               target), toast=True)
        if ok:
            sender, tr = message["from"], self._t
            self.viewing = {"id": str(message["id"]), "from": sender,
                            "from_display": f"{message['from_name']} <{sender}>" if message["from_name"] else sender,
                            "to": message["to"], "subject": message["subject"] or tr("(no subject)"),
                            "reason": message["reason"], "received": local_time(message["received"], self._lang()),
                            "text": message["text"] or tr("(no text)"),
                            "attachments": ", ".join(message["attachments"]) or tr("none")}
            self.dialog = "held"
            return None
        await self._load()
        return event

    @rx.event
    async def accept(self, record_id: str) -> Any:
        target = as_int(record_id) or 0
        self.notice = self.error = self.filed_url = ""

        def work(session: Any, actor: Any) -> Any:
            result = intake.accept_held(session, actor, target)
            number = tickets.get_for(session, actor, result.ticket_id).number if result.ticket_id else None
            return result, number

        ok, result, event = await self._admin_work(work, fields=True)
        if ok:
            outcome, number = result
            self.dialog = ""
            self.notice = (self._t("Filed as ticket #{number}.", number=number) if outcome.outcome == "created" else
                           self._t("Filed as a reply on ticket #{number}.", number=number))
            self.filed_url = ticket_url(outcome.ticket_id) if outcome.ticket_id else ""
        elif self.field_errors.get("record_id"):
            self.error, self.field_errors = self.field_errors["record_id"], {}
        return event or await self._load()

    @rx.event
    async def discard(self, record_id: str) -> Any:
        target = as_int(record_id) or 0
        self.notice = self.error = self.filed_url = ""
        ok, _, event = await self._admin_work(lambda session, actor: intake.discard_held(session, actor, target))
        if ok:
            self.dialog = ""
            self.notice = self._t("Discarded: nothing was filed and the stored message is deleted.")
        return event or await self._load()
