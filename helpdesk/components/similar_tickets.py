"""Agent-only panels of the ticket page: similar tickets with the likely duplicate, and the LLM assistant."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.badges import status_badge
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card
from helpdesk.state.similar import AssistState, SimilarState
from helpdesk.state.ticket import TicketState

# Added to the ticket page's on_load: the panels are refreshed on every ticket the page shows (after a merge too).
PANELS_ON_LOAD = [SimilarState.load, AssistState.load]


def _duplicate_flag() -> rx.Component:
    duplicate = SimilarState.duplicate
    return rx.callout.root(
        rx.callout.icon(rx.icon("copy", size=16)),
        rx.vstack(
            rx.text(t("Likely duplicate of "), rx.link(duplicate["number"], href="/tickets/" + duplicate["id"]),
                    weight="bold", size="2", data_testid="duplicate-flag"),
            rx.text(duplicate["title"], " · ",
                    tf("filed {age} by {who}", age=duplicate["age"], who=duplicate["who"]), " · ",
                    duplicate["status_label"], size="1"),
            rx.cond(
                duplicate["can_merge"] == "yes",
                rx.button(rx.icon("merge", size=14), t("Merge into "), duplicate["number"], size="1",
                          color_scheme="orange", on_click=SimilarState.merge_duplicate, data_testid="merge-duplicate"),
            ),
            rx.cond(SimilarState.merge_error != "",
                    rx.text(SimilarState.merge_error, color_scheme="red", size="1",
                            data_testid="merge-duplicate-error")),
            spacing="2",
            align="start",
        ),
        color_scheme="orange",
        variant="surface",
        width="100%",
    )


def _similar_row(row: rx.Var, resolved: bool) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.link(rx.text.strong(row["number"]), " ", row["title"], href="/tickets/" + row["id"], size="2",
                    title=t("Similarity ") + row["score"]),
            width="100%",
        ),
        rx.hstack(
            status_badge(row["status"], row["status_label"]),
            # One text, so "opened … · resolved …" wraps as a sentence in the narrow sidebar, not as two columns.
            rx.text(t("opened "), row["age"],
                    rx.cond(resolved & (row["resolved_ago"] != ""),
                            tf(" · resolved {ago}", ago=row["resolved_ago"]), ""),
                    size="1", color_scheme="gray", title=row["created"]),
            spacing="2",
            align="center",
        ),
        rx.cond(
            resolved & (row["resolution"] != ""),
            rx.text(rx.text.strong(t("How it was resolved: ")), row["resolution"], size="1",
                    color="var(--gray-11)", padding="6px 8px", border_inline_start="2px solid var(--green-7)",
                    background="var(--green-a2)", width="100%", data_testid="similar-resolution"),
        ),
        spacing="1",
        width="100%",
        data_testid="similar-ticket",
    )


def _section(title: rx.Var | str, rows: rx.Var, resolved: bool, empty: rx.Var | str) -> rx.Component:
    return rx.vstack(
        rx.text(title, size="1", weight="medium", color_scheme="gray"),
        rx.cond(rows.length() > 0,
                rx.vstack(rx.foreach(rows, lambda r: _similar_row(r, resolved)), spacing="3", width="100%"),
                rx.text(empty, size="1", color_scheme="gray")),
        spacing="2",
        width="100%",
    )


def similar_tickets_panel() -> rx.Component:
    """Filled by SimilarState.load (in PANELS_ON_LOAD); requesters never see it."""
    return rx.cond(
        TicketState.ticket["id"] & (TicketState.user_role != "requester"),
        rx.box(
            rx.cond(
                SimilarState.shown,
                card(
                    rx.hstack(rx.icon("layers", size=16, color="var(--accent-9)"),
                              rx.heading(t("Similar tickets"), size="3"), align="center"),
                    rx.vstack(
                        rx.cond(SimilarState.duplicate.contains("id"), _duplicate_flag()),
                        _section(t("Open"), SimilarState.open_rows, False, t("No similar open tickets.")),
                        _section(t("Resolved in the last 6 months"), SimilarState.resolved_rows, True,
                                 t("No similar resolved tickets.")),
                        spacing="4",
                        width="100%",
                        margin_top="10px",
                    ),
                    data_testid="similar-panel",
                ),
            ),
            width="100%",
        ),
    )


def assistant_panel() -> rx.Component:
    """Summary and suggested reply from the configured LLM; nothing at all when none is configured."""
    busy = AssistState.busy != ""
    return rx.box(
        rx.cond(
            AssistState.enabled,
            card(
                rx.hstack(rx.icon("bot", size=16, color="var(--accent-9)"), rx.heading(t("AI assistant"), size="3"),
                          align="center"),
                rx.hstack(
                    rx.button(rx.icon("list-collapse", size=14), t("Summarise thread"), size="2", variant="soft",
                              loading=AssistState.busy == "summary", disabled=busy,
                              on_click=AssistState.summarise, data_testid="llm-summarise"),
                    rx.button(rx.icon("pen-line", size=14), t("Suggest reply"), size="2", variant="soft",
                              loading=AssistState.busy == "reply", disabled=busy,
                              on_click=AssistState.suggest_reply, data_testid="llm-suggest-reply"),
                    spacing="2",
                    wrap="wrap",
                    margin_top="10px",
                ),
                rx.cond(AssistState.error != "",
                        rx.callout(AssistState.error, icon="triangle-alert", color_scheme="red", size="1",
                                   margin_top="10px", data_testid="llm-error")),
                rx.cond(AssistState.summary != "",
                        rx.text(AssistState.summary, size="2", margin_top="10px", padding="8px 10px",
                                background="var(--accent-a2)", border_radius="8px", data_testid="llm-summary")),
                rx.text(t("Drafts are never sent by themselves: the suggested reply goes into the reply box."),
                        size="1", color_scheme="gray", margin_top="8px"),
            ),
        ),
        width="100%",
    )
