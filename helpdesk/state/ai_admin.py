"""The AI page for managers and admins: how far the triage model can be trusted, its versions, retraining."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import reflex as rx

from helpdesk.ai import registry as ai_models
from helpdesk.ai import trust
from helpdesk.ai.metrics import ai_metrics
from helpdesk.core import i18n
from helpdesk.core.bounds import as_id
from helpdesk.core.errors import DomainError, PermissionDenied
from helpdesk.core.i18n import N_
from helpdesk.models import Role
from helpdesk.models.base import utcnow
from helpdesk.routes import HOME_FOR_ROLE
from helpdesk.state.formatting import local_time
from helpdesk.state.session import SessionState

RANGES = ["7", "30", "90"]
# Server text is made in the page's language by a `tr(msgid, **values)` (SessionState._t).
Translate = Callable[..., str]
FIELD_LABELS = {"category": N_("category"), "team": N_("team"), "priority": N_("priority")}
TRIGGER_LABELS = {"schedule": N_("weekly schedule"), "admin": N_("requested by an administrator"),
                  "cli": N_("command line")}
TOKEN_USAGE_LABELS = {"calls": N_("calls"), "errors": N_("errors"), "prompt_tokens": N_("prompt tokens"),
                      "completion_tokens": N_("completion tokens"), "total_tokens": N_("total tokens"),
                      "model": N_("model")}


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def millis(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} ms"


def _category_row(row: dict[str, Any], tr: Translate) -> dict[str, str]:
    return {"category": row["category"] or tr("(no label)"), "predictions": str(row["predictions"]),
            "above": str(row["above_threshold"]), "coverage": percent(row["coverage"]),
            "judged": str(row["judged"]), "precision": percent(row["precision"])}


def _version_metrics_row(row: dict[str, Any]) -> dict[str, str]:
    return {"version": row["model_version"], "predictions": str(row["predictions"]), "errors": str(row["errors"]),
            "coverage": percent(row["coverage"]), "judged": str(row["judged"]),
            "precision": percent(row["precision"]), "acceptance": percent(row["acceptance_rate"]),
            "p50": millis(row["latency_ms"]["p50"]), "p95": millis(row["latency_ms"]["p95"])}


def _kept_version_row(row: dict[str, Any], tr: Translate, language: str) -> dict[str, str]:
    metrics = row["metrics"]
    trained_on = (tr("{count} helpdesk tickets + shipped data", count=row["training_ticket_count"])
                  if row["source"] == "retrained" else tr("{count} shipped tickets", count=f"{row['training_rows']:,}"))
    return {"version": row["version"], "status": row["status"], "source": row["source"], "trained_on": trained_on,
            "created": local_time(row["created_at"], language), "accuracy": percent(metrics["accuracy"]),
            "precision": percent(metrics["auto_precision"]), "coverage": percent(metrics["auto_coverage"]),
            "evaluated_on": metrics["evaluated_on"] or "", "promoted": local_time(row["promoted_at"], language),
            "activatable": "yes" if row["activatable"] else ""}


def _threshold_rows(active: dict[str, Any] | None, threshold: float, tr: Translate) -> list[dict[str, str]]:
    """The active version's precision and coverage at other thresholds, from its own held-back evaluation."""
    curve = active["metrics"]["threshold_curve"] if active else []
    evaluated = (active["metrics"]["n"] or 0) if active else 0
    # How many tickets each figure rests on: on a few dozen held-back tickets the curve is noisy.
    return [{"threshold": f"{point['threshold']:.2f}", "precision": percent(point["precision"]),
             "coverage": percent(point["coverage"]),
             "tickets": tr("{part} of {whole}", part=f"{round(point['coverage'] * evaluated):,}",
                           whole=f"{evaluated:,}") if evaluated else "",
             "current": "yes" if abs(point["threshold"] - threshold) < 1e-9 else ""} for point in curve]


def interval(low: float | None, high: float | None) -> str:
    return "" if low is None or high is None else f"{low * 100:.0f}–{high * 100:.0f}%"


def _trust_row(row: dict[str, Any], tr: Translate, rtl: bool) -> dict[str, str]:
    """One category and field: its mode, the evidence and the precision with its interval (one-sided bound shown
    as the interval's low end, the figure auto-apply is earned on)."""
    override = row["override"] or "evidence"
    return {"key": f"{row['category_id']}:{row['field']}", "category": row["category"], "field": row["field"],
            "field_label": tr(FIELD_LABELS.get(row["field"], row["field"])),
            "mode": row["mode"], "earned": row["earned_mode"], "override": override, "override_label": tr(override),
            "evidence": tr("{correct} of {judged} right", correct=row["correct"], judged=row["judged"]),
            "precision": percent(row["precision"]), "interval": interval(row["lower_bound"], row["upper_bound"]),
            "needs": f"lower bound above {row['target'] * 100:.0f}% on at least {row['min_evidence']}",
            "bands": _bands_text(row.get("bands") or [], tr, rtl)}


