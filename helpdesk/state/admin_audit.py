"""The audit log page: filters, keyset pages (next / previous through a stack of cursors), CSV download."""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

import reflex as rx
from babel.dates import format_datetime

from helpdesk.admin import audit_log
from helpdesk.core import app_settings, i18n
from helpdesk.core.errors import ValidationFailed
from helpdesk.state.admin import AdminPage, AdminState
from helpdesk.state.paging import AdminKeysetPaging


class AuditState(AdminKeysetPaging, AdminPage, AdminState):
    FORM_FIELDS = ("start", "end", "who", "action", "entity_type", "entity_id")

    entries: list[dict[str, str]] = []
    action_choices: list[str] = []
    applied: dict[str, str] = {}

    def _clear(self) -> None:
        self.entries, self.action_choices, self.applied = [], [], {}

    def _filter(self) -> audit_log.AuditFilter:
        a = self.applied
        return audit_log.parse_filter(a.get("start", ""), a.get("end", ""), a.get("who", ""), a.get("action", ""),
                                      a.get("entity_type", ""), a.get("entity_id", ""))

    async def _load(self) -> Any:
        cursor = self._current_cursor() or None

        def work(session: Any, actor: Any) -> Any:
            rows, more = audit_log.page(session, actor, self._filter(), cursor)
            return rows, more, audit_log.actions(session, actor), app_settings.value(session, "timezone")

        ok, result, event = await self._admin_work(work, fields=True)
        if ok:
            rows, more, choices, zone = result
            tz, where = ZoneInfo(zone), i18n.locale(self._lang())
            self.entries = [{"id": str(r["id"]),
                             "when": format_datetime(r["occurred_at"].astimezone(tz), "dd MMM y HH:mm:ss",
                                                     locale=where),
                             "actor": r["actor"] or f"#{r['actor_id']}", "action": r["action"],
                             "entity": f"{r['entity_type']} {r['entity_id']}".strip(), "ip": r["ip_address"],
                             "details": json.dumps(r["details"], sort_keys=True, default=str)[:300]
                             if r["details"] else ""} for r in rows]
            self.next_cursor = more or ""
            self.action_choices = choices
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.field_errors = {}
        self._first_page()
        # Filters may come in the address (a link from another page: ?entity_type=user&entity_id=42).
        params = self.router.page.params
        ok, default, event = await self._admin_work(lambda session, actor: audit_log.default_filter(session))
        if not ok:
            return event
        self.form = {"start": default.start.isoformat(), "end": default.end.isoformat(),
                     **{k: str(params.get(k, ""))[:100] for k in ("who", "action", "entity_type", "entity_id")}}
        self.applied = dict(self.form)
        return await self._load()

    @rx.event
    async def apply_filters(self) -> Any:
        self.field_errors, self.error = {}, ""
        candidate = {k: self.form.get(k, "") for k in self.FORM_FIELDS}
        try:
            audit_log.parse_filter(**candidate)
        except ValidationFailed as exc:
            self.field_errors = {field: self._t(problem) for field, problem in exc.field_errors.items()}
            return None
        self.applied = candidate
        self._first_page()
        return await self._load()

    @rx.event
    async def set_action(self, value: str) -> Any:
        self.form = {**self.form, "action": "" if value == "any" else str(value)[:100]}
        return await self.apply_filters()

    @rx.event
    async def download_csv(self) -> Any:
        ok, text, event = await self._admin_work(
            lambda session, actor: "".join(audit_log.export_csv(session, actor, self._filter())), fields=True)
        if not ok:
            return event
        a = self.applied
        return rx.download(data=text, filename=f"audit-log-{a.get('start')}-to-{a.get('end')}.csv",
                           mime_type="text/csv")
