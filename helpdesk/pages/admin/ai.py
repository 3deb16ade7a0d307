"""AI triage page (managers and admins): trust figures per category and model version, kept versions, retraining."""

from __future__ import annotations

import reflex as rx

from helpdesk.components.admin import FOLLOW_PAGE_DIRECTION
from helpdesk.components.i18n import t, tf
from helpdesk.components.layout import card, error_callout, page_header
from helpdesk.core.i18n import N_
from helpdesk.pages.template import template
from helpdesk.routes import AI_ADMIN
from helpdesk.state.ai_admin import RANGES, AiAdminState

STATUS_COLOURS = {"active": "green", "candidate": "blue", "retired": "gray", "rejected": "orange"}
OUTCOME_COLOURS = {"promoted": "green", "rejected": "orange", "skipped": "gray", "failed": "red", "running": "blue"}
# The words for the codes above (and the trust modes), English msgids shown through t().
CODE_LABELS = {"active": N_("active"), "candidate": N_("candidate"), "retired": N_("retired"),
               "rejected": N_("rejected"), "promoted": N_("promoted"), "skipped": N_("skipped"), "failed": N_("failed"),
               "running": N_("running"), "auto": N_("auto"), "suggest": N_("suggest"), "evidence": N_("evidence")}


def _coloured_badge(value: rx.Var, colours: dict[str, str], testid: str) -> rx.Component:
    return rx.match(
        value,
        *[(name, rx.badge(t(CODE_LABELS.get(name, name)), color_scheme=colour, variant="soft", data_testid=testid))
          for name, colour in colours.items()],
        rx.badge(value, variant="soft", data_testid=testid),
    )


def _stat(label: rx.Var | str, value: rx.Var, detail: rx.Var | str, testid: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(label, size="1", color_scheme="gray", weight="medium", text_transform="uppercase"),
            rx.heading(value, size="6", data_testid=testid),
            rx.text(detail, size="1", color_scheme="gray"),
            spacing="1",
            align="start",
        ),
        size="2",
        width="100%",
    )


def _header_cell(text: rx.Var | str) -> rx.Component:
    return rx.table.column_header_cell(text, white_space="nowrap")


def _table(headers: list[rx.Var | str], rows: rx.Var, render: object, testid: str,
           empty: rx.Var | str) -> rx.Component:
    return rx.cond(
        rx.Var.create(rows).length() > 0,
        rx.table.root(
            rx.table.header(rx.table.row(*[_header_cell(h) for h in headers])),
            rx.table.body(rx.foreach(rows, render)),
            size="1",
            width="100%",
            data_testid=testid,
        ),
        rx.text(empty, size="2", color_scheme="gray"),
    )


def _category_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["category"]),
        rx.table.cell(row["predictions"]),
        rx.table.cell(row["above"]),
        rx.table.cell(row["coverage"]),
        rx.table.cell(row["judged"]),
        rx.table.cell(row["precision"], data_testid="category-precision"),
        data_testid="category-row",
    )


MODE_COLOURS = {"auto": "green", "suggest": "gray"}


def _trust_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["category"]),
        rx.table.cell(row["field_label"]),
        rx.table.cell(_coloured_badge(row["mode"], MODE_COLOURS, "trust-mode")),
        rx.table.cell(row["evidence"], data_testid="trust-evidence"),
        rx.table.cell(rx.hstack(rx.text(row["precision"]), rx.text(row["interval"], size="1", color_scheme="gray"),
                                spacing="2", align="center")),
        rx.table.cell(rx.text(row["bands"], size="1"), data_testid="trust-bands"),
        rx.table.cell(
            rx.cond(
                AiAdminState.can_manage,
                rx.select.root(
                    rx.select.trigger(aria_label=tf("Trust band for {category}, {field}", category=row["category"],
                                                    field=row["field_label"]), data_testid="trust-override"),
                    rx.select.content(*[rx.select.item(t(CODE_LABELS[band]), value=band)
                                        for band in ("evidence", "suggest", "auto")]),
                    value=row["override"], on_change=lambda value: AiAdminState.set_override(row["key"], value),
                    size="1",
                ),
                rx.text(row["override_label"], size="1", color_scheme="gray"),
            )
        ),
        data_testid="trust-row",
        data_category=row["category"],
        data_field=row["field"],
    )


def _trust_table() -> rx.Component:
    return card(
        rx.heading(t("Auto-apply, earned per category"), size="4", margin_bottom="4px"),
        rx.text(t("Every category starts suggest-only. A category's field is set automatically once the AI's confident "
                  "predictions were right often enough on this helpdesk's own tickets that the one-sided 95 % lower "
                  "bound of their precision is above the target; it goes back to suggestions by itself when the "
                  "bound falls. The evidence is kept per confidence band: a prediction is applied only when "
                  "predictions as sure as it have earned it. Unfamiliar text is only ever suggested. Every switch is "
                  "in the audit log."),
                size="1", color_scheme="gray", margin_bottom="10px"),
        _table([t("Category"), t("Field"), t("Mode"), t("Evidence (confident predictions judged)"),
                t("Precision (95 % interval)"),
                t("By confidence (right of judged)"), t("Decided by")],
               AiAdminState.trust_rows, _trust_row, "trust-table", t("No categories yet.")),
    )


