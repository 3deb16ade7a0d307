"""How far the AI can be trusted: the figures of the AI metrics page, for managers and admins.

`ai_metrics` gathers one family of figures per step, from the triage runs stored in `ai_predictions` and the
decisions of people in `ai_feedback` (see `helpdesk.ai.triage`):

* runs: successful and failed predictions, and the fields set automatically (coverage);
* precision per category of the categories the AI set itself;
* acceptance of the suggestions a person decided on;
* prediction latency;
* per category and per model version, the figures judged against the category a person set or confirmed;
* LLM token usage (`token_usage`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import all_, exists, func
from sqlmodel import Session, select

from helpdesk.ai import registry as ai_models
from helpdesk.ai.triage import auto_apply_threshold
from helpdesk.ai.trust import wilson_interval
from helpdesk.core.errors import PermissionDenied
from helpdesk.core.i18n import N_
from helpdesk.identity.actor import Actor
from helpdesk.models import AiFeedback, AiJudgement, AiPrediction, TicketEvent

LLM_NOT_CONFIGURED = N_("LLM provider not configured")

# The filters shared by the figures: a successful run, and one that set the category itself.
_SUCCEEDED = AiPrediction.error.is_(None)
_CATEGORY_APPLIED = AiPrediction.applied_fields.contains(["category"])


def ai_metrics(session: Session, actor: Actor, *, since: datetime | None = None) -> dict[str, Any]:
    """How far the AI can be trusted, for managers and admins.

    * precision per category of the categories the AI set itself: one counts as wrong when a person later changed
      the ticket's category or rejected it;
    * coverage: the share of successful predictions whose category was set automatically;
    * acceptance rate: of the suggestions a person decided on (newest decision per prediction and field; fields
      the AI set itself are judged by precision instead), the share accepted;
    * prediction latency p50/p95 (the model alone) and the number of failed runs.
    """
    _check_may_see_metrics(actor)
    in_period = _period(since)
    threshold = auto_apply_threshold()
    runs = _run_counts(session, in_period)
    per_category, overridden = _category_precision(session, in_period)
    decided, accepted = _acceptance(session, in_period)
    judged = _judged_against_people(session, in_period, threshold)
    return {
        "threshold": threshold,
        "since": since,
        "predictions": runs.predictions,
        "errors": runs.errors,
        "auto_applied": runs.auto_applied,
        "coverage": _ratio(runs.auto_applied["category"], runs.predictions),
        "precision": _ratio(runs.auto_applied["category"] - overridden, runs.auto_applied["category"]),
        "per_category": per_category,
        "suggestions_decided": decided,
        "suggestions_accepted": accepted,
        "acceptance_rate": _ratio(accepted, decided),
        "latency_ms": _latency(session, in_period),
        "per_category_at_threshold": judged["per_category"],
        "by_model_version": judged["by_model_version"],
        "token_usage": token_usage(session, since),
        "applied_vs_suggested": applied_vs_suggested(session, since),
    }


def applied_vs_suggested(session: Session, since: datetime | None = None) -> dict[str, dict[str, Any]]:
    """Live precision of what the AI set by itself and, apart, of what it only suggested, judged by people
    (`ai_judgements`, the newest verdict per ticket and field), each with how many tickets it rests on and its 95 %
    Wilson interval. Per field; a figure on a handful of tickets shows a wide interval instead of a flattering
    percentage."""
    conditions = [AiJudgement.judged_at >= since] if since is not None else []
    counts = {(field, auto): (n, right) for field, auto, n, right in session.exec(
        select(AiJudgement.field, AiJudgement.auto_applied, func.count(), func.count().filter(AiJudgement.correct))
        .where(*conditions).group_by(AiJudgement.field, AiJudgement.auto_applied)
    ).all()}
    out: dict[str, dict[str, Any]] = {}
    for field in ("category", "team", "priority"):
        for auto, name in ((True, "auto_applied"), (False, "suggested")):
            n, right = counts.get((field, auto), (0, 0))
            low, high = wilson_interval(right, n, 1.96)
            out.setdefault(field, {})[name] = {"judged": n, "correct": right, "precision": _ratio(right, n),
                                               "low": None if low is None else round(low, 4),
                                               "high": None if high is None else round(high, 4)}
    return out


# ---------------------------------------------------------------- steps of ai_metrics


def _check_may_see_metrics(actor: Actor) -> None:
    if not actor.can_read_all:
        raise PermissionDenied("Only managers and administrators can see the AI's metrics.")


def _period(since: datetime | None) -> list[Any]:
    """The filter on predictions made since `since` (none: all time)."""
    return [AiPrediction.created_at >= since] if since is not None else []


@dataclass(frozen=True)
class _RunCounts:
    predictions: int  # successful runs
    errors: int  # failed runs
    auto_applied: dict[str, int]  # successful runs that set the field ("category", "team", "priority") themselves


def _run_counts(session: Session, in_period: list[Any]) -> _RunCounts:
    """Successful and failed runs, and how many set each field automatically (coverage and failures)."""
    predictions, errors, categories, teams, priorities = session.exec(
        select(
            func.count().filter(_SUCCEEDED),
            func.count().filter(AiPrediction.error.is_not(None)),
            func.count().filter(_SUCCEEDED, _CATEGORY_APPLIED),
            func.count().filter(_SUCCEEDED, AiPrediction.applied_fields.contains(["team"])),
            func.count().filter(_SUCCEEDED, AiPrediction.applied_fields.contains(["priority"])),
        ).where(*in_period)
    ).one()
    return _RunCounts(predictions, errors, {"category": categories, "team": teams, "priority": priorities})


def _latency(session: Session, in_period: list[Any]) -> dict[str, float | None]:
    """p50 and p95 of the model's time per successful prediction, in milliseconds."""
    p50, p95 = session.exec(
        select(
            func.percentile_cont(0.5).within_group(AiPrediction.latency_ms).filter(_SUCCEEDED),
            func.percentile_cont(0.95).within_group(AiPrediction.latency_ms).filter(_SUCCEEDED),
        ).where(*in_period)
    ).one()
    return {"p50": None if p50 is None else round(p50, 3), "p95": None if p95 is None else round(p95, 3)}


