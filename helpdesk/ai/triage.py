"""AI triage: the classifier suggests a ticket's category, team and priority, and sets them only when it has earned it.

Rules that make the suggestions trustworthy:

* a field is set automatically only when its confidence is above the threshold (setting AI_AUTO_APPLY_THRESHOLD)
  **and** no person has set that field; otherwise the value is only suggested to agents;
* a person "has set" a field when the ticket's events show a change of it by someone (actor not null), an agent
  accepted or rejected a suggestion for it, or it already held a value the AI did not put there (the requester
  chose a category, or a priority other than the form's default, when filing);
* the team follows the category: it is set only together with a category the AI sets, routing the ticket the way
  the category's default team would (and a team that assigns automatically then assigns it);
* every run is stored in `ai_predictions`; every decision of a person on a suggestion in `ai_feedback`, which is
  what `helpdesk.ai.metrics.ai_metrics` measures precision, coverage and acceptance on.

Since issue #16 (AI that earns trust in each organisation):

* the category comes from the organisation's own model (`org_model`, setting AI_CATEGORY_MODEL=organisation): its
  own categories, learned from what people set or confirm, with the shipped classifier's label probabilities as
  features; AI_CATEGORY_MODEL=shipped keeps the shipped labels mapped to categories of the same name;
* a field is applied only where its (predicted category, field) has earned auto-apply on this organisation's
  human-confirmed tickets (`trust`, setting AI_AUTO_APPLY_POLICY=earned); every person's verdict on a predicted field
  is stored as a judgement, the evidence it is earned or lost on;
* the confidence is discounted when the text is unlike anything the models learned from (`familiarity`); an
  unfamiliar ticket is only ever suggested.

The priority comes from `helpdesk.ai.priority`, a documented rule-based estimate with modest confidences.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from prometheus_client import Counter, Histogram
from sqlmodel import Session, select

from helpdesk.ai import PriorityEstimate, estimate_priority, normalize, org_model, trust
from helpdesk.ai import registry as ai_models
from helpdesk.ai.familiarity import Familiarity, familiarity, model_vocabulary
from helpdesk.core import app_settings, audit, jobs
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.core.i18n import NF_
from helpdesk.core.settings import get_settings
from helpdesk.identity.actor import Actor
from helpdesk.models import (
    OPEN_STATUSES,
    AiFeedback,
    AiPrediction,
    AutoApplyMode,
    Category,
    OutboxJob,
    Priority,
    Team,
    Ticket,
    TicketEvent,
)
from helpdesk.models.base import utcnow
from helpdesk.sla import engine as sla
from helpdesk.tickets import assignment, tickets
from helpdesk.tickets.events import TicketCreated, TicketFieldsChanged
from helpdesk.tickets.validation import TicketChanges

if TYPE_CHECKING:
    from helpdesk.ai.classifier import TicketClassifier

TRIAGE_TASK = "ai.triage_ticket"
TRIAGE_QUEUE = "ai"
FIELDS = ("category", "team", "priority")
COLUMN_FOR_FIELD = {"category": "category_id", "team": "team_id", "priority": "priority"}
FIELD_FOR_COLUMN = {column: field for field, column in COLUMN_FOR_FIELD.items()}
# Ticket events by which a person decided a field's value.
HUMAN_DECISION_KINDS = ("changed", "assigned", "ai_accepted", "ai_rejected")
# Celery priority of the triage job per ticket priority: on the Redis transport a LOWER number is served FIRST
# (tasks/celery_app.py sorts queues by priority steps 0-9), so critical tickets are triaged before the rest.
JOB_PRIORITY = {"critical": 0, "high": 2, "medium": 5, "low": 7}
_MAX_ERROR_LENGTH = 500

PREDICTIONS = Counter("helpdesk_ai_predictions_total", "AI triage runs by outcome", ["outcome"])
PREDICTION_SECONDS = Histogram(
    "helpdesk_ai_prediction_seconds", "Time the category model takes to classify one ticket",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)


class SuggestionStatus(StrEnum):
    APPLIED = "applied"  # the AI set the value itself
    SUGGESTED = "suggested"  # below the threshold (or the ticket is finished): shown to agents only
    KEPT_HUMAN_CHOICE = "kept_human_choice"  # confident, but a person set this field
    UNCHANGED = "unchanged"  # the ticket already holds the suggested value
    ACCEPTED = "accepted"  # an agent took the suggestion
    REJECTED = "rejected"  # an agent turned it down or chose another value


@dataclass(frozen=True)
class FieldSuggestion:
    field: str
    value: int | str
    confidence: float
    status: SuggestionStatus

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "confidence": round(self.confidence, 4), "status": self.status.value}


# ---------------------------------------------------------------- enqueueing


def job_priority(ticket: Ticket) -> int:
    """The Celery priority of a ticket's triage job: the more urgent of its own priority and the estimate."""
    estimate = estimate_priority(ticket.title, ticket.description).priority
    return min(JOB_PRIORITY.get(ticket.priority, JOB_PRIORITY["medium"]), JOB_PRIORITY[estimate])