def _bands_text(bands: list[dict[str, Any]], tr: Translate, rtl: bool = False) -> str:
    """Each confidence band's evidence, surest first: "above 0.99: auto, 52 of 52 · 0.95–0.99: 3 of 4 · ..."."""
    parts = []
    for band in reversed(bands):
        evidence = tr("{part} of {whole}", part=band["correct"], whole=band["judged"])
        if band["mode"] == "auto":
            evidence = tr("auto, {evidence}", evidence=evidence)
        name = _band_name(band["band"], tr)
        # A range ("0.95–0.99") keeps its order inside right-to-left text only as a left-to-right isolate.
        parts.append(f"{chr(0x2066)}{name}{chr(0x2069)}: {evidence}" if rtl and "–" in name else f"{name}: {evidence}")
    return " · ".join(parts)


def _band_name(band: str, tr: Translate) -> str:
    """A band's name ("above 0.99", "0.95–0.99") with its words in the page's language."""
    return tr("above {value}", value=band.removeprefix("above ")) if band.startswith("above ") else band


def _split_row(name: str, figures: dict[str, Any]) -> dict[str, str]:
    return {"name": name, "precision": percent(figures["precision"]), "judged": str(figures["judged"]),
            "interval": interval(figures["low"], figures["high"])}


def _run_summary(run: dict[str, Any] | None, tr: Translate, language: str) -> dict[str, str]:
    if run is None:
        return {}
    return {"outcome": run["outcome"], "reason": run["reason"], "started": local_time(run["started_at"], language),
            "trigger": tr(TRIGGER_LABELS.get(run["trigger"], run["trigger"])), "eligible": str(run["eligible_tickets"]),
            "holdout": str(run["holdout_tickets"]), "candidate": run["candidate_version"] or "",
            "candidate_accuracy": percent(run["candidate_metrics"]["accuracy"]),
            "baseline_accuracy": percent(run["baseline_metrics"]["accuracy"]),
            "baseline": run["baseline_version"] or "",
            "duration": "" if run["duration_seconds"] is None else tr("{seconds} s",
                                                                       seconds=f"{run['duration_seconds']:.0f}")}


