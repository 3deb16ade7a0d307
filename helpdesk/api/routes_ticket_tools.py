"""Agent tools on tickets: canned responses, merging duplicates, related tickets, bulk changes, availability."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import (
    AvailabilityOut,
    BulkFailureOut,
    BulkUpdateOut,
    CannedResponseOut,
    ErrorOut,
    MergeOut,
    RelatedTicketOut,
    RenderedResponseOut,
    TicketOut,
)
from helpdesk.core.bounds import BigId, Id
from helpdesk.tickets import assignment, canned_responses, links, merging, tickets
from helpdesk.tickets.validation import TicketChanges

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["tickets"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: BigId  # the ticket the duplicate's conversation moves to


class LinkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    related_ticket_id: BigId


class BulkRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[BigId] = Field(max_length=1000)
    changes: TicketChanges


class AvailabilityRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    available: bool


# ---------------------------------------------------------------- canned responses


@router.get("/tickets/{ticket_id}/canned-responses", response_model=list[CannedResponseOut], responses=ERRORS)
def list_canned_responses(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[CannedResponseOut]:
    return [CannedResponseOut(**row) for row in canned_responses.list_for_ticket(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/canned-responses/{response_id}/render", response_model=RenderedResponseOut,
             responses=ERRORS)
def render_canned_response(
    ticket_id: BigId, response_id: Id, session: DbSession, actor: CurrentActor
) -> RenderedResponseOut:
    """The response filled in for this ticket; nothing is posted (send it as a comment when ready)."""
    return RenderedResponseOut(body=canned_responses.render(session, actor, response_id, ticket_id))


# ---------------------------------------------------------------- merging and related tickets


@router.post("/tickets/{ticket_id}/merge", response_model=MergeOut, responses=ERRORS)
def merge_ticket(ticket_id: BigId, body: MergeRequest, session: DbSession, actor: CurrentActor) -> MergeOut:
    """Merges this ticket (the duplicate) into `into`, which keeps the conversation; this one is closed."""
    result = merging.merge(session, actor, ticket_id, body.into)
    session.flush()
    return MergeOut(
        duplicate=TicketOut(**tickets.ticket_detail(session, actor, result.duplicate.id)),
        target=TicketOut(**tickets.ticket_detail(session, actor, result.target.id)),
        moved_comments=len(result.moved_comment_ids),
        moved_attachments=len(result.moved_attachment_ids),
    )


@router.get("/tickets/{ticket_id}/links", response_model=list[RelatedTicketOut], responses=ERRORS)
def list_related(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[RelatedTicketOut]:
    return [RelatedTicketOut(**row) for row in links.related(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/links", status_code=201, response_model=list[RelatedTicketOut], responses=ERRORS)
def add_link(
    ticket_id: BigId, body: LinkRequest, response: Response, session: DbSession, actor: CurrentActor
) -> list[RelatedTicketOut]:
    """Relates the two tickets (201; 200 when they already were) and returns this ticket's related tickets."""
    if not links.link(session, actor, ticket_id, body.related_ticket_id):
        response.status_code = 200
    session.flush()
    return [RelatedTicketOut(**row) for row in links.related(session, actor, ticket_id)]


@router.delete("/tickets/{ticket_id}/links/{related_ticket_id}", status_code=204, responses=ERRORS)
def remove_link(ticket_id: BigId, related_ticket_id: BigId, session: DbSession, actor: CurrentActor) -> None:
    links.unlink(session, actor, ticket_id, related_ticket_id)


# ---------------------------------------------------------------- bulk changes and availability


@router.post("/tickets/bulk", response_model=BulkUpdateOut, responses=ERRORS)
def bulk_update(body: BulkRequest, session: DbSession, actor: CurrentActor) -> BulkUpdateOut:
    """The same change on many tickets; each succeeds or fails on its own (failures say why)."""
    result = tickets.bulk_update(session, actor, body.ticket_ids, body.changes)
    return BulkUpdateOut(
        updated=result.updated,
        failed=[BulkFailureOut(ticket_id=ticket_id, reason=reason) for ticket_id, reason in result.failed.items()],
        unchanged=result.unchanged,
    )


@router.put("/me/availability", response_model=AvailabilityOut, responses=ERRORS, tags=["me"])
def set_availability(body: AvailabilityRequest, session: DbSession, actor: CurrentActor) -> AvailabilityOut:
    """Agents mark themselves away (no automatic assignments) or available again."""
    assignment.set_availability(session, actor, body.available)
    return AvailabilityOut(available=body.available)
