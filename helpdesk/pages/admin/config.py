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
from helpdesk.components.layout import card
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_CANNED, ADMIN_SETTINGS, ADMIN_SLA
from helpdesk.state.admin_config import PRIORITIES, WEEKDAYS, CannedState, SettingsState, SlaState
from helpdesk.state.admin_people import NONE
from helpdesk.tickets.canned_responses import PLACEHOLDER_LIST

PRIORITY_COLOURS = {"critical": "red", "high": "orange", "medium": "blue", "low": "gray"}

# ---------------------------------------------------------------- SLA


def _priority_badge(value: rx.Var) -> rx.Component:
    return rx.match(value, *[(p, rx.badge(p, color_scheme=c, variant="soft")) for p, c in PRIORITY_COLOURS.items()],
                    rx.badge(value))


def _policy_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.text(row["name"], weight="medium")),
        rx.table.cell(_priority_badge(row["priority"])),
        rx.table.cell(row["scope"]),
        rx.table.cell(row["first_response"], white_space="nowrap"),
        rx.table.cell(row["resolution"], white_space="nowrap"),
        rx.table.cell(row["calendar"]),
        rx.table.cell(rx.cond(row["active"] == "yes", rx.badge("active", color_scheme="green", variant="soft"),
                              rx.badge("off", color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.button("Edit", size="1", variant="soft", on_click=SlaState.open_policy(row["id"]),
                                data_testid="edit-policy-" + row["name"])),
        data_testid="policy-row",
    )


def _calendar_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.hstack(rx.text(row["name"], weight="medium"),
                                           rx.cond(row["default"] == "yes", rx.badge("default", variant="soft")),
                                           spacing="2")),
        rx.table.cell(row["timezone"]),
        rx.table.cell(row["days"]),
        rx.table.cell(row["hours"], white_space="nowrap"),
        rx.table.cell(row["holidays"]),
        rx.table.cell(rx.button("Edit", size="1", variant="soft", on_click=SlaState.open_calendar(row["id"]),
                                data_testid="edit-calendar-" + row["name"])),
        data_testid="calendar-row",
    )


def _choices(choices: rx.Var, none_label: str) -> list[rx.Component]:
    return [rx.select.item(none_label, value=NONE),
            rx.foreach(choices, lambda c: rx.select.item(c["label"], value=c["id"]))]


def _policy_dialog() -> rx.Component:
    return dialog(
        SlaState, "policy", rx.cond(SlaState.editing_id == 0, "New SLA policy", "Edit SLA policy"),
        rx.vstack(
            text_field(SlaState, "Name", "name"),
            rx.grid(
                select_field(SlaState, "Priority", "priority",
                             [rx.select.item(p.capitalize(), value=p) for p in PRIORITIES]),
                select_field(SlaState, "Business hours", "calendar_id",
                             [rx.foreach(SlaState.calendars, lambda c: rx.select.item(c["name"], value=c["id"]))]),
                select_field(SlaState, "Only category", "category_id",
                             _choices(SlaState.category_choices, "Any category")),
                select_field(SlaState, "Only team", "team_id", _choices(SlaState.team_choices, "Any team")),
                text_field(SlaState, "First response (business hours)", "first_response_hours"),
                text_field(SlaState, "Resolution (business hours)", "resolution_hours"),
                columns="2", spacing="3", width="100%",
            ),
            rx.hstack(rx.switch(checked=SlaState.form["is_active"].to(str) == "true",
                                on_change=lambda on: SlaState.set_flag("is_active", on), aria_label="Active"),
                      rx.text("Active", size="2"), align="center"),
            field_error(SlaState.field_errors, "policy_id"),
            spacing="3", width="100%",
        ),
        rx.button("Save policy", on_click=SlaState.save_policy, data_testid="save-policy"),
        width="640px",
    )


def _day_box(index: int, day: str) -> rx.Component:
    return rx.checkbox(day, checked=SlaState.working_days.contains(str(index)),
                       on_change=lambda on: SlaState.toggle_day(str(index), on), data_testid=f"day-{day}")