class AiAdminState(SessionState):
    days: str = "30"
    summary: dict[str, str] = {}
    per_category: list[dict[str, str]] = []
    per_version: list[dict[str, str]] = []
    versions: list[dict[str, str]] = []
    last_run: dict[str, str] = {}
    thresholds: list[dict[str, str]] = []
    active_evaluated_on: str = ""
    token_usage: list[dict[str, str]] = []
    token_message: str = ""
    trust_rows: list[dict[str, str]] = []
    applied_split: list[dict[str, str]] = []
    can_manage: bool = False
    loaded: bool = False
    message: str = ""
    error: str = ""

    def _send_home(self, _exc: PermissionDenied) -> rx.event.EventSpec:
        # Agents and requesters are sent to their own start page, and nothing an earlier visitor of this tab
        # loaded stays behind.
        self.summary, self.per_category, self.per_version, self.versions, self.last_run = {}, [], [], [], {}
        self.thresholds, self.active_evaluated_on = [], ""
        self.token_usage, self.loaded, self.can_manage = [], False, False
        self.trust_rows, self.applied_split = [], []
        return rx.redirect(HOME_FOR_ROLE.get(self.user_role, HOME_FOR_ROLE[Role.REQUESTER]))

    def _load(self) -> rx.event.EventSpec | None:
        since = utcnow() - timedelta(days=int(self.days))
        with self._on_failure(on={PermissionDenied: self._send_home}) as failure, self._service() as (session, actor):
            metrics = ai_metrics(session, actor, since=since)
            kept = ai_models.list_versions(session, actor)
            runs = ai_models.recent_runs(session, actor, limit=1)
            modes = trust.auto_apply_table(session, actor)
        if failure:
            return failure.event
        self.can_manage = self.user_role == Role.ADMIN
        tr, language = self._t, self._lang()
        self.summary = {
            "threshold": f"{metrics['threshold']:.2f}",
            "predictions": str(metrics["predictions"]),
            "errors": str(metrics["errors"]),
            "coverage": percent(_overall_coverage(metrics["per_category_at_threshold"])),
            "auto_applied": percent(metrics["coverage"]),
            "precision": percent(_overall_precision(metrics["per_category_at_threshold"])),
            "judged": str(sum(r["judged"] for r in metrics["per_category_at_threshold"])),
            "acceptance": percent(metrics["acceptance_rate"]),
            "decided": str(metrics["suggestions_decided"]),
            "p50": millis(metrics["latency_ms"]["p50"]),
            "p95": millis(metrics["latency_ms"]["p95"]),
        }
        self.per_category = [_category_row(r, tr) for r in metrics["per_category_at_threshold"]]
        self.trust_rows = [_trust_row(r, tr, i18n.is_rtl(language)) for r in modes]
        split = metrics["applied_vs_suggested"]["category"]
        self.applied_split = [_split_row(tr("Set by the AI"), split["auto_applied"]),
                              _split_row(tr("Only suggested"), split["suggested"])]
        self.per_version = [_version_metrics_row(r) for r in metrics["by_model_version"]]
        self.versions = [_kept_version_row(r, tr, language) for r in kept]
        active = next((row for row in kept if row["status"] == "active"), None)
        self.thresholds = _threshold_rows(active, metrics["threshold"], tr)
        self.active_evaluated_on = active["metrics"]["evaluated_on"] if active else ""
        self.last_run = _run_summary(runs[0] if runs else None, tr, language)
        usage = metrics["token_usage"]
        message = usage["message"]
        self.token_message = tr(message) if message else ""
        self.token_usage = [{"name": tr(TOKEN_USAGE_LABELS[k]), "value": f"{v:,}" if isinstance(v, int) else str(v)}
                            for k, v in usage["summary"].items()
                            if k in ("calls", "errors", "prompt_tokens", "completion_tokens", "total_tokens", "model")]
        self.loaded = True
        return None

    @rx.event
    def on_load(self) -> rx.event.EventSpec | None:
        self.message = self.error = ""
        return self._load()

    @rx.event
    def set_range(self, days: str | list[str]) -> rx.event.EventSpec | None:
        days = days[0] if isinstance(days, list) and days else days
        if not isinstance(days, str) or days not in RANGES:
            return None  # only the three offered ranges; anything else changes nothing
        self.days = days
        return self._load()

    @rx.event
    def retrain_now(self) -> rx.event.EventSpec | None:
        self.message = self.error = ""
        with self._on_failure("error") as failure:
            self._run(lambda session, actor: ai_models.request_retrain(session, actor))
        if failure:
            return failure.event
        self.message = self._t("Retraining queued on the AI worker; the outcome appears under “Last training run” "
                               "when done.")
        return self._load()

    @rx.event
    def activate(self, version: str) -> rx.event.EventSpec | None:
        self.message = self.error = ""
        version = str(version)[:64]
        with self._on_failure("error", describe=self._all_problems) as failure:
            self._run(lambda session, actor: ai_models.activate_version(session, actor, version))
        if failure:
            return failure.event
        self.message = self._t("Model version {version} is now active; workers switch to it within a few seconds.",
                               version=version)
        return self._load()


    @rx.event
    def set_override(self, key: str, value: str) -> rx.event.EventSpec | None:
        """An administrator forces a category's field to suggest-only or auto, or lets the evidence decide."""
        self.message = self.error = ""
        category, _, field = str(key).partition(":")
        override = "" if value == "evidence" else str(value)
        category_id = as_id(category)
        if category_id is None:
            return None
        with self._on_failure("error", describe=self._all_problems) as failure:
            self._run(lambda session, actor: trust.set_override(session, actor, category_id, field[:16],
                                                                override[:16]))
        if failure:
            return failure.event
        self.message = self._t("Saved; the change is in the audit log.")
        return self._load()

    def _all_problems(self, exc: DomainError) -> str:
        """Every field's problem, each in the page's language (`_on_failure` then finds nothing more to translate)."""
        if getattr(exc, "field_errors", None):
            return "; ".join(self._t(problem) for problem in exc.field_errors.values())
        return self._t(exc.message)


def _overall_precision(rows: list[dict[str, Any]]) -> float | None:
    judged = sum(r["judged"] for r in rows)
    return round(sum(r["correct"] for r in rows) / judged, 4) if judged else None


def _overall_coverage(rows: list[dict[str, Any]]) -> float | None:
    predictions = sum(r["predictions"] for r in rows)
    return round(sum(r["above_threshold"] for r in rows) / predictions, 4) if predictions else None