def enqueue_triage(session: Session, ticket: Ticket) -> OutboxJob:
    """Queues a triage run for the ticket in the caller's transaction (sent to the `ai` queue after commit)."""
    return jobs.enqueue(session, TRIAGE_TASK, TRIAGE_QUEUE, {"ticket_id": ticket.id}, priority=job_priority(ticket))


def on_ticket_created(session: Session, event: TicketCreated) -> None:
    enqueue_triage(session, event.ticket)


def on_fields_changed(session: Session, event: TicketFieldsChanged) -> None:
    if set(event.changed) & {"category_id", "team_id", "priority"}:
        record_feedback_for_change(session, event.actor, event.ticket, event.changed, event.now)


def rerun_triage(session: Session, actor: Actor, ticket_id: int) -> OutboxJob:
    """Agents working the ticket, and admins, ask for a fresh prediction (say, after the description changed)."""
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("Only agents working this ticket and administrators can re-run the AI triage.")
    job = enqueue_triage(session, ticket)
    session.flush()  # the job's id, for the audit entry and the caller
    audit.record(session, "ticket.ai_rerun", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"job_id": job.id})
    return job


# ---------------------------------------------------------------- the triage run


def auto_apply_threshold(threshold: float | None = None) -> float:
    """The administrator's threshold (console settings; default AI_AUTO_APPLY_THRESHOLD) unless one is given."""
    return float(app_settings.value(None, "ai_auto_apply_threshold")) if threshold is None else threshold


def auto_apply_fields() -> set[str]:
    """The fields the administrator lets the AI set by itself (the others are only ever suggested)."""
    values = app_settings.current()
    return {f for f in app_settings.AI_FIELDS if values.get(f"ai_auto_apply_{f}", True)}


def category_for_label(session: Session, label: str) -> Category | None:
    """The active category named like the model's label, a top-level one first; None when there is none."""
    return session.exec(
        select(Category)
        .where(Category.name == label, Category.is_active)
        .order_by(Category.parent_id.is_not(None), Category.id)
    ).first()


def fields_set_by_people(session: Session, ticket: Ticket) -> set[str]:
    """The fields ("category", "team", "priority") a person decided, which the AI must never change."""
    decided_columns = session.exec(
        select(TicketEvent.field).distinct().where(
            TicketEvent.ticket_id == ticket.id,
            TicketEvent.actor_id.is_not(None),
            TicketEvent.kind.in_(HUMAN_DECISION_KINDS),
            TicketEvent.field.in_(list(FIELD_FOR_COLUMN)),
        )
    ).all()
    decided = {FIELD_FOR_COLUMN[column] for column in decided_columns}
    applied_by_ai = {FIELD_FOR_COLUMN[column] for column in session.exec(
        select(TicketEvent.field).distinct().where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "ai_applied",
            TicketEvent.field.in_(list(FIELD_FOR_COLUMN)),
        )
    ).all()}
    # A value present without the AI having put it there came from the person who filed the ticket (the category,
    # and the team it routes to). Priority always has a value: only one other than the form's default is a choice.
    if ticket.category_id is not None and "category" not in applied_by_ai:
        decided.add("category")
    if ticket.team_id is not None and "team" not in applied_by_ai:
        decided.add("team")
    if ticket.priority != Priority.MEDIUM.value and "priority" not in applied_by_ai:
        decided.add("priority")
    return decided