def _category_precision(session: Session, in_period: list[Any]) -> tuple[list[dict[str, Any]], int]:
    """Per predicted label, the categories the AI set itself and how many a person overrode since; and the total
    overridden. A category counts as wrong when a person later changed the ticket's category or rejected it."""
    overridden_by_person = exists().where(
        TicketEvent.ticket_id == AiPrediction.ticket_id,
        TicketEvent.field == "category_id",
        TicketEvent.actor_id.is_not(None),
        TicketEvent.kind.in_(("changed", "ai_rejected")),
        TicketEvent.created_at >= AiPrediction.created_at,
    )
    per_category = []
    wrong_total = 0
    for label, applied, wrong in session.exec(
        select(AiPrediction.predicted_label, func.count(), func.count().filter(overridden_by_person))
        .where(_SUCCEEDED, _CATEGORY_APPLIED, *in_period)
        .group_by(AiPrediction.predicted_label)
        .order_by(AiPrediction.predicted_label)
    ).all():
        wrong_total += wrong
        per_category.append({"category": label, "auto_applied": applied, "overridden": wrong,
                             "precision": round((applied - wrong) / applied, 4)})
    return per_category, wrong_total


def _newest_decisions() -> Any:
    """The newest decision of a person per prediction and field (a subquery)."""
    return (
        select(AiFeedback.prediction_id, AiFeedback.field, AiFeedback.accepted)
        .distinct(AiFeedback.prediction_id, AiFeedback.field)
        .order_by(AiFeedback.prediction_id, AiFeedback.field, AiFeedback.created_at.desc(), AiFeedback.id.desc())
        .subquery()
    )


def _acceptance(session: Session, in_period: list[Any]) -> tuple[int, int]:
    """Suggestions a person decided on and how many were accepted (fields the AI set itself are left out)."""
    newest = _newest_decisions()
    decided, accepted = session.exec(
        select(func.count(), func.count().filter(newest.c.accepted))
        .select_from(newest)
        .join(AiPrediction, AiPrediction.id == newest.c.prediction_id)
        # `<> ALL` of an empty array is true: predictions that applied nothing count.
        .where(newest.c.field != all_(AiPrediction.applied_fields), *in_period)
    ).one()
    return decided, accepted


# ---------------------------------------------------------------- judged against people, per category and version


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percentile(values: list[float], q: float) -> float | None:
    import numpy as np

    return round(float(np.percentile(values, q)), 3) if values else None


