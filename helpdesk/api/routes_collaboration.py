"""Working a ticket together: filing for someone who phoned or walked up, the requester marking it solved, following,
CCs, each person's notification centre and their choice of notification e-mails. Every rule is the domain's; these
routes only translate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import (
    CcOut,
    ErrorOut,
    FollowOut,
    NotificationList,
    NotificationOut,
    PersonOut,
    TicketOut,
    UnreadOut,
)
from helpdesk.core.bounds import MULTI_LINE, SINGLE_LINE, BigId, Id
from helpdesk.email import preferences
from helpdesk.identity import accounts
from helpdesk.notifications import inbox
from helpdesk.tickets import cc, following, on_behalf, solving, tickets
from helpdesk.tickets.validation import TicketDraft

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["collaboration"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class NewRequesterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Annotated[str, SINGLE_LINE, Field(max_length=120)]
    email: Annotated[str, SINGLE_LINE, Field(max_length=254)]


class OnBehalfRequest(TicketDraft):
    """Exactly one of `requester_id` (an existing person) and `new_requester` (creates a requester account)."""

    channel: Annotated[str, SINGLE_LINE, Field(max_length=20)]  # "phone" or "walk_in" (the domain says which)
    requester_id: Id | None = None
    new_requester: NewRequesterIn | None = None


class SolveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, MULTI_LINE, Field(max_length=2000)] = ""


class CcRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Annotated[str, SINGLE_LINE, Field(max_length=254)]


class PreferenceOut(BaseModel):
    kind: str
    label: str
    group: str  # "requests" (about one's own requests) or "work" (IT staff's)
    enabled: bool


class PreferencesOut(BaseModel):
    items: list[PreferenceOut]


class PreferencesIn(BaseModel):
    """The switches to change, by kind (those left out keep their setting)."""

    model_config = ConfigDict(extra="forbid")

    choices: Annotated[dict[Annotated[str, SINGLE_LINE, Field(max_length=32)], bool], Field(max_length=20)]


# ---------------------------------------------------------------- filing for someone else


@router.get("/people", response_model=list[PersonOut], responses=ERRORS, tags=["people"])
def find_people(session: DbSession, actor: CurrentActor,
                q: Annotated[str, SINGLE_LINE, Query(max_length=120)] = "") -> list[PersonOut]:
    """People by name or e-mail (at least 2 characters), for agents filing on someone's behalf."""
    return [PersonOut(**row) for row in accounts.find_people(session, actor, q)]


@router.post("/tickets/on-behalf", status_code=201, response_model=TicketOut, responses=ERRORS)
def file_on_behalf(body: OnBehalfRequest, session: DbSession, actor: CurrentActor) -> TicketOut:
    """An agent files a ticket for someone who phoned or walked up; a new person gets a requester account."""
    draft = TicketDraft(**body.model_dump(include={"title", "description", "priority", "category_id"}))
    new = (on_behalf.NewRequester(full_name=body.new_requester.full_name, email=body.new_requester.email)
           if body.new_requester else None)
    ticket = on_behalf.file_on_behalf(session, actor, draft, channel=body.channel, requester_id=body.requester_id,
                                      new_requester=new)
    session.flush()
    return TicketOut(**tickets.ticket_detail(session, actor, ticket.id))


# ---------------------------------------------------------------- the requester marks it solved


@router.post("/tickets/{ticket_id}/solve", response_model=TicketOut, responses=ERRORS)
def mark_solved(ticket_id: BigId, body: SolveRequest, session: DbSession, actor: CurrentActor) -> TicketOut:
    """The requester marks their ticket solved (the note, if any, is added as their reply). Replying reopens it."""
    solving.mark_solved(session, actor, ticket_id, body.note)
    session.flush()
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


# ---------------------------------------------------------------- following and CCs


@router.put("/tickets/{ticket_id}/follow", response_model=FollowOut, responses=ERRORS)
def follow(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> FollowOut:
    following.follow(session, actor, ticket_id)
    return FollowOut(following=True)


@router.delete("/tickets/{ticket_id}/follow", response_model=FollowOut, responses=ERRORS)
def unfollow(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> FollowOut:
    following.unfollow(session, actor, ticket_id)
    return FollowOut(following=False)


@router.get("/tickets/{ticket_id}/cc", response_model=list[CcOut], responses=ERRORS)
def list_cc(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[CcOut]:
    return [CcOut(**row) for row in cc.list_cc(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/cc", status_code=201, response_model=list[CcOut], responses=ERRORS)
def add_cc(ticket_id: BigId, body: CcRequest, session: DbSession, actor: CurrentActor) -> list[CcOut]:
    """Copies a colleague in by e-mail address; returns the CCs as the caller may see them."""
    cc.add_cc(session, actor, ticket_id, body.email)
    return [CcOut(**row) for row in cc.list_cc(session, actor, ticket_id)]


@router.delete("/tickets/{ticket_id}/cc/{user_id}", status_code=204, responses=ERRORS)
def remove_cc(ticket_id: BigId, user_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    cc.remove_cc(session, actor, ticket_id, user_id)
    return Response(status_code=204)


# ---------------------------------------------------------------- the notification centre


@router.get("/me/notifications", response_model=NotificationList, responses=ERRORS, tags=["me"])
def list_notifications(session: DbSession, actor: CurrentActor, unread_only: bool = False,
                       cursor: str | None = None,
                       limit: Annotated[int, Query(ge=1, le=100)] = 20) -> NotificationList:
    page = inbox.list_notifications(session, actor, unread_only=unread_only, cursor=cursor, limit=limit)
    return NotificationList(items=[NotificationOut(**row) for row in page.rows], unread=page.unread,
                            next_cursor=page.next_cursor)


@router.get("/me/notifications/unread-count", response_model=UnreadOut, responses=ERRORS, tags=["me"])
def unread_count(session: DbSession, actor: CurrentActor) -> UnreadOut:
    return UnreadOut(unread=inbox.unread_count(session, actor))


@router.post("/me/notifications/{notification_id}/read", response_model=UnreadOut, responses=ERRORS, tags=["me"])
def mark_read(notification_id: BigId, session: DbSession, actor: CurrentActor) -> UnreadOut:
    inbox.mark_read(session, actor, notification_id)
    return UnreadOut(unread=inbox.unread_count(session, actor))


@router.post("/me/notifications/read-all", response_model=UnreadOut, responses=ERRORS, tags=["me"])
def mark_all_read(session: DbSession, actor: CurrentActor) -> UnreadOut:
    inbox.mark_all_read(session, actor)
    return UnreadOut(unread=0)


@router.get("/me/notification-preferences", response_model=PreferencesOut, responses=ERRORS, tags=["me"])
def notification_preferences(session: DbSession, actor: CurrentActor) -> PreferencesOut:
    """Which notification e-mails the caller gets (the bell shows everything whatever these say)."""
    return PreferencesOut(items=[PreferenceOut(**row) for row in preferences.preferences(session, actor)])


@router.patch("/me/notification-preferences", response_model=PreferencesOut, responses=ERRORS, tags=["me"])
def change_notification_preferences(body: PreferencesIn, session: DbSession, actor: CurrentActor) -> PreferencesOut:
    rows = preferences.set_preferences(session, actor, body.choices)
    return PreferencesOut(items=[PreferenceOut(**row) for row in rows])
