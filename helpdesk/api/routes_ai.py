"""AI triage: a ticket's latest prediction, accepting or rejecting a suggestion, re-running, and the AI's metrics."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from helpdesk.ai import metrics as triage_metrics
from helpdesk.ai import triage
from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut, TicketOut
from helpdesk.core.bounds import BigId, Name
from helpdesk.tickets import tickets

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["ai"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class SuggestionOut(BaseModel):
    field: Name  # "category", "team" or "priority"
    value: int | str  # a category or team id, or a priority
    label: str | None  # the category's or team's name, or the priority
    confidence: float | None
    status: str  # applied, suggested, kept_human_choice, unchanged, accepted, rejected


class PredictionOut(BaseModel):
    id: int
    ticket_id: int
    model_version: str
    predicted_label: str | None
    predicted_category_id: int | None
    category: str | None
    category_confidence: float | None
    predicted_team_id: int | None
    team: str | None
    team_confidence: float | None
    predicted_priority: str | None
    priority_confidence: float | None
    scores: dict[str, float]
    latency_ms: float | None
    applied_fields: list[str]
    threshold: float | None
    suggestions: list[SuggestionOut]
    created_at: datetime


class TicketAiOut(BaseModel):
    ticket_id: int
    prediction: PredictionOut | None  # None until the first triage run has finished


class FieldRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Name  # "category", "team" or "priority"


class RerunOut(BaseModel):
    job_id: int
    queued: bool = True


class CategoryPrecisionOut(BaseModel):
    category: str | None
    auto_applied: int
    overridden: int
    precision: float


class CategoryAtThresholdOut(BaseModel):
    category: str | None  # the model's label
    predictions: int
    above_threshold: int
    coverage: float | None  # share of this label's predictions above the threshold
    judged: int  # of those, on tickets whose category a person set or confirmed
    correct: int
    precision: float | None  # correct / judged


class ModelVersionMetricsOut(BaseModel):
    model_version: str
    predictions: int
    errors: int
    coverage: float | None
    judged: int
    precision: float | None
    suggestions_decided: int
    acceptance_rate: float | None
    latency_ms: dict[str, float | None]


class TokenUsageOut(BaseModel):
    configured: bool
    message: str  # "LLM provider not configured" until an LLM feature reports usage
    summary: dict[str, Any]


class AiMetricsOut(BaseModel):
    threshold: float
    since: datetime | None
    predictions: int
    errors: int
    auto_applied: dict[str, int]
    coverage: float | None
    precision: float | None
    per_category: list[CategoryPrecisionOut]
    suggestions_decided: int
    suggestions_accepted: int
    acceptance_rate: float | None
    latency_ms: dict[str, float | None]
    per_category_at_threshold: list[CategoryAtThresholdOut]
    by_model_version: list[ModelVersionMetricsOut]
    token_usage: TokenUsageOut


def _ticket_ai(session: DbSession, actor: CurrentActor, ticket_id: int) -> TicketAiOut:
    prediction: dict[str, Any] | None = triage.prediction_for(session, actor, ticket_id)
    return TicketAiOut(ticket_id=ticket_id, prediction=PredictionOut(**prediction) if prediction else None)


@router.get("/tickets/{ticket_id}/ai", response_model=TicketAiOut, responses=ERRORS)
def get_ticket_ai(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> TicketAiOut:
    """The latest AI prediction for the ticket (IT staff and managers)."""
    return _ticket_ai(session, actor, ticket_id)


@router.post("/tickets/{ticket_id}/ai/accept", response_model=TicketOut, responses=ERRORS)
def accept_suggestion(ticket_id: BigId, body: FieldRequest, session: DbSession, actor: CurrentActor) -> TicketOut:
    """Applies the AI's suggested value for one field (agents working the ticket, admins); returns the ticket."""
    triage.accept_suggestion(session, actor, ticket_id, body.field)
    session.flush()
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


@router.post("/tickets/{ticket_id}/ai/reject", response_model=TicketAiOut, responses=ERRORS)
def reject_suggestion(ticket_id: BigId, body: FieldRequest, session: DbSession, actor: CurrentActor) -> TicketAiOut:
    """Turns down the AI's suggestion for one field; the ticket keeps its value."""
    triage.reject_suggestion(session, actor, ticket_id, body.field)
    session.flush()
    return _ticket_ai(session, actor, ticket_id)


@router.post("/tickets/{ticket_id}/ai/rerun", status_code=202, response_model=RerunOut, responses=ERRORS)
def rerun_triage(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> RerunOut:
    """Queues a fresh triage run; poll GET /tickets/{id}/ai for the result."""
    return RerunOut(job_id=triage.rerun_triage(session, actor, ticket_id).id)


@router.get("/ai/metrics", response_model=AiMetricsOut, responses=ERRORS)
def ai_metrics(session: DbSession, actor: CurrentActor, since: datetime | None = None) -> AiMetricsOut:
    """Precision per category of automatic changes, coverage, acceptance of suggestions, latency, failures."""
    return AiMetricsOut(**triage_metrics.ai_metrics(session, actor, since=since))