def _decide_field(value: int | str, confidence: float, current: Any, *, human_set: bool, may_change: bool,
                  threshold: float, earned: bool = True) -> SuggestionStatus:
    if current == value:
        return SuggestionStatus.UNCHANGED
    if human_set:
        return SuggestionStatus.KEPT_HUMAN_CHOICE
    if may_change and earned and confidence > threshold:
        return SuggestionStatus.APPLIED
    return SuggestionStatus.SUGGESTED


@dataclass(frozen=True)
class _Label:
    """The category model's answer: `confidence` is after the unfamiliarity discount, `raw_confidence` before."""

    label: str
    confidence: float
    raw_confidence: float
    scores: dict[str, float]


@dataclass(frozen=True)
class _TicketPrediction:
    """What the models say about one ticket, before anything is decided."""

    prediction: _Label  # the category model's label, confidence (discounted) and scores
    latency_seconds: float  # the category models' time
    priority: PriorityEstimate
    category: Category | None  # the predicted category (organisation model) or the one named like the label
    team_id: int | None  # that category's default team
    familiarity: Familiarity
    source: str  # "organisation" or "shipped"

    @property
    def category_id(self) -> int | None:
        return self.category.id if self.category is not None else None

    def confidence(self, field: str) -> float:
        # The priority is a rule-based estimate (keywords such as "whole office"), not learned from the training
        # vocabulary: unfamiliar wording says nothing about it, so only the learned fields are discounted.
        if field == "priority":
            return self.priority.confidence
        return self.familiarity.discount(self.prediction.raw_confidence)

    def familiar_enough(self, field: str) -> bool:
        return field == "priority" or self.familiarity.familiar


def triage_ticket(
    session: Session,
    ticket_id: int,
    *,
    threshold: float | None = None,
    classifier: TicketClassifier | None = None,
    now: datetime | None = None,
) -> AiPrediction | None:
    """Predicts the ticket's category, team and priority, stores the prediction and applies what it may.

    `threshold` defaults to the setting AI_AUTO_APPLY_THRESHOLD; `classifier` to the active model version (loaded
    once per process, reloaded when an administrator or the retraining job activates another). Returns None when
    the ticket no longer exists (a job can outlive its ticket).
    """
    threshold = auto_apply_threshold(threshold)
    ticket = _lock_ticket(session, ticket_id)
    if ticket is None:
        PREDICTIONS.labels("skipped").inc()
        return None
    classifier = classifier or ai_models.active_classifier()
    now = now or utcnow()

    predicted = _predict(session, ticket, classifier, now)
    modes = _modes(session, predicted, threshold)
    human_set = fields_set_by_people(session, ticket)  # the ticket is locked: the same for deciding and judging
    suggestions = _decide(session, ticket, predicted, threshold, modes, human_set)
    record = _persist_prediction(session, ticket, _model_version(classifier, predicted), predicted, suggestions,
                                 now, _gate(predicted, modes, threshold))
    _judge_people_choices(session, ticket, record, suggestions, now, human_set)
    changed = _apply_decisions(session, ticket, suggestions, now)
    _note_prediction_on_ticket(ticket, predicted, record, suggestions, threshold, now)
    _follow_up_changes(session, ticket, changed, now)
    _audit_triage(session, ticket, record, changed, threshold)
    tickets.mark_changed(session, ticket, "ai")
    PREDICTIONS.labels("applied" if _applied(suggestions) else "suggested").inc()
    return record