def _calendar_dialog() -> rx.Component:
    return dialog(
        SlaState, "calendar", rx.cond(SlaState.editing_id == 0, "New business hours", "Edit business hours"),
        rx.vstack(
            text_field(SlaState, "Name", "name"),
            text_field(SlaState, "Time zone", "timezone", placeholder="Asia/Karachi"),
            labelled("Working days", rx.flex(*[_day_box(i, day) for i, day in enumerate(WEEKDAYS)], gap="12px",
                                             wrap="wrap"),
                     SlaState.field_errors, "working_days"),
            rx.grid(text_field(SlaState, "Opens", "opens", kind="time"),
                    text_field(SlaState, "Closes", "closes", kind="time"), columns="2", spacing="3", width="100%"),
            text_field(SlaState, "Public holidays of", "holiday_country", placeholder="PK",
                       hint="Two-letter country code; empty for none."),
            text_area(SlaState, "Own holidays", "extra_holidays", rows="3", placeholder="2026-12-24",
                      hint="One date per line (YYYY-MM-DD): closures, company days off."),
            rx.hstack(rx.switch(checked=SlaState.form["is_default"].to(str) == "true",
                                on_change=lambda on: SlaState.set_flag("is_default", on),
                                aria_label="Default calendar"),
                      rx.text("Default (for policies without their own and for tickets no policy matches)",
                              size="2"), align="center"),
            field_error(SlaState.field_errors, "is_default"),
            spacing="3", width="100%",
        ),
        rx.button("Save business hours", on_click=SlaState.save_calendar, data_testid="save-calendar"),
        width="560px",
    )


def _preview() -> rx.Component:
    def picker(name: str, items: list[rx.Component], testid: str) -> rx.Component:
        return rx.select.root(rx.select.trigger(width="180px", aria_label=f"Preview {name.replace('_', ' ')}",
                                                data_testid=testid), rx.select.content(*items),
                              value=SlaState.form[name].to(str), on_change=lambda v: SlaState.set_preview(name, v))

    return card(
        rx.heading("Preview", size="4", margin_bottom="8px"),
        rx.flex(
            picker("preview_priority", [rx.select.item(p.capitalize(), value=p) for p in PRIORITIES],
                   "preview-priority"),
            picker("preview_category_id", _choices(SlaState.category_choices, "Any category"), "preview-category"),
            picker("preview_team_id", _choices(SlaState.team_choices, "Any team"), "preview-team"),
            gap="8px", wrap="wrap", margin_bottom="10px",
        ),
        rx.text(SlaState.preview["text"], size="3", weight="medium", data_testid="sla-preview"),
        rx.text(SlaState.preview["detail"], size="1", color_scheme="gray"),
    )


@template(ADMIN_SLA, "SLA policies", on_load=SlaState.on_load)
def sla_page() -> rx.Component:
    return admin_page(
        ADMIN_SLA, "SLA policies & business hours",
        "Targets count business time only. The most specific active policy wins: category and team, category, "
        "team, then priority alone.",
        SlaState.error, SlaState.notice,
        rx.vstack(
            _preview(),
            card(rx.hstack(rx.heading("Policies", size="4"), rx.spacer(),
                           rx.button(rx.icon("plus", size=14), "New policy", size="2",
                                     on_click=SlaState.open_policy(""), data_testid="new-policy"),
                           width="100%", margin_bottom="8px"),
                 table(["Policy", "Priority", "Applies to", "First response", "Resolution", "Hours", "", ""],
                       SlaState.policies, _policy_row, "policies-table", "No policies: built-in targets apply.")),
            card(rx.hstack(rx.heading("Business hours and holidays", size="4"), rx.spacer(),
                           rx.button(rx.icon("plus", size=14), "New business hours", size="2",
                                     on_click=SlaState.open_calendar(""), data_testid="new-calendar"),
                           width="100%", margin_bottom="8px"),
                 table(["Name", "Time zone", "Days", "Hours", "Holidays", ""], SlaState.calendars, _calendar_row,
                       "calendars-table", "No business hours defined.")),
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
                               color_scheme=rx.cond(row["scope"] == "Personal", "purple", "blue"))),
        rx.table.cell(rx.text(row["excerpt"], size="1", color_scheme="gray")),
        rx.table.cell(rx.cond(active, rx.badge("active", color_scheme="green", variant="soft"),
                              rx.badge("off", color_scheme="gray", variant="soft"))),
        rx.table.cell(rx.hstack(
            rx.button("Edit", size="1", variant="soft", on_click=CannedState.open_response(row["id"]),
                      data_testid="edit-canned-" + row["title"]),
            rx.cond(active, rx.button("Deactivate", size="1", variant="ghost", color_scheme="red",
                                      on_click=CannedState.deactivate(row["id"]))),
            spacing="2")),
        data_testid="canned-row",
    )