def _split_card(row: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(row["name"], size="1", color_scheme="gray", weight="medium", text_transform="uppercase"),
            rx.heading(row["precision"], size="6", data_testid="split-precision"),
            rx.text(tf("right, on {count} tickets people judged {interval}", count=row["judged"],
                       interval=row["interval"]), size="1",
                    color_scheme="gray", data_testid="split-judged"),
            spacing="1", align="start",
        ),
        size="2", width="100%", data_testid="split-card",
    )


def _version_metrics_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(row["version"], variant="ghost")),
        rx.table.cell(row["predictions"]),
        rx.table.cell(row["errors"]),
        rx.table.cell(row["coverage"]),
        rx.table.cell(row["precision"]),
        rx.table.cell(row["acceptance"]),
        rx.table.cell(row["p50"]),
        rx.table.cell(row["p95"]),
    )


def _kept_version_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(rx.code(row["version"], variant="ghost")),
        rx.table.cell(_coloured_badge(row["status"], STATUS_COLOURS, "version-status")),
        rx.table.cell(rx.vstack(rx.text(row["trained_on"], size="1"),
                                rx.text(row["created"], size="1", color_scheme="gray"), spacing="0")),
        rx.table.cell(row["accuracy"]),
        rx.table.cell(row["precision"]),
        rx.table.cell(row["coverage"]),
        rx.table.cell(rx.text(row["evaluated_on"], size="1", color_scheme="gray")),
        rx.table.cell(
            rx.cond(
                AiAdminState.can_manage & (row["activatable"] == "yes"),
                rx.button(t("Activate"), size="1", variant="soft", on_click=AiAdminState.activate(row["version"]),
                          data_testid="activate-" + row["version"]),
                rx.text(rx.cond(row["status"] == "active", row["promoted"], ""), size="1", color_scheme="gray"),
            )
        ),
        data_testid="version-row",
    )


def _threshold_row(row: rx.Var) -> rx.Component:
    current = row["current"] == "yes"
    return rx.table.row(
        rx.table.row_header_cell(rx.hstack(rx.text(row["threshold"]),
                                           rx.cond(current, rx.badge(t("current"), color_scheme="blue",
                                                                     variant="soft")),
                                           spacing="2", align="center")),
        rx.table.cell(row["precision"]),
        rx.table.cell(row["coverage"]),
        rx.table.cell(rx.text(row["tickets"], color_scheme="gray")),
        font_weight=rx.cond(current, "600", "400"),
        data_testid="threshold-row",
    )


def _threshold_choice() -> rx.Component:
    return card(
        rx.heading(t("Choosing the threshold"), size="4", margin_bottom="4px"),
        rx.text(tf("The active model above other confidence thresholds, on {evaluated_on}: a higher threshold sets "
                   "fewer fields automatically and gets more of them right. Set AI_AUTO_APPLY_THRESHOLD to change it; "
                   "the confidence is a calibrated probability, so the precision above a threshold is about the "
                   "average confidence there.", evaluated_on=AiAdminState.active_evaluated_on),
                size="1", color_scheme="gray", margin_bottom="10px"),
        _table([t("Threshold"), t("Precision above it"), t("Coverage"), t("Tickets above it")], AiAdminState.thresholds,
               _threshold_row, "threshold-table", t("The active version was evaluated before this table existed.")),
    )


def _last_run() -> rx.Component:
    run = AiAdminState.last_run
    return card(
        rx.hstack(rx.heading(t("Last training run"), size="4"), rx.spacer(),
                  rx.cond(run.length() > 0, _coloured_badge(run["outcome"], OUTCOME_COLOURS, "run-outcome")),
                  width="100%", align="center"),
        rx.cond(
            run.length() > 0,
            rx.vstack(
                rx.text(run["reason"], size="2", data_testid="run-reason"),
                rx.text(run["started"], " · ", run["trigger"], " · ",
                        tf("{eligible} confirmed tickets, {holdout} held back", eligible=run["eligible"],
                           holdout=run["holdout"]),
                        rx.cond(run["duration"] != "", " · " + run["duration"], ""), size="1", color_scheme="gray"),
                rx.cond(run["candidate"] != "",
                        rx.text(tf("Candidate {candidate} accuracy {candidate_accuracy} vs {baseline} "
                                   "{baseline_accuracy} on the same held-back tickets", candidate=run["candidate"],
                                   candidate_accuracy=run["candidate_accuracy"], baseline=run["baseline"],
                                   baseline_accuracy=run["baseline_accuracy"]), size="1")),
                spacing="1",
                align="start",
                margin_top="8px",
            ),
            rx.text(t("No retraining run yet. The weekly job trains once enough resolved tickets have a category a "
                      "person set or confirmed."), size="2", color_scheme="gray", margin_top="8px"),
        ),
    )


