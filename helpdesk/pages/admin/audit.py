"""Audit log viewer: who changed what, when; filters, pages, CSV export."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import admin_page, table, text_field
from helpdesk.components.i18n import t
from helpdesk.components.layout import card
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN_AUDIT
from helpdesk.state.admin_audit import AuditState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["when"], size="1"), white_space="nowrap"),
        # dir=auto: "Name <e-mail>", an entity and JSON read left to right inside an Urdu page too.
        rx.table.cell(rx.text(row["actor"], size="2", dir="auto")),
        rx.table.cell(rx.code(row["action"], variant="ghost")),
        rx.table.cell(rx.text(row["entity"], size="2", dir="auto"), white_space="nowrap"),
        rx.table.cell(rx.text(row["details"], size="1", color_scheme="gray", font_family="monospace",
                              word_break="break-all", dir="auto")),
        rx.table.cell(rx.text(row["ip"], size="1", color_scheme="gray")),
        data_testid="audit-row",
    )


def _filters() -> rx.Component:
    return rx.grid(
        text_field(AuditState, t("From"), "start", kind="date"),
        text_field(AuditState, t("To"), "end", kind="date"),
        text_field(AuditState, t("Who"), "who", placeholder=t("name, e-mail or “system”")),
        rx.vstack(
            rx.text(t("What"), size="2", weight="medium"),
            rx.select.root(
                rx.select.trigger(width="100%", placeholder=t("Any action"), aria_label=t("What"),
                                  data_testid="select-action"),
                rx.select.content(rx.select.item(t("Any action"), value="any"),
                                  rx.foreach(AuditState.action_choices, lambda a: rx.select.item(a, value=a))),
                value=rx.cond(AuditState.form["action"].to(str) == "", "any", AuditState.form["action"].to(str)),
                on_change=AuditState.set_action),
            spacing="1", width="100%"),
        text_field(AuditState, t("Entity type"), "entity_type", placeholder=t("user, team, ticket…")),
        text_field(AuditState, t("Entity id"), "entity_id"),
        columns=rx.breakpoints(initial="2", md="3", lg="6"),
        spacing="3",
        width="100%",
    )


@template(ADMIN_AUDIT, "Audit log", on_load=AuditState.on_load)
def audit_page() -> rx.Component:
    return admin_page(
        ADMIN_AUDIT, t("Audit log"),
        t("Every sign-in and every change, newest first. Times in the organisation's zone."),
        AuditState.error, AuditState.notice,
        card(
            _filters(),
            rx.hstack(
                rx.button(rx.icon("filter", size=14), t("Apply filters"), on_click=AuditState.apply_filters,
                          data_testid="apply-filters"),
                rx.button(rx.icon("download", size=14), t("Export CSV"), variant="soft",
                          on_click=AuditState.download_csv,
                          data_testid="export-audit"),
                spacing="2", margin_top="12px", margin_bottom="12px", wrap="wrap",
            ),
            table([t("When"), t("Who"), t("What"), t("Entity"), t("Details"), "IP"], AuditState.entries, _row,
                  "audit-table",
                  t("Nothing recorded with these filters.")),
            rx.hstack(
                rx.spacer(),
                rx.button(t("Newer"), variant="soft", size="1", disabled=AuditState.cursor_stack.length() == 0,
                          on_click=AuditState.previous_page, data_testid="audit-newer"),
                rx.button(t("Older"), variant="soft", size="1", disabled=AuditState.next_cursor == "",
                          on_click=AuditState.next_page, data_testid="audit-older"),
                width="100%", margin_top="12px",
            ),
        ),
    )
