"""The administration console's start page: what can be configured, with a few head counts."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import SECTIONS, admin_page
from helpdesk.pages.template import template
from helpdesk.routes import ADMIN
from helpdesk.state.admin_people import AdminOverviewState

BLURBS = {
    "Users": "Invite people, roles, teams, deactivate, CSV import.",
    "Teams": "Members, leads, assignment mode, who is away.",
    "Categories": "The tree tickets are filed under and their default teams.",
    "SLA & hours": "Targets per priority, business hours, holidays.",
    "Canned responses": "Shared and personal reply templates.",
    "Mailboxes": "The IMAP inboxes that become tickets; test their connection.",
    "Held mail": "Messages from senders the intake could not verify: accept or discard.",
    "AI triage": "How far the model is trusted; versions and retraining.",
    "Settings": "Organisation name, time zone, auto-close, AI auto-apply, sign-in.",
    "API tokens": "Service accounts and their tokens for integrations.",
    "Audit log": "Who changed what, when; CSV export.",
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
                    rx.text(label, weight="bold", size="3"),
                    rx.text(BLURBS.get(label, ""), size="1", color_scheme="gray"),
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
        ADMIN, "Administration", "Run the helpdesk without editing code: every change is audited and applies at once.",
        AdminOverviewState.error, AdminOverviewState.notice,
        rx.grid(
            *[_tile(label, route, icon) for label, route, icon in SECTIONS[1:]],
            columns=rx.breakpoints(initial="1", sm="2", lg="3"),
            spacing="3",
            width="100%",
        ),
        rx.cond(AdminOverviewState.counts.contains("invited") & (AdminOverviewState.counts["invited"].to(str) != "0"),
                rx.text(AdminOverviewState.counts["invited"], " invitation(s) not yet accepted.", size="2",
                        color_scheme="gray", margin_top="12px")),
    )