def _judged_against_people(session: Session, in_period: list[Any], threshold: float) -> dict[str, Any]:
    """Per category and per model version: coverage at the threshold, and precision judged against the category a
    person set or confirmed (the same rule that picks training tickets: the AI's own unconfirmed labels never count
    as right); predictions on tickets nobody has confirmed yet are not judged.
    """
    per_category, per_version = _tally_predictions(session, in_period, threshold)
    decisions = _decisions_by_model_version(session, in_period)
    return {
        "per_category": [_category_row(label, c) for label, c in sorted(per_category.items())],
        "by_model_version": [_version_row(version, v, decisions.get(version, (0, 0)))
                             for version, v in sorted(per_version.items())],
    }


def _tally_predictions(session: Session, in_period: list[Any], threshold: float
                       ) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, Any]]]:
    """Counts per predicted label and per model version: runs, errors, runs above the threshold, and of those the
    ones on a ticket whose category a person set or confirmed (judged) and the right ones (correct)."""
    rows = session.exec(
        select(AiPrediction.id, AiPrediction.ticket_id, AiPrediction.model_version, AiPrediction.predicted_label,
               AiPrediction.category_confidence, AiPrediction.latency_ms, AiPrediction.error)
        .where(*in_period)
    ).all()
    confirmed = ai_models.confirmed_categories(session, select(AiPrediction.ticket_id).where(*in_period),
                                               finished_only=False)
    categories = ai_models.category_tree(session) if confirmed else {}
    per_category: dict[str, dict[str, int]] = {}
    per_version: dict[str, dict[str, Any]] = {}
    for _, ticket_id, version, label, confidence, latency, error in rows:
        v = per_version.setdefault(version, {"predictions": 0, "errors": 0, "confident": 0, "judged": 0,
                                             "correct": 0, "latencies": []})
        if error is not None:
            v["errors"] += 1
            continue
        v["predictions"] += 1
        if latency is not None:
            v["latencies"].append(latency)
        c = per_category.setdefault(label or "", {"predictions": 0, "confident": 0, "judged": 0, "correct": 0})
        c["predictions"] += 1
        if confidence is None or confidence <= threshold:
            continue
        c["confident"] += 1
        v["confident"] += 1
        if ticket_id in confirmed:
            right = ai_models.label_for_category(confirmed[ticket_id], categories, [label]) is not None
            for bucket in (c, v):
                bucket["judged"] += 1
                bucket["correct"] += int(right)
    return per_category, per_version


def _decisions_by_model_version(session: Session, in_period: list[Any]) -> dict[str, tuple[int, int]]:
    """Per model version: suggestions a person decided on, and how many were accepted."""
    newest = _newest_decisions()
    return {
        version: (decided, accepted)
        for version, decided, accepted in session.exec(
            select(AiPrediction.model_version, func.count(), func.count().filter(newest.c.accepted))
            .select_from(newest).join(AiPrediction, AiPrediction.id == newest.c.prediction_id)
            .where(newest.c.field != all_(AiPrediction.applied_fields), *in_period)
            .group_by(AiPrediction.model_version)
        ).all()
    }


def _category_row(label: str, c: dict[str, int]) -> dict[str, Any]:
    return {"category": label or None, "predictions": c["predictions"], "above_threshold": c["confident"],
            "coverage": _ratio(c["confident"], c["predictions"]), "judged": c["judged"], "correct": c["correct"],
            "precision": _ratio(c["correct"], c["judged"])}


def _version_row(version: str, v: dict[str, Any], decisions: Sequence[int]) -> dict[str, Any]:
    decided, accepted = decisions
    return {"model_version": version, "predictions": v["predictions"], "errors": v["errors"],
            "coverage": _ratio(v["confident"], v["predictions"]), "judged": v["judged"],
            "precision": _ratio(v["correct"], v["judged"]),
            "suggestions_decided": decided,
            "acceptance_rate": _ratio(accepted, decided),
            "latency_ms": {"p50": _percentile(v["latencies"], 50), "p95": _percentile(v["latencies"], 95)}}


# ---------------------------------------------------------------- LLM token usage


def token_usage(session: Session, since: datetime | None) -> dict[str, Any]:
    """Hook for LLM token usage: `helpdesk.ai.llm.llm_usage_summary(session, since)` when that feature is
    installed (it is built separately); until then, and when it reports nothing, "LLM provider not configured".
    """
    try:
        from helpdesk.ai.llm import llm_usage_summary  # type: ignore[import-not-found]
    except ImportError:
        return {"configured": False, "message": LLM_NOT_CONFIGURED, "summary": {}}
    summary = llm_usage_summary(session, since)
    if not summary:
        return {"configured": False, "message": LLM_NOT_CONFIGURED, "summary": {}}
    return {"configured": True, "message": "", "summary": dict(summary)}
