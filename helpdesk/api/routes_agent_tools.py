"""The agents' own tools: tags on tickets, saved queue views and macros (same rules as the queue and ticket pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.deps import CurrentActor, DbSession, ReadSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import (
    BulkFailureOut,
    BulkUpdateOut,
    ErrorOut,
    MacroOut,
    MacroOutcomeOut,
    SavedViewOut,
    TagSuggestionOut,
    TicketList,
    TicketOut,
    TicketSummary,
    TicketTagsOut,
)
from helpdesk.core.bounds import BigId, Id, Name, QueryText
from helpdesk.tickets import macros, saved_views, tags, tickets
from helpdesk.tickets.validation import (
    MacroChanges,
    MacroDraft,
    SavedViewChanges,
    SavedViewDraft,
    TagName,
    TagsRequest,
    ViewFilters,
)

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["agent tools"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class BulkTagsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[BigId] = Field(min_length=1, max_length=500)
    names: list[TagName] = Field(min_length=1, max_length=20)


class ApplyMacroRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    macro_id: Id


class BulkMacroRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ticket_ids: list[BigId] = Field(min_length=1, max_length=500)


def _bulk_out(result: tickets.BulkResult) -> BulkUpdateOut:
    return BulkUpdateOut(updated=result.updated, unchanged=result.unchanged,
                         failed=[BulkFailureOut(ticket_id=tid, reason=why) for tid, why in result.failed.items()])


# ---------------------------------------------------------------- tags


@router.get("/tags", response_model=list[TagSuggestionOut], responses=ERRORS)
def suggest_tags(session: ReadSession, actor: CurrentActor, q: QueryText = "",
                 limit: Annotated[int, Query(ge=1, le=50)] = 20) -> list[TagSuggestionOut]:
    """Tags in use, the most used first; with `q`, those starting with it first, then those containing it."""
    return [TagSuggestionOut(**row) for row in tags.suggest(session, actor, q, limit=limit)]


# Before /tickets/{ticket_id}/...: "bulk" would match that pattern first and fail as a ticket id.
@router.post("/tickets/bulk/tags", response_model=BulkUpdateOut, responses=ERRORS)
def bulk_add_tags(body: BulkTagsRequest, session: DbSession, actor: CurrentActor) -> BulkUpdateOut:
    """Adds the tags to each ticket; closed ones and ones you can't change are skipped with the reason."""
    return _bulk_out(tags.bulk_add(session, actor, body.ticket_ids, body.names))


