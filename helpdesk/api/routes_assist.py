"""Agent assist on a ticket: similar tickets and a likely duplicate; the optional LLM summary and suggested reply."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel

from helpdesk.ai import llm
from helpdesk.ai import similar as similar_tickets
from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut
from helpdesk.core.bounds import BigId
from helpdesk.identity.actor import Actor

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["ai"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class SimilarTicketOut(BaseModel):
    id: int
    number: int
    title: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    score: float  # 0..1: half shared words (weighted title > description), half title similarity
    resolution: str  # resolved tickets: the last public IT reply before resolution, shortened; else ""


class DuplicateOut(BaseModel):
    ticket: SimilarTicketOut
    same_requester: bool
    can_merge: bool  # merge with POST /api/v1/tickets/{id}/merge {"into": ticket.id}


class SimilarOut(BaseModel):
    ticket_id: int
    open: list[SimilarTicketOut]
    resolved: list[SimilarTicketOut]  # resolved or closed in the last 180 days
    duplicate: DuplicateOut | None


class LlmTextOut(BaseModel):
    text: str
    purpose: str  # "summary" or "reply"
    model: str
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    latency_ms: float


def _similar_out(item: similar_tickets.SimilarTicket) -> SimilarTicketOut:
    return SimilarTicketOut(id=item.id, number=item.number, title=item.title, status=item.status,
                            created_at=item.created_at, resolved_at=item.resolved_at, score=item.score,
                            resolution=item.resolution)


@router.get("/tickets/{ticket_id}/similar", response_model=SimilarOut, responses=ERRORS)
def get_similar(ticket_id: BigId, session: DbSession, actor: CurrentActor,
                limit: int = Query(similar_tickets.DEFAULT_LIMIT, ge=1, le=20)) -> SimilarOut:
    """The most similar open and recently resolved tickets the caller may read, and a likely duplicate.

    IT staff and managers; to requesters the ticket is not found (404)."""
    found = similar_tickets.similar_tickets(session, actor, ticket_id, limit=limit)
    duplicate = found.duplicate
    return SimilarOut(
        ticket_id=found.ticket_id,
        open=[_similar_out(s) for s in found.open],
        resolved=[_similar_out(s) for s in found.resolved],
        duplicate=DuplicateOut(ticket=_similar_out(duplicate.ticket), same_requester=duplicate.same_requester,
                               can_merge=duplicate.can_merge) if duplicate else None,
    )


def _text_out(purpose: Callable[[Actor, int], llm.LlmResult], actor: Actor, ticket_id: int) -> LlmTextOut:
    try:
        return LlmTextOut(**purpose(actor, ticket_id).__dict__)
    except llm.LlmUnavailable as exc:  # the provider failed, not the request: a bad gateway, with the reason
        raise HTTPException(status_code=502, detail=exc.message) from exc


LLM_ERRORS = ERRORS | {502: {"model": ErrorOut}}


@router.post("/tickets/{ticket_id}/ai/summary", response_model=LlmTextOut, responses=LLM_ERRORS)
def summarise(ticket_id: BigId, actor: CurrentActor) -> LlmTextOut:
    """A one-paragraph summary of the thread by the configured LLM (agents; 404 when no LLM is configured)."""
    return _text_out(llm.summarise_thread, actor, ticket_id)


@router.post("/tickets/{ticket_id}/ai/suggested-reply", response_model=LlmTextOut, responses=LLM_ERRORS)
def suggested_reply(ticket_id: BigId, actor: CurrentActor) -> LlmTextOut:
    """A draft reply from the public conversation (agents who may reply); it is not sent."""
    return _text_out(llm.suggest_reply, actor, ticket_id)