def _lock_ticket(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, locked, so an agent's change cannot slip in between "nobody set this field" and the AI setting
    it; None when it is gone."""
    ticket = session.exec(select(Ticket).where(Ticket.id == ticket_id).with_for_update()).first()
    if ticket is None or ticket.deleted_at is not None:
        return None
    return ticket


def _model_version(classifier: TicketClassifier, predicted: _TicketPrediction) -> str:
    version = ai_models.model_version_name(classifier)
    # The organisation's model is refitted as people teach it; the shipped/retrained version underneath is named.
    return f"org+{version}"[:64] if predicted.source == "organisation" else version


def _predict(session: Session, ticket: Ticket, classifier: TicketClassifier, now: datetime) -> _TicketPrediction:
    """Runs the category model(s) (timed) and the priority estimate; finds the category, its team and how familiar
    the text is."""
    started = time.perf_counter()
    # The same normalisation as the training data: title first, then the description.
    text = normalize(ticket.title, ticket.description)
    base = classifier.predict(text)
    vocabularies: list[Any] = [model_vocabulary(classifier)]
    if get_settings().ai_category_model == "organisation":
        from helpdesk.core import embeddings

        embedded = embeddings.embed([text])[0]
        model = org_model.current_model(session, classifier)
        category_id, confidence, by_id = model.predict(
            text, embedded, np_scores(base.scores, model.base_labels))
        org_model.record_example(session, ticket.id, text, embedded, base.scores, now)
        vocabularies.append(model.vocabulary)
        category = session.get(Category, category_id) if category_id is not None else None
        paths = {info.id: info.path for info in model.categories}
        top = sorted(by_id.items(), key=lambda kv: -kv[1])[:8]
        scores = {paths.get(cid, str(cid))[:80]: p for cid, p in top}
        label, source = (category.name if category is not None else ""), "organisation"
    else:
        category, confidence, scores = category_for_label(session, base.label), base.confidence, base.scores
        label, source = base.label, "shipped"
    latency_seconds = time.perf_counter() - started
    PREDICTION_SECONDS.observe(latency_seconds)
    known = familiarity(text, *vocabularies)
    prediction = _Label(label, known.discount(confidence), confidence, scores)
    priority_estimate = estimate_priority(ticket.title, ticket.description)
    team_id = category.default_team_id if category is not None else None
    return _TicketPrediction(prediction, latency_seconds, priority_estimate, category, team_id, known, source)


def np_scores(scores: Mapping[str, float], labels: list[str]) -> Any:  # noqa: ANN401 (a numpy array)
    import numpy as np

    return np.array([float(scores.get(label, 0.0)) for label in labels])


def _modes(session: Session, predicted: _TicketPrediction, threshold: float) -> dict[str, str]:
    """Per field, whether the predicted category has earned auto-apply in the confidence band of this prediction;
    with the threshold policy, every field may."""
    if get_settings().ai_auto_apply_policy == "threshold":
        return dict.fromkeys(FIELDS, AutoApplyMode.AUTO.value)
    return trust.modes_for(session, predicted.category_id, {f: predicted.confidence(f) for f in FIELDS}, threshold)


def _gate(predicted: _TicketPrediction, modes: Mapping[str, str], threshold: float) -> dict[str, Any]:
    return {"familiarity": round(predicted.familiarity.coverage, 4), "familiar": predicted.familiarity.familiar,
            "unknown_words": list(predicted.familiarity.unknown[:10]), "threshold": threshold,
            "policy": get_settings().ai_auto_apply_policy, "source": predicted.source,
            "raw_confidence": {f: round(predicted.prediction.raw_confidence if f != "priority"
                                        else predicted.priority.confidence, 6) for f in FIELDS},
            "confidence": {f: round(predicted.confidence(f), 6) for f in FIELDS}, "modes": dict(modes)}


def _decide(session: Session, ticket: Ticket, predicted: _TicketPrediction, threshold: float,
            modes: Mapping[str, str] | None = None, human_set: set[str] | None = None) -> dict[str, FieldSuggestion]:
    """Per field with a predicted value: apply it, only suggest it, keep a person's choice, or nothing to change.

    Applied only when the (category, field) has earned auto-apply (or the policy is the plain threshold), the text
    is familiar, and the discounted confidence is above the threshold."""
    human_set = fields_set_by_people(session, ticket) if human_set is None else human_set
    may_change = ticket.status in OPEN_STATUSES and ticket.merged_into_id is None
    allowed = auto_apply_fields()  # the fields an admin lets the AI set at all (Admin -> AI settings)
    modes = modes or dict.fromkeys(FIELDS, AutoApplyMode.AUTO.value)
    proposals: list[tuple[str, int | str | None, float]] = [
        ("category", predicted.category_id, predicted.confidence("category")),
        ("team", predicted.team_id, predicted.confidence("team")),
        ("priority", predicted.priority.priority, predicted.confidence("priority")),
    ]
    suggestions: dict[str, FieldSuggestion] = {}
    for field, value, confidence in proposals:
        if value is None:
            continue
        earned = modes.get(field) == AutoApplyMode.AUTO.value and predicted.familiar_enough(field)
        status = _decide_field(value, confidence, getattr(ticket, COLUMN_FOR_FIELD[field]),
                               human_set=field in human_set, may_change=may_change and field in allowed,
                               threshold=threshold, earned=earned)
        # The team is routing for the category: never set it from a category the AI did not set in this run.
        if field == "team" and status == SuggestionStatus.APPLIED and (
            suggestions.get("category") is None or suggestions["category"].status != SuggestionStatus.APPLIED
        ):
            status = SuggestionStatus.SUGGESTED
        suggestions[field] = FieldSuggestion(field, value, confidence, status)
    return suggestions


def _applied(suggestions: Mapping[str, FieldSuggestion]) -> list[FieldSuggestion]:
    return [s for s in suggestions.values() if s.status == SuggestionStatus.APPLIED]


def _persist_prediction(session: Session, ticket: Ticket, model_version: str, predicted: _TicketPrediction,
                        suggestions: Mapping[str, FieldSuggestion], now: datetime,
                        gate: dict[str, Any] | None = None) -> AiPrediction:
    """Stores the run in `ai_predictions` (flushed, so it has its id)."""
    prediction = predicted.prediction
    record = AiPrediction(
        ticket_id=ticket.id,
        model_version=model_version,
        predicted_label=prediction.label,
        predicted_category_id=predicted.category_id,
        category_confidence=prediction.confidence,
        predicted_team_id=predicted.team_id,
        team_confidence=prediction.confidence if predicted.team_id is not None else None,
        predicted_priority=predicted.priority.priority,
        priority_confidence=predicted.confidence("priority"),
        scores={label: round(score, 6) for label, score in prediction.scores.items()},
        latency_ms=round(predicted.latency_seconds * 1000, 3),
        applied_fields=[s.field for s in _applied(suggestions)],
        gate=gate,
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def _judge_people_choices(session: Session, ticket: Ticket, record: AiPrediction,
                          suggestions: Mapping[str, FieldSuggestion], now: datetime,
                          human_set: set[str] | None = None) -> None:
    """A field a person already decided (the requester chose the category when filing, an agent set it) is a verdict
    on this prediction straight away: evidence for earning auto-apply, and a labelled example to learn from."""
    human_set = fields_set_by_people(session, ticket) if human_set is None else human_set
    for field, suggestion in suggestions.items():
        if field in human_set and suggestion.status in (SuggestionStatus.KEPT_HUMAN_CHOICE,
                                                        SuggestionStatus.UNCHANGED):
            trust.record_judgement(session, record, field, suggestion.value, getattr(ticket, COLUMN_FOR_FIELD[field]),
                                   actor_id=None, now=now)
    if "category" in human_set and ticket.category_id is not None:
        org_model.label_example(session, ticket.id, category_id=ticket.category_id, now=now)
    if "priority" in human_set:
        org_model.label_example(session, ticket.id, priority=ticket.priority, now=now)


def _apply_decisions(session: Session, ticket: Ticket, suggestions: Mapping[str, FieldSuggestion],
                     now: datetime) -> dict[str, tuple[Any, Any]]:
    """Sets the applied values on the ticket and records a ticket event per applied or suggested value; returns
    the changed columns as (old, new)."""
    changed: dict[str, tuple[Any, Any]] = {}
    for suggestion in suggestions.values():
        column = COLUMN_FOR_FIELD[suggestion.field]
        old = getattr(ticket, column)
        if suggestion.status == SuggestionStatus.APPLIED:
            setattr(ticket, column, suggestion.value)
            changed[column] = (old, suggestion.value)
            kind = "ai_applied"
        elif suggestion.status == SuggestionStatus.UNCHANGED:
            continue  # nothing to tell anyone
        else:
            kind = "ai_suggested"
        session.add(TicketEvent(
            ticket_id=ticket.id, actor_id=None, kind=kind, field=column,
            old_value=None if old is None else str(old), new_value=str(suggestion.value), created_at=now,
        ))
    return changed


def _note_prediction_on_ticket(ticket: Ticket, predicted: _TicketPrediction, record: AiPrediction,
                               suggestions: Mapping[str, FieldSuggestion], threshold: float, now: datetime) -> None:
    """The ticket's AI columns: the suggested category, the confidence, and the run's metadata for agents."""
    ticket.ai_suggested_category_id = predicted.category_id
    ticket.ai_confidence = predicted.prediction.confidence
    ticket.ai_metadata = {
        "prediction_id": record.id,
        "model_version": record.model_version,
        "label": predicted.prediction.label,
        "threshold": threshold,
        "familiarity": round(predicted.familiarity.coverage, 4),
        "familiar": predicted.familiarity.familiar,
        "modes": (record.gate or {}).get("modes", {}),
        "latency_ms": record.latency_ms,
        "predicted_at": now.isoformat(),
        "priority_signals": list(predicted.priority.signals),
        "suggestions": {field: s.as_dict() for field, s in suggestions.items()},
    }


def _follow_up_changes(session: Session, ticket: Ticket, changed: Mapping[str, tuple[Any, Any]],
                       now: datetime) -> None:
    """Saves the ticket; when the AI changed it, its team's automatic assignment and the SLA clocks follow."""
    if changed:
        ticket.updated_at = now
    session.add(ticket)
    if "team_id" in changed:
        # Routed to another queue without an assignee: that team's assignment mode may give it one.
        assignment.auto_assign(session, ticket, now)
    if changed:
        sla.recompute(session, ticket, now)


def _audit_triage(session: Session, ticket: Ticket, record: AiPrediction, changed: Mapping[str, tuple[Any, Any]],
                  threshold: float) -> None:
    audit.record(
        session, "ticket.ai_triage", actor_id=None, entity_type="ticket", entity_id=str(ticket.id),
        details={"prediction_id": record.id, "model_version": record.model_version, "threshold": threshold,
                 "applied": {c: [None if o is None else str(o), str(n)] for c, (o, n) in changed.items()},
                 "suggestions": ticket.ai_metadata["suggestions"]},
    )


def record_failure(session: Session, ticket_id: int, error: str, *, model_version: str = "unknown") -> None:
    """Stores a failed run (counted by `metrics.ai_metrics`); nothing about the ticket changes."""
    PREDICTIONS.labels("error").inc()
    if session.get(Ticket, ticket_id) is None:
        return
    session.add(AiPrediction(ticket_id=ticket_id, model_version=model_version, error=error[:_MAX_ERROR_LENGTH]))


# ---------------------------------------------------------------- reading


def latest_prediction(session: Session, ticket_id: int) -> AiPrediction | None:
    """The ticket's newest successful prediction."""
    return session.exec(
        select(AiPrediction)
        .where(AiPrediction.ticket_id == ticket_id, AiPrediction.error.is_(None))
        .order_by(AiPrediction.created_at.desc(), AiPrediction.id.desc())
    ).first()


def _may_see_ai(actor: Actor, ticket: Ticket) -> bool:
    # The same rule as ticket_detail's ai_metadata: IT staff and managers, never the requester of the ticket.
    return tickets.sees_internal_notes(actor, ticket) and (ticket.requester_id != actor.user_id or actor.is_staff)


def _suggested_value(prediction: AiPrediction, field: str) -> int | str | None:
    return {"category": prediction.predicted_category_id, "team": prediction.predicted_team_id,
            "priority": prediction.predicted_priority}[field]


def _confidence(prediction: AiPrediction, field: str) -> float | None:
    return {"category": prediction.category_confidence, "team": prediction.team_confidence,
            "priority": prediction.priority_confidence}[field]


def _statuses(ticket: Ticket, prediction: AiPrediction) -> dict[str, str]:
    metadata = ticket.ai_metadata or {}
    if metadata.get("prediction_id") != prediction.id:
        return {}
    return {field: data.get("status", "") for field, data in (metadata.get("suggestions") or {}).items()}


def prediction_for(session: Session, actor: Actor, ticket_id: int) -> dict[str, Any] | None:
    """The ticket's latest prediction as agents see it (None before the first run); IT staff and managers only."""
    ticket = tickets.get_for(session, actor, ticket_id)
    if not _may_see_ai(actor, ticket):
        raise PermissionDenied("Only the IT team can see the AI's suggestions.")
    prediction = latest_prediction(session, ticket.id)
    if prediction is None:
        return None
    category = session.get(Category, prediction.predicted_category_id) if prediction.predicted_category_id else None
    team = session.get(Team, prediction.predicted_team_id) if prediction.predicted_team_id else None
    statuses = _statuses(ticket, prediction)
    labels = {"category": category.name if category else None, "team": team.name if team else None,
              "priority": prediction.predicted_priority}
    suggestions = [
        {"field": field, "value": _suggested_value(prediction, field), "label": labels[field],
         "confidence": _confidence(prediction, field),
         "status": statuses.get(field) or ("applied" if field in prediction.applied_fields else "suggested")}
        for field in FIELDS if _suggested_value(prediction, field) is not None
    ]
    return {
        "id": prediction.id, "ticket_id": ticket.id, "model_version": prediction.model_version,
        "predicted_label": prediction.predicted_label,
        "predicted_category_id": prediction.predicted_category_id, "category": labels["category"],
        "category_confidence": prediction.category_confidence,
        "predicted_team_id": prediction.predicted_team_id, "team": labels["team"],
        "team_confidence": prediction.team_confidence,
        "predicted_priority": prediction.predicted_priority, "priority_confidence": prediction.priority_confidence,
        "scores": prediction.scores or {}, "latency_ms": prediction.latency_ms,
        "applied_fields": list(prediction.applied_fields), "threshold": (ticket.ai_metadata or {}).get("threshold"),
        "suggestions": suggestions, "created_at": prediction.created_at,
    }


# ---------------------------------------------------------------- people's decisions


def _check_field(field: str) -> str:
    if field not in FIELDS:
        raise ValidationFailed({"field": f"Choose one of: {', '.join(FIELDS)}."})
    return field


def _suggestion_to_decide(session: Session, ticket: Ticket, field: str) -> tuple[AiPrediction, int | str]:
    prediction = latest_prediction(session, ticket.id)
    value = _suggested_value(prediction, field) if prediction is not None else None
    if prediction is None or value is None:
        raise ValidationFailed({"field": NF_("The AI has no {field} suggestion for this ticket.", field=NF_(field))})
    return prediction, value


def _note_decision(ticket: Ticket, prediction: AiPrediction, field: str, status: SuggestionStatus) -> None:
    metadata = dict(ticket.ai_metadata or {})
    if metadata.get("prediction_id") != prediction.id or field not in (metadata.get("suggestions") or {}):
        return
    # A new dict, so SQLAlchemy sees the JSONB column change.
    suggestions = {name: dict(data) for name, data in metadata["suggestions"].items()}
    suggestions[field]["status"] = status.value
    metadata["suggestions"] = suggestions
    ticket.ai_metadata = metadata


def _add_feedback(session: Session, actor: Actor, ticket: Ticket, prediction: AiPrediction, field: str,
                  suggested: int | str, final: Any, now: datetime, *, accepted: bool | None = None) -> AiFeedback:
    """One decision; unless told otherwise, accepted means the field ended up with the suggested value."""
    if accepted is None:
        accepted = final is not None and str(final) == str(suggested)
    feedback = AiFeedback(prediction_id=prediction.id, ticket_id=ticket.id, field=field,
                          suggested_value=str(suggested), final_value=None if final is None else str(final),
                          accepted=accepted, actor_id=actor.user_id, created_at=now)
    session.add(feedback)
    # The verdict is evidence for (or against) auto-applying this category's field, and what the model learns from.
    trust.record_judgement(session, prediction, field, suggested, final, actor_id=actor.user_id, now=now,
                           correct=accepted)
    if field == "category":
        label = int(final) if accepted and final is not None else _category_label(final, suggested)
        org_model.label_example(session, ticket.id, category_id=label, now=now)
    elif field == "priority" and final is not None:
        org_model.label_example(session, ticket.id, priority=str(final), now=now)
    _note_decision(ticket, prediction, field, SuggestionStatus.ACCEPTED if accepted else SuggestionStatus.REJECTED)
    session.add(ticket)
    return feedback


def _category_label(final: Any, suggested: int | str) -> int | None:
    """The category a person's decision teaches: the final one, unless it is the AI's value they rejected."""
    if final is None or (str(final) == str(suggested) and not isinstance(final, bool)):
        return None
    return int(final)


def record_feedback_for_change(
    session: Session, actor: Actor, ticket: Ticket, changed: Mapping[str, tuple[Any, Any]], now: datetime
) -> list[AiFeedback]:
    """A person changed fields the AI had a suggestion for (through `on_fields_changed`).

    `changed` maps ticket columns to (old, new). The feedback is accepted when the new value is the suggested one.
    """
    fields = [FIELD_FOR_COLUMN[column] for column in changed if column in FIELD_FOR_COLUMN]
    if not fields:
        return []
    prediction = latest_prediction(session, ticket.id)
    if prediction is None:
        return []
    recorded = []
    for field in fields:
        suggested = _suggested_value(prediction, field)
        if suggested is not None:
            final = changed[COLUMN_FOR_FIELD[field]][1]
            recorded.append(_add_feedback(session, actor, ticket, prediction, field, suggested, final, now))
    return recorded


def accept_suggestion(session: Session, actor: Actor, ticket_id: int, field: str) -> Ticket:
    """An agent takes the AI's value for one field; it is applied through tickets.update_ticket (same rules)."""
    _check_field(field)
    ticket = tickets.get_for(session, actor, ticket_id)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("You can't change this ticket.")
    prediction, suggested = _suggestion_to_decide(session, ticket, field)
    column = COLUMN_FOR_FIELD[field]
    now = utcnow()
    if getattr(ticket, column) != suggested:
        # update_ticket validates the value (the category may have been retired since), writes the change event,
        # audit row and live notice, and records the accepted feedback through record_feedback_for_change.
        ticket = tickets.update_ticket(session, actor, ticket_id, TicketChanges(**{column: suggested}), now=now)
    else:
        _add_feedback(session, actor, ticket, prediction, field, suggested, suggested, now)
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="ai_accepted", field=column,
                            new_value=str(suggested), created_at=now))
    audit.record(session, "ticket.ai_accept", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"prediction_id": prediction.id, "field": field, "value": str(suggested)})
    tickets.mark_changed(session, ticket, "ai")
    return ticket


def reject_suggestion(session: Session, actor: Actor, ticket_id: int, field: str) -> AiFeedback:
    """An agent turns a suggestion down: the ticket keeps its value, and the AI will not set this field later."""
    _check_field(field)
    ticket = tickets.get_for(session, actor, ticket_id, lock=True)
    if not tickets.can_work(actor, ticket):
        raise PermissionDenied("You can't change this ticket.")
    prediction, suggested = _suggestion_to_decide(session, ticket, field)
    column = COLUMN_FOR_FIELD[field]
    now = utcnow()
    current = getattr(ticket, column)
    # Rejected even when the AI had already set the value: the agent says it is wrong.
    feedback = _add_feedback(session, actor, ticket, prediction, field, suggested, current, now, accepted=False)
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=actor.user_id, kind="ai_rejected", field=column,
                            old_value=None if current is None else str(current), new_value=str(suggested),
                            created_at=now))
    audit.record(session, "ticket.ai_reject", actor_id=actor.user_id, entity_type="ticket", entity_id=str(ticket.id),
                 details={"prediction_id": prediction.id, "field": field, "value": str(suggested)})
    tickets.mark_changed(session, ticket, "ai")
    return feedback
