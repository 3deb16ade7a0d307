"""The administration console's start page: what can be configured, with a few head counts."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import SECTIONS, admin_page
from helpdesk.components.i18n import t, tf
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN
from helpdesk.state.admin_people import AdminOverviewState

BLURBS = {
    "Users": N_("Invite people, roles, teams, deactivate, CSV import."),
    "Teams": N_("Members, leads, assignment mode, who is away."),
    "Categories": N_("The tree tickets are filed under and their default teams."),
    "SLA & hours": N_("Targets per priority, business hours, holidays."),
    "Canned responses": N_("Shared and personal reply templates."),
    "Mailboxes": N_("The IMAP inboxes that become tickets; test their connection."),
    "Held mail": N_("Messages from senders the intake could not verify: accept or discard."),
    "AI triage": N_("How far the model is trusted; versions and retraining."),
    "Settings": N_("Organisation name, time zone, auto-close, AI auto-apply, sign-in."),
    "API tokens": N_("Service accounts and their tokens for integrations."),
    "Audit log": N_("Who changed what, when; CSV export."),
}
# Tiles whose state has a line about what is there now (AdminOverviewState.summaries).
SUMMARISED = ("Users", "Teams", "Categories", "Mailboxes", "Held mail")


def _colour(label: str) -> dict[str, rx.Var]:
    """Held mail waits for a person: its line turns amber while anything is held."""
    if label != "Held mail":
        return {}
    return {"color_scheme": rx.cond(AdminOverviewState.counts["held"].to(str) != "0", "amber", "gray")}


def _tile(label: str, route: str, icon: str) -> rx.Component:
    return rx.link(
        rx.card(
            rx.hstack(
                rx.center(rx.icon(icon, size=18), background="var(--accent-a3)", color="var(--accent-11)",
                          border_radius="8px", width="36px", height="36px", flex_shrink="0"),
                rx.vstack(
                    rx.text(t(label), weight="bold", size="3"),
                    rx.text(t(BLURBS[label]) if label in BLURBS else "", size="1", color_scheme="gray"),
                    rx.text(AdminOverviewState.summaries[label], size="1", weight="medium",
                            data_testid=f"admin-summary-{label.lower().split()[0]}", **_colour(label))
                    if label in SUMMARISED else rx.fragment(),
                    spacing="1", align="start",
                ),
                spacing="3", align="start",
            ),
            size="2", width="100%", height="100%", _hover={"background": "var(--gray-a2)"},
        ),
        href=route, underline="none", color="inherit", data_testid=f"admin-tile-{label.lower().split()[0]}",
    )


@template(ADMIN, "Administration", on_load=AdminOverviewState.on_load)
def overview_page() -> rx.Component:
    return admin_page(
        ADMIN, t("Administration"),
        t("Run the helpdesk without editing code: every change is audited and applies at once."),
        AdminOverviewState.error, AdminOverviewState.notice,
        rx.grid(
            *[_tile(label, route, icon) for label, route, icon in SECTIONS[1:]],
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.cond(AdminOverviewState.counts.contains("invited") & (AdminOverviewState.counts["invited"].to(str) != "0"),
                rx.text(tf("{count} invitation(s) not yet accepted.", count=AdminOverviewState.counts["invited"]),
                        size="2",
                        color_scheme="gray", margin_top="12px")),
    )
