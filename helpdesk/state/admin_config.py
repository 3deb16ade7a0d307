"""Admin pages for configuration: SLA policies, business calendars and the preview; canned responses; settings."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import reflex as rx

from helpdesk.admin import settings as admin_settings
from helpdesk.core import app_settings, i18n
from helpdesk.core.errors import ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.validation import parse
from helpdesk.identity.directory import category_options, team_options
from helpdesk.sla import policies as sla_policies
from helpdesk.sla.validation import BusinessCalendarChanges, BusinessCalendarDraft, SlaPolicyChanges, SlaPolicyDraft
from helpdesk.state.admin import AdminPage, AdminState, as_int
from helpdesk.state.admin_people import NONE, _optional_id
from helpdesk.tickets import canned_responses
from helpdesk.tickets.validation import CannedResponseChanges, CannedResponseDraft

PRIORITIES = ["critical", "high", "medium", "low"]
PRIORITY_LABELS = {"critical": N_("Critical"), "high": N_("High"), "medium": N_("Medium"), "low": N_("Low")}
WEEKDAYS = [N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun")]
# What "Saved: ..." calls each setting (the settings page's own field labels).
SETTING_LABELS = {
    "organisation_name": N_("Organisation name"), "timezone": N_("Time zone"),
    "auto_close_days": N_("Close resolved tickets after (days)"),
    "ai_auto_apply_threshold": N_("Auto-apply above confidence"), "ai_auto_apply_category": N_("Category"),
    "ai_auto_apply_team": N_("Team"), "ai_auto_apply_priority": N_("Priority"),
    "sso_only_staff": N_("Staff must sign in with single sign-on"),
    "rate_limit_tickets_per_hour": N_("New tickets an hour"), "rate_limit_comments_per_hour": N_("Comments an hour"),
    "rate_limit_uploads_per_hour": N_("Files uploaded an hour"),
    "attachment_daily_quota_mb": N_("Files one person uploads in 24 hours (MB)"),
    "attachment_ticket_quota_mb": N_("Files on one ticket (MB)"),
}


def _minutes(raw: str, field: str, errors: dict[str, str], language: str) -> int | None:
    """Targets are typed in hours (decimals allowed), stored in minutes."""
    try:
        hours = float(str(raw).strip())
        if hours <= 0:
            raise ValueError
        return round(hours * 60)
    except ValueError:
        errors[field] = i18n.translate(language, "Enter a number of business hours greater than 0.")
        return None


def _left_to_right(text: str, language: str) -> str:
    """A range of numbers ("09:00–17:00") kept in its order inside right-to-left text, where the bidirectional
    algorithm would otherwise show it as "17:00–09:00" (Unicode left-to-right isolate)."""
    return f"\u2066{text}\u2069" if i18n.is_rtl(language) else text


def _hours(minutes: int) -> str:
    return f"{minutes / 60:g}"


class SlaState(AdminPage, AdminState):
    FORM_FIELDS = ("name", "priority", "category_id", "team_id", "first_response_hours", "resolution_hours",
                   "calendar_id", "is_active", "timezone", "opens", "closes", "holiday_country", "extra_holidays",
                   "is_default", "preview_priority", "preview_category_id", "preview_team_id")

    policies: list[dict[str, str]] = []
    calendars: list[dict[str, str]] = []
    category_choices: list[dict[str, str]] = []
    team_choices: list[dict[str, str]] = []
    working_days: list[str] = []
    editing_id: int = 0
    preview: dict[str, str] = {}

    def _clear(self) -> None:
        self.policies, self.calendars, self.category_choices, self.team_choices, self.preview = [], [], [], [], {}

    async def _load(self) -> Any:
        ok, result, event = await self._admin_work(lambda session, actor: (
            sla_policies.list_policies(session, actor), sla_policies.list_calendars(session, actor),
            category_options(session), team_options(session)))
        if ok:
            policies, calendars, categories, teams = result
            tr = self._t
            self.policies = [{"id": str(p["id"]), "name": p["name"], "priority": p["priority"],
                              "scope": " · ".join(x for x in (p["category"], p["team"]) if x) or tr("All tickets"),
                              "first_response": tr("{hours} h", hours=_hours(p["first_response_minutes"])),
                              "resolution": tr("{hours} h", hours=_hours(p["resolution_minutes"])),
                              "calendar": p["calendar"],
                              "active": "yes" if p["is_active"] else "",
                              "category_id": str(p["category_id"] or NONE), "team_id": str(p["team_id"] or NONE),
                              "calendar_id": str(p["calendar_id"]),
                              "first_response_hours": _hours(p["first_response_minutes"]),
                              "resolution_hours": _hours(p["resolution_minutes"])} for p in policies]
            self.calendars = [{"id": str(c["id"]), "name": c["name"], "timezone": c["timezone"],
                               "days": tr(", ").join(tr(WEEKDAYS[d]) for d in c["working_days"]),
                               "working_days": ",".join(str(d) for d in c["working_days"]),
                               "hours": _left_to_right(f"{c['opens']:%H:%M}–{c['closes']:%H:%M}", self._lang()),
                               "opens": f"{c['opens']:%H:%M}", "closes": f"{c['closes']:%H:%M}",
                               "holiday_country": c["holiday_country"] or "",
                               "extra_holidays": "\n".join(d.isoformat() for d in c["extra_holidays"]),
                               "holidays": (c["holiday_country"] or tr("no country")) +
                               (" + " + tr("{count} own", count=len(c["extra_holidays"]))
                                if c["extra_holidays"] else ""),
                               "default": "yes" if c["is_default"] else ""} for c in calendars]
            self.category_choices = [{"id": str(c["id"]), "label": c["label"]} for c in categories]
            self.team_choices = [{"id": str(t["id"]), "label": t["label"]} for t in teams]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog, self.preview = "", {}
        self.form = {"preview_priority": "high", "preview_category_id": NONE, "preview_team_id": NONE}
        event = await self._load()
        return event or await self.run_preview()

    @rx.event
    def open_policy(self, policy_id: str) -> None:
        row = next((p for p in self.policies if p["id"] == str(policy_id)), None)
        self.editing_id = int(row["id"]) if row else 0
        default_calendar = next((c["id"] for c in self.calendars if c["default"]), "")
        self.form = {**self.form, **({k: row[k] for k in ("name", "priority", "category_id", "team_id",
                                                         "first_response_hours", "resolution_hours", "calendar_id")}
                                     | {"is_active": "true" if row["active"] else "false"} if row else
                                     {"name": "", "priority": "high", "category_id": NONE, "team_id": NONE,
                                      "first_response_hours": "4", "resolution_hours": "8",
                                      "calendar_id": default_calendar, "is_active": "true"})}
        self.field_errors, self.dialog, self.notice, self.error = {}, "policy", "", ""

    @rx.event
    async def save_policy(self) -> Any:
        form, policy_id, language = dict(self.form), self.editing_id, self._lang()

        def work(session: Any, actor: Any) -> Any:
            errors: dict[str, str] = {}
            first = _minutes(form.get("first_response_hours", ""), "first_response_hours", errors, language)
            resolution = _minutes(form.get("resolution_hours", ""), "resolution_hours", errors, language)
            if errors:
                raise ValidationFailed(errors)
            values = {"name": form.get("name", ""), "priority": form.get("priority", ""),
                      "category_id": _optional_id(form.get("category_id")),
                      "team_id": _optional_id(form.get("team_id")), "first_response_minutes": first,
                      "resolution_minutes": resolution, "calendar_id": _optional_id(form.get("calendar_id")),
                      "is_active": form.get("is_active") == "true"}
            if policy_id:
                return sla_policies.update_policy(session, actor, policy_id, parse(SlaPolicyChanges, values))
            return sla_policies.create_policy(session, actor, parse(SlaPolicyDraft, values))

        ok, saved, event = await self._admin_work(work, fields=True)
        if ok:
            self.dialog = ""
            self.notice = self._t("Saved policy {name}; open tickets' deadlines are being updated.", name=saved.name)
            await self._load()
            return await self.run_preview()
        self.field_errors = {{"first_response_minutes": "first_response_hours",
                              "resolution_minutes": "resolution_hours"}.get(k, k): v
                             for k, v in self.field_errors.items()}
        return event

    @rx.event
    def open_calendar(self, calendar_id: str) -> None:
        row = next((c for c in self.calendars if c["id"] == str(calendar_id)), None)
        self.editing_id = int(row["id"]) if row else 0
        self.form = {**self.form, **({k: row[k] for k in ("name", "timezone", "opens", "closes", "holiday_country",
                                                         "extra_holidays")} | {"is_default": "true" if row["default"]
                                                                               else "false"} if row else
                                     {"name": "", "timezone": app_settings.value(None, "timezone"), "opens": "09:00",
                                      "closes": "17:00", "holiday_country": "", "extra_holidays": "",
                                      "is_default": "false"})}
        self.working_days = row["working_days"].split(",") if row else ["0", "1", "2", "3", "4"]
        self.field_errors, self.dialog, self.notice, self.error = {}, "calendar", "", ""

    @rx.event
    def toggle_day(self, day: str, checked: bool) -> None:
        day = str(day)[:1]
        rest = [d for d in self.working_days if d != day]
        self.working_days = sorted([*rest, day]) if checked else rest

    @rx.event
    async def save_calendar(self) -> Any:
        form, calendar_id, days = dict(self.form), self.editing_id, list(self.working_days)
        tr = self._t

        def work(session: Any, actor: Any) -> Any:
            errors: dict[str, str] = {}
            parsed: dict[str, Any] = {}
            for name in ("opens", "closes"):
                try:
                    parsed[name] = time.fromisoformat(form.get(name, "").strip())
                except ValueError:
                    errors[name] = tr("Enter a time as HH:MM.")
            extra = []
            for line in form.get("extra_holidays", "").split():
                try:
                    extra.append(date.fromisoformat(line.strip()))
                except ValueError:
                    errors["extra_holidays"] = tr("“{text}” is not a date (YYYY-MM-DD, one per line).",
                                                  text=line[:20])
            if errors:
                raise ValidationFailed(errors)
            values = {"name": form.get("name", ""), "timezone": form.get("timezone", "").strip(),
                      "working_days": [int(d) for d in days if d.isdigit()], **parsed,
                      "holiday_country": form.get("holiday_country", "").strip().upper() or None,
                      "extra_holidays": extra, "is_default": form.get("is_default") == "true"}
            if calendar_id:
                return sla_policies.update_calendar(session, actor, calendar_id,
                                                    parse(BusinessCalendarChanges, values))
            return sla_policies.create_calendar(session, actor, parse(BusinessCalendarDraft, values))

        ok, saved, event = await self._admin_work(work, fields=True)
        if ok:
            self.dialog, self.notice = "", self._t("Saved business hours {name}.", name=saved.name)
            await self._load()
            return await self.run_preview()
        return event

    @rx.event
    async def run_preview(self) -> Any:
        form = dict(self.form)
        priority = form.get("preview_priority", "high")
        ok, result, event = await self._admin_work(lambda session, actor: sla_policies.preview(
            session, actor, priority, _optional_id(form.get("preview_category_id")),
            _optional_id(form.get("preview_team_id"))), fields=True)
        if ok:
            zone, language = result["timezone"], self._lang()

            def show(moment: Any) -> str:
                return i18n.format_moment(moment, language, zone, weekday=True)

            self.preview = {"text": self._t("Filed now at {priority}: first response due {first}, resolution due "
                                            "{resolution} ({zone}).",
                                            priority=self._t(PRIORITY_LABELS.get(priority, priority.capitalize())),
                                            first=show(result["first_response_due"]),
                                            resolution=show(result["resolution_due"]), zone=zone),
                            "detail": self._t("Policy “{policy}”, business hours “{calendar}”.",
                                              policy=result["policy"], calendar=result["calendar"])}
        return event

    @rx.event
    async def set_preview(self, name: str, value: str) -> Any:
        if name in ("preview_priority", "preview_category_id", "preview_team_id"):
            self.form = {**self.form, name: str(value)[:20]}
        return await self.run_preview()


def _scope(row: dict[str, Any], teams: dict[int, str], language: str) -> str:
    if row["owner_id"] is not None:
        return i18n.translate(language, "Personal")
    if row["team_id"] is not None:
        return teams.get(row["team_id"]) or i18n.translate(language, "Team")
    return i18n.translate(language, "Everyone")


class CannedState(AdminPage, AdminState):
    FORM_FIELDS = ("title", "scope", "body")

    responses: list[dict[str, str]] = []
    team_choices: list[dict[str, str]] = []
    editing_id: int = 0
    rendered: str = ""

    def _clear(self) -> None:
        self.responses, self.team_choices, self.rendered = [], [], ""

    async def _load(self) -> Any:
        def work(session: Any, actor: Any) -> Any:
            from helpdesk.identity import organisation

            organisation.list_teams(session, actor)  # admins only, like the page
            return canned_responses.list_manageable(session, actor), team_options(session)

        ok, result, event = await self._admin_work(work)
        if ok:
            rows, teams = result
            names = {t["id"]: t["label"] for t in teams}
            self.responses = [{"id": str(r["id"]), "title": r["title"], "scope": _scope(r, names, self._lang()),
                               "personal": "yes" if r["owner_id"] is not None else "",
                               "scope_value": "personal" if r["owner_id"] is not None else
                               (f"team:{r['team_id']}" if r["team_id"] is not None else "everyone"),
                               "body": r["body"], "active": "yes" if r["is_active"] else "",
                               "excerpt": r["body"][:90] + ("…" if len(r["body"]) > 90 else "")} for r in rows]
            self.team_choices = [{"id": f"team:{t['id']}", "label": self._t("Team: {team}", team=t["label"])}
                                 for t in teams]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.dialog = ""
        return await self._load()

    @rx.event
    async def open_response(self, response_id: str) -> Any:
        row = next((r for r in self.responses if r["id"] == str(response_id)), None)
        self.editing_id = int(row["id"]) if row else 0
        self.form = ({"title": row["title"], "scope": row["scope_value"], "body": row["body"]} if row else
                     {"title": "", "scope": "everyone",
                      "body": "Hello {{ requester.first_name }},\n\n\n\n{{ agent.name }}\n{{ team.name }}"})
        self.field_errors, self.dialog, self.notice, self.error, self.rendered = {}, "canned", "", "", ""
        return await self.preview_body()

    @rx.event
    async def preview_body(self) -> Any:
        body = self.form.get("body", "")
        ok, text, event = await self._admin_work(lambda session, actor: canned_responses.preview(actor, body),
                                                 fields=True)
        self.rendered = text if ok else ""
        return event

    @rx.event
    async def save_response(self) -> Any:
        form, response_id = dict(self.form), self.editing_id
        scope = form.get("scope", "everyone")
        team_id = as_int(scope.removeprefix("team:")) if scope.startswith("team:") else None

        def work(session: Any, actor: Any) -> Any:
            if response_id:
                changes = {"title": form.get("title", ""), "body": form.get("body", "")}
                if scope != "personal":
                    changes["team_id"] = team_id
                return canned_responses.update(session, actor, response_id,
                                               parse(CannedResponseChanges, changes))
            return canned_responses.create(session, actor, parse(CannedResponseDraft, {
                "title": form.get("title", ""), "body": form.get("body", ""), "team_id": team_id,
                "personal": scope == "personal"}))

        ok, saved, event = await self._admin_work(work, fields=True)
        if ok:
            self.dialog, self.notice = "", self._t("Saved “{title}”.", title=saved.title)
            return await self._load()
        return event

    @rx.event
    async def deactivate(self, response_id: str) -> Any:
        target = as_int(response_id) or 0
        ok, _, event = await self._admin_work(lambda session, actor: canned_responses.deactivate(
            session, actor, target), toast=True)
        if ok:
            self.notice = self._t("Deactivated: agents no longer see it.")
            return await self._load()
        return event


class SettingsState(AdminPage, AdminState):
    FORM_FIELDS = ("organisation_name", "timezone", "auto_close_days", "ai_auto_apply_threshold",
                   "ai_auto_apply_category", "ai_auto_apply_team", "ai_auto_apply_priority", "sso_only_staff",
                   *app_settings.LIMITS)

    defaults: dict[str, str] = {}
    overridden: list[str] = []

    def _clear(self) -> None:
        self.defaults, self.overridden = {}, []

    async def _load(self) -> Any:
        ok, result, event = await self._admin_work(lambda session, actor: admin_settings.read(session, actor))
        if ok:
            text = {True: "true", False: "false"}
            self.form = {k: text.get(v, str(v)) if isinstance(v, bool) else str(v)
                         for k, v in result["values"].items()}
            self.defaults = {k: text.get(v, str(v)) if isinstance(v, bool) else str(v)
                             for k, v in result["defaults"].items()}
            self.overridden = result["overridden"]
        return event

    @rx.event
    async def on_load(self) -> Any:
        self.notice = self.error = ""
        self.field_errors = {}
        return await self._load()

    @rx.event
    def toggle(self, name: str, on: bool) -> None:
        if name in admin_settings.BOOLEAN:
            self.form = {**self.form, name: "true" if on else "false"}

    @rx.event
    async def save(self) -> Any:
        form = dict(self.form)
        self.notice = self.error = ""
        ok, changed, event = await self._admin_work(lambda session, actor: admin_settings.save(session, actor, form),
                                                    fields=True)
        if ok:
            self.notice = (self._t("Saved: {names}. In effect now.",
                                   names=self._t(", ").join(self._t(SETTING_LABELS.get(k, k.replace("_", " ")))
                                                            for k in changed))
                           if changed else self._t("Nothing changed."))
            return await self._load()
        return event
