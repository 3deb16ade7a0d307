"""Admin pages: SLA policies and business hours (with a preview), canned responses, general and AI settings."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import (
    admin_page,
    dialog,
    field_error,
    labelled,
    select_field,
    table,
    text_area,
    text_field,
)
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_CANNED, ADMIN_SETTINGS, ADMIN_SLA
from helpdesk.state.admin_config import PRIORITIES, PRIORITY_LABELS, WEEKDAYS, CannedState, SettingsState, SlaState
from helpdesk.state.admin_people import NONE
from helpdesk.tickets.canned_responses import PLACEHOLDER_LIST

PRIORITY_COLOURS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}


# ---------------------------------------------------------------- SLA


def _priority_badge(value: rx.Var) -> rx.Component:
    return rx.match(value, *[(p, rx.badge(t(PRIORITY_LABELS[p]), color_scheme=c, variant="soft"))
                             for p, c in PRIORITY_COLOURS.items()],
                    rx.badge(value))


def _policy_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(_priority_badge(row["priority"])),
        rx.table.cell(row["scope"]),
        rx.table.cell(row["first_response"], white_space="nowrap"),
        rx.table.cell(row["resolution"], white_space="nowrap"),
        rx.table.cell(row["calendar"]),
        rx.table.cell(rx.cond(row["active"] == "yes", rx.badge(t("active"), color_scheme="green", variant="soft"),
                              rx.badge(t("off"), color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.button(t("Edit"), size="1", variant="soft", on_click=SlaState.open_policy(row["id"]),
                                data_testid="edit-policy-" + row["name"])),
        data_testid="policy-row",
    )


def _calendar_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.hstack(rx.text(row["name"], weight="medium"),
                                           rx.cond(row["default"] == "yes", rx.badge(t("default"), variant="soft")),
                                           spacing="2")),
        rx.table.cell(row["timezone"]),
        rx.table.cell(row["days"]),
        rx.table.cell(row["hours"], white_space="nowrap"),
        rx.table.cell(row["holidays"]),
        rx.table.cell(rx.button(t("Edit"), size="1", variant="soft", on_click=SlaState.open_calendar(row["id"]),
                                data_testid="edit-calendar-" + row["name"])),
        data_testid="calendar-row",
    )


def _choices(choices: rx.Var, none_label: rx.Var | str) -> list[rx.Component]:
    return [rx.select.item(none_label, value=NONE),
            rx.foreach(choices, lambda c: rx.select.item(c["label"], value=c["id"]))]


def _policy_dialog() -> rx.Component:
    return dialog(
        SlaState, "policy", rx.cond(SlaState.editing_id == 0, t("New SLA policy"), t("Edit SLA policy")),
        rx.vstack(
            text_field(SlaState, t("Name"), "name"),
            rx.grid(
                select_field(SlaState, t("Priority"), "priority",
                             [rx.select.item(t(PRIORITY_LABELS[p]), value=p) for p in PRIORITIES]),
                select_field(SlaState, t("Business hours"), "calendar_id",
                             [rx.foreach(SlaState.calendars, lambda c: rx.select.item(c["name"], value=c["id"]))]),
                select_field(SlaState, t("Only category"), "category_id",
                             _choices(SlaState.category_choices, t("Any category"))),
                select_field(SlaState, t("Only team"), "team_id", _choices(SlaState.team_choices, t("Any team"))),
                text_field(SlaState, t("First response (business hours)"), "first_response_hours"),
                text_field(SlaState, t("Resolution (business hours)"), "resolution_hours"),
                columns="2", spacing="3", width="100%",
            ),
            rx.hstack(rx.switch(checked=SlaState.form["is_active"].to(str) == "true",
                                on_change=lambda on: SlaState.set_flag("is_active", on), aria_label=t("Active")),
                      rx.text(t("Active"), size="2"), align="center"),
            field_error(SlaState.field_errors, "policy_id"),
            spacing="3", width="100%",
        ),
        rx.button(t("Save policy"), on_click=SlaState.save_policy, data_testid="save-policy"),
        width="640px",
    )


def _day_box(index: int, day: str) -> rx.Component:
    return rx.checkbox(t(day), checked=SlaState.working_days.contains(str(index)),
                       on_change=lambda on: SlaState.toggle_day(str(index), on), data_testid=f"day-{day}")


def _calendar_dialog() -> rx.Component:
    return dialog(
        SlaState, "calendar", rx.cond(SlaState.editing_id == 0, t("New business hours"), t("Edit business hours")),
        rx.vstack(
            text_field(SlaState, t("Name"), "name"),
            text_field(SlaState, t("Time zone"), "timezone", placeholder="Asia/Karachi"),
            labelled(t("Working days"), rx.flex(*[_day_box(i, day) for i, day in enumerate(WEEKDAYS)], gap="12px",
                                             wrap="wrap"),
                     SlaState.field_errors, "working_days"),
            rx.grid(text_field(SlaState, t("Opens"), "opens", kind="time"),
                    text_field(SlaState, t("Closes"), "closes", kind="time"), columns="2", spacing="3", width="100%"),
            text_field(SlaState, t("Public holidays of"), "holiday_country", placeholder="PK",
                       hint=t("Two-letter country code; empty for none.")),
            text_area(SlaState, t("Own holidays"), "extra_holidays", rows="3", placeholder="2026-12-24",
                      hint=t("One date per line (YYYY-MM-DD): closures, company days off.")),
            rx.hstack(rx.switch(checked=SlaState.form["is_default"].to(str) == "true",
                                on_change=lambda on: SlaState.set_flag("is_default", on),
                                aria_label=t("Default calendar")),
                      rx.text(t("Default (for policies without their own and for tickets no policy matches)"),
                              size="2"), align="center"),
            field_error(SlaState.field_errors, "is_default"),
            spacing="3", width="100%",
        ),
        rx.button(t("Save business hours"), on_click=SlaState.save_calendar, data_testid="save-calendar"),
        width="560px",
    )


def _preview() -> rx.Component:
    def picker(name: str, label: rx.Var | str, items: list[rx.Component], testid: str) -> rx.Component:
        return rx.select.root(rx.select.trigger(width="180px", aria_label=label, data_testid=testid),
                              rx.select.content(*items),
                              value=SlaState.form[name].to(str), on_change=lambda v: SlaState.set_preview(name, v))

    return card(
        rx.heading(t("Preview"), size="4", margin_bottom="8px"),
        rx.flex(
            picker("preview_priority", t("Preview priority"),
                   [rx.select.item(t(PRIORITY_LABELS[p]), value=p) for p in PRIORITIES], "preview-priority"),
            picker("preview_category_id", t("Preview category"), _choices(SlaState.category_choices, t("Any category")),
                   "preview-category"),
            picker("preview_team_id", t("Preview team"), _choices(SlaState.team_choices, t("Any team")),
                   "preview-team"),
            gap="8px", wrap="wrap", margin_bottom="10px",
        ),
        rx.text(SlaState.preview["text"], size="3", weight="medium", data_testid="sla-preview"),
        rx.text(SlaState.preview["detail"], size="1", color_scheme="gray"),
    )


@template(ADMIN_SLA, "SLA policies", on_load=SlaState.on_load)
def sla_page() -> rx.Component:
    return admin_page(
        ADMIN_SLA, t("SLA policies & business hours"),
        t("Targets count business time only. The most specific active policy wins: category and team, category, "
          "team, then priority alone."),
        SlaState.error, SlaState.notice,
        rx.vstack(
            _preview(),
            card(rx.hstack(rx.heading(t("Policies"), size="4"), rx.spacer(),
                           rx.button(rx.icon("plus", size=14), t("New policy"), size="2",
                                     on_click=SlaState.open_policy(""), data_testid="new-policy"),
                           width="100%", margin_bottom="8px"),
                 table([t("Policy"), t("Priority"), t("Applies to"), t("First response"), t("Resolution"), t("Hours"),
                        "", ""],
                       SlaState.policies, _policy_row, "policies-table", t("No policies: built-in targets apply."))),
            card(rx.hstack(rx.heading(t("Business hours and holidays"), size="4"), rx.spacer(),
                           rx.button(rx.icon("plus", size=14), t("New business hours"), size="2",
                                     on_click=SlaState.open_calendar(""), data_testid="new-calendar"),
                           width="100%", margin_bottom="8px"),
                 table([t("Name"), t("Time zone"), t("Days"), t("Hours"), t("Holidays"), ""], SlaState.calendars,
                       _calendar_row,
                       "calendars-table", t("No business hours defined."))),
            spacing="4", width="100%",
        ),
        _policy_dialog(),
        _calendar_dialog(),
    )


# ---------------------------------------------------------------- canned responses


def _canned_row(row: rx.Var) -> rx.Component:
    active = row["active"] == "yes"
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row["title"], weight="medium")),
        rx.table.cell(rx.badge(row["scope"], variant="soft",
                               color_scheme=rx.cond(row["personal"] == "yes", "purple", "blue"))),
        rx.table.cell(rx.text(row["excerpt"], size="1", color_scheme="gray")),
        rx.table.cell(rx.cond(active, rx.badge(t("active"), color_scheme="green", variant="soft"),
                              rx.badge(t("off"), color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.hstack(
            rx.button(t("Edit"), size="1", variant="soft", on_click=CannedState.open_response(row["id"]),
                      data_testid="edit-canned-" + row["title"]),
            rx.cond(active, rx.button(t("Deactivate"), size="1", variant="ghost", color_scheme="red",
                                      on_click=CannedState.deactivate(row["id"]))),
            spacing="2")),
        data_testid="canned-row",
    )


def _canned_dialog() -> rx.Component:
    return dialog(
        CannedState, "canned", rx.cond(CannedState.editing_id == 0, t("New canned response"),
                                       t("Edit canned response")),
        rx.vstack(
            text_field(CannedState, t("Title"), "title"),
            select_field(CannedState, t("Who can use it"), "scope", [
                rx.select.item(t("Everyone"), value="everyone"),
                rx.foreach(CannedState.team_choices, lambda c: rx.select.item(c["label"], value=c["id"])),
                rx.select.item(t("Only me (personal)"), value="personal")]),
            text_area(CannedState, t("Text"), "body", rows="7", on_blur=CannedState.preview_body,
                      hint=tf("Placeholders: {names}", names=PLACEHOLDER_LIST)),
            rx.hstack(rx.text(t("Preview with sample values"), size="2", weight="medium"), rx.spacer(),
                      rx.button(t("Refresh preview"), size="1", variant="soft", on_click=CannedState.preview_body,
                                data_testid="refresh-preview"), width="100%"),
            rx.box(rx.text(CannedState.rendered, size="2", white_space="pre-wrap", data_testid="canned-preview"),
                   background="var(--gray-a2)", border="1px solid var(--gray-a5)", border_radius="8px",
                   padding="10px", width="100%", min_height="60px"),
            spacing="3", width="100%",
        ),
        rx.button(t("Save"), on_click=CannedState.save_response, data_testid="save-canned"),
        width="640px",
    )


@template(ADMIN_CANNED, "Canned responses", on_load=CannedState.on_load)
def canned_page() -> rx.Component:
    return admin_page(
        ADMIN_CANNED, t("Canned responses"), t("Reply templates agents insert into a conversation."),
        CannedState.error, CannedState.notice,
        card(table([t("Title"), t("Used by"), t("Text"), "", ""], CannedState.responses, _canned_row, "canned-table",
                   t("No canned responses yet."))),
        _canned_dialog(),
        actions=(rx.button(rx.icon("plus", size=14), t("New response"), on_click=CannedState.open_response(""),
                           data_testid="new-canned"),),
    )


# ---------------------------------------------------------------- settings


def _default_hint(name: str) -> rx.Component:
    default = SettingsState.defaults[name].to(str)
    return rx.text(rx.cond(SettingsState.overridden.contains(name),
                           tf("Changed here; the environment's default is {value}", value=default),
                           tf("Default from the environment: {value}", value=default)), size="1",
                   color_scheme="gray")


def _switch(name: str, label: rx.Var | str) -> rx.Component:
    return rx.hstack(rx.switch(checked=SettingsState.form[name].to(str) == "true",
                               on_change=lambda on: SettingsState.toggle(name, on), aria_label=label,
                               data_testid=f"switch-{name}"),
                     rx.text(label, size="2"), align="center")


def _setting(label: rx.Var | str, name: str, kind: str = "text") -> rx.Component:
    return rx.vstack(text_field(SettingsState, label, name, kind=kind), _default_hint(name), spacing="1",
                     width="100%")


@template(ADMIN_SETTINGS, "Settings", on_load=SettingsState.on_load)
def settings_page() -> rx.Component:
    return admin_page(
        ADMIN_SETTINGS, t("Settings"),
        t("Stored in the database and in effect at once; defaults come from the environment."),
        SettingsState.error, SettingsState.notice,
        rx.grid(
            card(rx.heading(t("General"), size="4", margin_bottom="10px"),
                 rx.vstack(_setting(t("Organisation name"), "organisation_name"),
                           _setting(t("Time zone"), "timezone"),
                           _setting(t("Close resolved tickets after (days)"), "auto_close_days", "number"),
                           spacing="4", width="100%")),
            card(rx.heading(t("AI triage"), size="4", margin_bottom="10px"),
                 rx.vstack(_setting(t("Auto-apply above confidence"), "ai_auto_apply_threshold"),
                           rx.text(t("Fields the AI may set by itself above the threshold (the others are only "
                                     "suggested to agents):"), size="2"),
                           _switch("ai_auto_apply_category", t("Category")),
                           _switch("ai_auto_apply_team", t("Team")),
                           _switch("ai_auto_apply_priority", t("Priority")),
                           spacing="3", width="100%")),
            card(rx.heading(t("Sign-in"), size="4", margin_bottom="10px"),
                 rx.vstack(_switch("sso_only_staff", t("Staff must sign in with single sign-on")),
                           rx.text(t("Agents, managers and admins then cannot use a password. Requesters still can."),
                                   size="1", color_scheme="gray"),
                           field_error(SettingsState.field_errors, "sso_only_staff"), spacing="2", width="100%")),
            card(rx.heading(t("Limits per person"), size="4", margin_bottom="10px"),
                 rx.vstack(rx.text(t("Past a rate limit, people are asked to wait (the API answers 429 with "
                                     "Retry-After). Raise them for an integration's service account."), size="1",
                                   color_scheme="gray"),
                           _setting(t("New tickets an hour"), "rate_limit_tickets_per_hour", "number"),
                           _setting(t("Comments an hour"), "rate_limit_comments_per_hour", "number"),
                           _setting(t("Files uploaded an hour"), "rate_limit_uploads_per_hour", "number"),
                           _setting(t("Files one person uploads in 24 hours (MB)"), "attachment_daily_quota_mb",
                                    "number"),
                           _setting(t("Files on one ticket (MB)"), "attachment_ticket_quota_mb", "number"),
                           spacing="3", width="100%")),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(rx.button(t("Save settings"), size="3", on_click=SettingsState.save, data_testid="save-settings"),
                  margin_top="16px"),
    )