def _token_usage() -> rx.Component:
    return card(
        rx.heading(t("LLM token usage"), size="4", margin_bottom="8px"),
        rx.cond(
            AiAdminState.token_message != "",
            rx.text(AiAdminState.token_message, size="2", color_scheme="gray", data_testid="token-usage"),
            rx.hstack(
                rx.foreach(AiAdminState.token_usage, lambda item: rx.vstack(
                    rx.text(item["name"], size="1", color_scheme="gray"),
                    rx.text(item["value"], size="3", weight="bold"), spacing="0")),
                spacing="6",
                wrap="wrap",
                data_testid="token-usage",
            ),
        ),
    )


def _range_picker() -> rx.Component:
    return rx.segmented_control.root(
        *[rx.segmented_control.item(tf("{days} days", days=days), value=days) for days in RANGES],
        value=AiAdminState.days,
        on_change=AiAdminState.set_range,
        data_testid="ai-range",
    )


@template(AI_ADMIN, "AI triage", on_load=AiAdminState.on_load)
def ai_admin_page() -> rx.Component:
    summary = AiAdminState.summary
    return rx.box(
        page_header(
            t("AI triage"),
            rx.text(t("How far the triage model can be trusted, judged against the categories people set or "
                      "confirmed."), color_scheme="gray", size="2"),
            _range_picker(),
            rx.cond(AiAdminState.can_manage,
                    rx.button(rx.icon("refresh-cw", size=14), t("Retrain now"), on_click=AiAdminState.retrain_now,
                              data_testid="retrain-now")),
        ),
        error_callout(AiAdminState.error),
        rx.cond(AiAdminState.message != "",
                rx.callout(AiAdminState.message, icon="circle-check", color_scheme="green", width="100%",
                           margin_bottom="16px", data_testid="ai-message")),
        rx.cond(
            AiAdminState.loaded,
            rx.vstack(
                rx.grid(
                    _stat(t("Predictions"), summary["predictions"],
                          tf("{count} failed runs", count=summary["errors"]), "stat-predictions"),
                    _stat(t("Coverage"), summary["coverage"],
                          tf("confidence above {threshold}; {share} set automatically", threshold=summary["threshold"],
                             share=summary["auto_applied"]), "stat-coverage"),
                    _stat(t("Precision"), summary["precision"],
                          tf("above the threshold, {count} judged by people", count=summary["judged"]),
                          "stat-precision"),
                    _stat(t("Acceptance"), summary["acceptance"],
                          tf("of {count} decided suggestions", count=summary["decided"]), "stat-acceptance"),
                    _stat(t("Latency"), summary["p50"], "p95 " + summary["p95"], "stat-latency"),
                    columns="5",
                    spacing="3",
                    width="100%",
                ),
                rx.grid(rx.foreach(AiAdminState.applied_split, _split_card), columns="2", spacing="3",
                        width="100%", data_testid="applied-split"),
                _trust_table(),
                card(
                    rx.heading(t("Per category at the threshold"), size="4", margin_bottom="4px"),
                    rx.text(t("Coverage: share of the label's predictions above the threshold. Precision: of those, "
                              "on tickets whose category a person set or confirmed, the share that was right."),
                            size="1", color_scheme="gray", margin_bottom="10px"),
                    _table([t("Category"), t("Predictions"), t("Above threshold"), t("Coverage"), t("Judged"),
                            t("Precision")],
                           AiAdminState.per_category, _category_row, "category-table",
                           t("No predictions in this period.")),
                ),
                card(
                    rx.heading(t("By model version"), size="4", margin_bottom="10px"),
                    _table([t("Version"), t("Predictions"), t("Errors"), t("Coverage"), t("Precision"),
                            t("Acceptance"), "p50",
                            "p95"], AiAdminState.per_version, _version_metrics_row, "version-metrics-table",
                           t("No predictions in this period.")),
                ),
                card(
                    rx.heading(t("Model versions"), size="4", margin_bottom="4px"),
                    rx.text(t("Figures are on held-back tickets when the version was trained. Administrators can "
                              "activate any kept version (rollback)."), size="1", color_scheme="gray",
                            margin_bottom="10px"),
                    _table([t("Version"), t("Status"), t("Trained on"), t("Accuracy"), t("Precision"), t("Coverage"),
                            t("Evaluated on"),
                            ""], AiAdminState.versions, _kept_version_row, "versions-table", t("No versions.")),
                ),
                _threshold_choice(),
                rx.grid(_last_run(), _token_usage(), columns="2", spacing="3", width="100%"),
                spacing="4",
                width="100%",
            ),
        ),
        style=FOLLOW_PAGE_DIRECTION,
    )