@router.get("/tickets/{ticket_id}/tags", response_model=list[str], responses=ERRORS)
def ticket_tags(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[str]:
    return tags.list_for_ticket(session, actor, ticket_id)


@router.post("/tickets/{ticket_id}/tags", response_model=TicketTagsOut, responses=ERRORS)
def add_ticket_tags(ticket_id: BigId, body: TagsRequest, session: DbSession, actor: CurrentActor) -> TicketTagsOut:
    """Adds the tags (normalised: "Printer Jam" is printer-jam); `changed` lists the ones the ticket lacked."""
    added = tags.add_tags(session, actor, ticket_id, body.names)
    session.flush()
    return TicketTagsOut(tags=tickets.tag_names(session, ticket_id), changed=added)


@router.delete("/tickets/{ticket_id}/tags/{name}", response_model=TicketTagsOut, responses=ERRORS)
def remove_ticket_tag(ticket_id: BigId, name: Name, session: DbSession, actor: CurrentActor) -> TicketTagsOut:
    """Removes the tag; `changed` is empty when the ticket did not have it."""
    removed = tags.remove_tags(session, actor, ticket_id, [name])
    session.flush()
    return TicketTagsOut(tags=tickets.tag_names(session, ticket_id), changed=removed)


# ---------------------------------------------------------------- saved views


@router.get("/views", response_model=list[SavedViewOut], responses=ERRORS)
def list_views(session: DbSession, actor: CurrentActor) -> list[SavedViewOut]:
    """Your personal views, then the ones shared with your teams or all of IT."""
    return [SavedViewOut(**row) for row in saved_views.list_views(session, actor)]


@router.post("/views", status_code=201, response_model=SavedViewOut, responses=ERRORS)
def create_view(body: SavedViewDraft, session: DbSession, actor: CurrentActor) -> SavedViewOut:
    """Saves filters and sort under a name. Sharing with a team: its lead, managers, admins; with all of IT:
    managers and admins."""
    view = saved_views.create_view(session, actor, body)
    session.flush()
    return SavedViewOut(**saved_views.view_row(session, actor, view.id))


@router.get("/views/{view_id}", response_model=SavedViewOut, responses=ERRORS)
def get_view(view_id: Id, session: DbSession, actor: CurrentActor) -> SavedViewOut:
    return SavedViewOut(**saved_views.view_row(session, actor, view_id))


@router.patch("/views/{view_id}", response_model=SavedViewOut, responses=ERRORS)
def update_view(view_id: Id, body: SavedViewChanges, session: DbSession, actor: CurrentActor) -> SavedViewOut:
    saved_views.update_view(session, actor, view_id, body)
    session.flush()
    return SavedViewOut(**saved_views.view_row(session, actor, view_id))


@router.delete("/views/{view_id}", status_code=204, responses=ERRORS)
def delete_view(view_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    saved_views.delete_view(session, actor, view_id)
    return Response(status_code=204)


@router.get("/views/{view_id}/tickets", response_model=TicketList, responses=ERRORS)
def view_tickets(view_id: Id, session: DbSession, actor: CurrentActor, cursor: Name | None = None,
                 limit: Annotated[int, Query(ge=1, le=100)] = 25) -> TicketList:
    """The tickets the view shows you ("me" in it is you), in its sort order."""
    row = saved_views.view_row(session, actor, view_id)
    stored = ViewFilters.model_validate(row["filters"])
    page = tickets.list_tickets(session, actor, saved_views.ticket_filters(stored, actor.user_id), sort=stored.sort,
                                cursor=cursor, limit=limit)
    return TicketList(items=[TicketSummary(**r) for r in page.rows], next_cursor=page.next_cursor)


# ---------------------------------------------------------------- macros


@router.get("/macros", response_model=list[MacroOut], responses=ERRORS)
def list_macros(session: DbSession, actor: CurrentActor, ticket_id: BigId | None = None) -> list[MacroOut]:
    """The macros you may apply (on `ticket_id`, when given): your own, then shared ones."""
    return [MacroOut(**row) for row in macros.list_macros(session, actor, ticket_id=ticket_id)]


@router.post("/macros", status_code=201, response_model=MacroOut, responses=ERRORS)
def create_macro(body: MacroDraft, session: DbSession, actor: CurrentActor) -> MacroOut:
    """A personal macro (`personal`, the default), or a shared one (administrators) for everyone or one team."""
    macro = macros.create_macro(session, actor, body)
    session.flush()
    return MacroOut(**macros.macro_row(session, actor, macro.id))


@router.get("/macros/{macro_id}", response_model=MacroOut, responses=ERRORS)
def get_macro(macro_id: Id, session: DbSession, actor: CurrentActor) -> MacroOut:
    return MacroOut(**macros.macro_row(session, actor, macro_id))


@router.patch("/macros/{macro_id}", response_model=MacroOut, responses=ERRORS)
def update_macro(macro_id: Id, body: MacroChanges, session: DbSession, actor: CurrentActor) -> MacroOut:
    macros.update_macro(session, actor, macro_id, body)
    session.flush()
    return MacroOut(**macros.macro_row(session, actor, macro_id))


@router.delete("/macros/{macro_id}", status_code=204, responses=ERRORS)
def delete_macro(macro_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    macros.delete_macro(session, actor, macro_id)
    return Response(status_code=204)


@router.post("/tickets/{ticket_id}/apply-macro", response_model=MacroOutcomeOut, responses=ERRORS)
def apply_macro(ticket_id: BigId, body: ApplyMacroRequest, session: DbSession, actor: CurrentActor) -> MacroOutcomeOut:
    """Applies the macro to the ticket: all of it, or (with the reason) nothing."""
    outcome = macros.apply_macro(session, actor, body.macro_id, ticket_id)
    session.flush()
    detail = tickets.ticket_detail(session, actor, ticket_id)
    return MacroOutcomeOut(fields=outcome.fields, tags_added=outcome.tags_added, tags_removed=outcome.tags_removed,
                           replied=outcome.replied, ticket=TicketOut(**detail))


@router.post("/macros/{macro_id}/apply", response_model=BulkUpdateOut, responses=ERRORS)
def apply_macro_to_many(macro_id: Id, body: BulkMacroRequest, session: DbSession,
                        actor: CurrentActor) -> BulkUpdateOut:
    """The macro on each ticket; each succeeds or is skipped on its own, with the reason."""
    return _bulk_out(macros.apply_to_many(session, actor, macro_id, body.ticket_ids))