def _canned_dialog() -> rx.Component:
    return dialog(
        CannedState, "canned", rx.cond(CannedState.editing_id == 0, "New canned response", "Edit canned response"),
        rx.vstack(
            text_field(CannedState, "Title", "title"),
            select_field(CannedState, "Who can use it", "scope", [
                rx.select.item("Everyone", value="everyone"),
                rx.foreach(CannedState.team_choices, lambda c: rx.select.item(c["label"], value=c["id"])),
                rx.select.item("Only me (personal)", value="personal")]),
            text_area(CannedState, "Text", "body", rows="7", on_blur=CannedState.preview_body,
                      hint="Placeholders: " + PLACEHOLDER_LIST),
            rx.hstack(rx.text("Preview with sample values", size="2", weight="medium"), rx.spacer(),
                      rx.button("Refresh preview", size="1", variant="soft", on_click=CannedState.preview_body,
                                data_testid="refresh-preview"), width="100%"),
            rx.box(rx.text(CannedState.rendered, size="2", white_space="pre-wrap", data_testid="canned-preview"),
                   background="var(--gray-a2)", border="1px solid var(--gray-a5)", border_radius="8px",
                   padding="10px", width="100%", min_height="60px"),
            spacing="3", width="100%",
        ),
        rx.button("Save", on_click=CannedState.save_response, data_testid="save-canned"),
        width="640px",
    )


@template(ADMIN_CANNED, "Canned responses", on_load=CannedState.on_load)
def canned_page() -> rx.Component:
    return admin_page(
        ADMIN_CANNED, "Canned responses", "Reply templates agents insert into a conversation.",
        CannedState.error, CannedState.notice,
        card(table(["Title", "Used by", "Text", "", ""], CannedState.responses, _canned_row, "canned-table",
                   "No canned responses yet.")),
        _canned_dialog(),
        actions=(rx.button(rx.icon("plus", size=14), "New response", on_click=CannedState.open_response(""),
                           data_testid="new-canned"),),
    )


# ---------------------------------------------------------------- settings


def _default_hint(name: str) -> rx.Component:
    return rx.text(rx.cond(SettingsState.overridden.contains(name), "Changed here; the environment's default is ",
                           "Default from the environment: "), SettingsState.defaults[name].to(str), size="1",
                   color_scheme="gray")


def _switch(name: str, label: str) -> rx.Component:
    return rx.hstack(rx.switch(checked=SettingsState.form[name].to(str) == "true",
                               on_change=lambda on: SettingsState.toggle(name, on), aria_label=label,
                               data_testid=f"switch-{name}"),
                     rx.text(label, size="2"), align="center")


def _setting(label: str, name: str, kind: str = "text") -> rx.Component:
    return rx.vstack(text_field(SettingsState, label, name, kind=kind), _default_hint(name), spacing="1",
                     width="100%")


@template(ADMIN_SETTINGS, "Settings", on_load=SettingsState.on_load)
def settings_page() -> rx.Component:
    return admin_page(
        ADMIN_SETTINGS, "Settings", "Stored in the database and in effect at once; defaults come from the environment.",
        SettingsState.error, SettingsState.notice,
        rx.grid(
            card(rx.heading("General", size="4", margin_bottom="10px"),
                 rx.vstack(_setting("Organisation name", "organisation_name"),
                           _setting("Time zone", "timezone"),
                           _setting("Close resolved tickets after (days)", "auto_close_days", "number"),
                           spacing="4", width="100%")),
            card(rx.heading("AI triage", size="4", margin_bottom="10px"),
                 rx.vstack(_setting("Auto-apply above confidence", "ai_auto_apply_threshold"),
                           rx.text("Fields the AI may set by itself above the threshold (the others are only "
                                   "suggested to agents):", size="2"),
                           _switch("ai_auto_apply_category", "Category"),
                           _switch("ai_auto_apply_team", "Team"),
                           _switch("ai_auto_apply_priority", "Priority"),
                           spacing="3", width="100%")),
            card(rx.heading("Sign-in", size="4", margin_bottom="10px"),
                 rx.vstack(_switch("sso_only_staff", "Staff must sign in with single sign-on"),
                           rx.text("Agents, managers and admins then cannot use a password. Requesters still can.",
                                   size="1", color_scheme="gray"),
                           field_error(SettingsState.field_errors, "sso_only_staff"), spacing="2", width="100%")),
            card(rx.heading("Limits per person", size="4", margin_bottom="10px"),
                 rx.vstack(rx.text("Past a rate limit, people are asked to wait (the API answers 429 with "
                                   "Retry-After). Raise them for an integration's service account.", size="1",
                                   color_scheme="gray"),
                           _setting("New tickets an hour", "rate_limit_tickets_per_hour", "number"),
                           _setting("Comments an hour", "rate_limit_comments_per_hour", "number"),
                           _setting("Files uploaded an hour", "rate_limit_uploads_per_hour", "number"),
                           _setting("Files one person uploads in 24 hours (MB)", "attachment_daily_quota_mb",
                                    "number"),
                           _setting("Files on one ticket (MB)", "attachment_ticket_quota_mb", "number"),
                           spacing="3", width="100%")),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        rx.hstack(rx.button("Save settings", size="3", on_click=SettingsState.save, data_testid="save-settings"),
                  margin_top="16px"),
    )
