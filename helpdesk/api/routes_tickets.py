"""Tickets, comments and attachments: the same rules as the portal, through services."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import JSONResponse, Response

from helpdesk.api import uploads
from helpdesk.api.deps import CurrentActor, DbSession, StatementReadSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import (
    AttachmentOut,
    CommentOut,
    ErrorOut,
    TicketList,
    TicketOut,
    TicketSummary,
    file_response,
)
from helpdesk.core import idempotency
from helpdesk.core.bounds import BigId, Id, Name, QueryText
from helpdesk.core.validation import parse
from helpdesk.tickets import attachments, conversation, limits, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges, TicketDraft

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1", tags=["tickets"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
LIMITED = ERRORS | {429: {"model": ErrorOut, "description": "Too many in an hour; see Retry-After."}}
UPLOAD_ERRORS = LIMITED | {400: {"model": ErrorOut, "description": "Not a well-formed multipart body."},
                           413: {"model": ErrorOut, "description": "Over the size limit or a quota."}}


class TicketCreate(TicketDraft):
    requester_id: Id | None = None


@router.get("/tickets", response_model=TicketList, responses=ERRORS)
def list_tickets(
    session: StatementReadSession,
    actor: CurrentActor,
    status: Annotated[list[Name], Query(max_length=20)] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    priority: Annotated[list[Name], Query(max_length=20)] = [],  # noqa: B006
    team_id: Id | None = None,
    assignee_id: Id | None = None,
    unassigned: bool = False,
    category_id: Id | None = None,
    tag: Name = "",
    q: QueryText = "",
    sort: Name = "newest",
    cursor: Name | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    with_counts: bool = False,
) -> TicketList:
    filters = tickets.TicketFilters(
        statuses=status, priorities=priority, team_id=team_id, assignee_id=assignee_id, unassigned=unassigned,
        category_id=category_id, text=q[:200], tag=tag[:40],
    )
    page = tickets.list_tickets(session, actor, filters, sort=sort, cursor=cursor, limit=limit)
    counts = tickets.status_counts(session, actor, filters) if with_counts else None
    return TicketList(items=[TicketSummary(**row) for row in page.rows], next_cursor=page.next_cursor,
                      counts=counts)


@router.post("/tickets", status_code=201, response_model=TicketOut, responses=LIMITED | {409: {"model": ErrorOut}})
def create_ticket(
    body: TicketCreate,
    session: DbSession,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Files a ticket. Requesters give `impact` and `urgency`; the priority follows from them (see TicketCreate;
    only staff set "critical"). At most RATE_LIMIT_TICKETS_PER_HOUR new tickets per person (429 past it)."""

    def create() -> tuple[int, dict]:
        draft = TicketDraft(**body.model_dump(exclude={"requester_id"}))
        limits.check_rate(session, actor, limits.Action.TICKET)  # a replayed Idempotency-Key is not counted
        ticket = tickets.create_ticket(session, actor, draft, source="api", requester_id=body.requester_id)
        detail = tickets.ticket_detail(session, actor, ticket.id)
        return 201, TicketOut(**detail).model_dump(mode="json")

    if idempotency_key is None:
        status_code, payload = create()
        return JSONResponse(payload, status_code=status_code)
    stored = idempotency.run_once(session, actor.user_id, idempotency_key, body.model_dump(mode="json"), create)
    headers = {"Idempotent-Replayed": "true"} if stored.replayed else {}
    return JSONResponse(stored.body, status_code=stored.status_code, headers=headers)


@router.get("/tickets/{ticket_id}", response_model=TicketOut, responses=ERRORS)
def get_ticket(ticket_id: BigId, session: StatementReadSession, actor: CurrentActor) -> TicketOut:
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


@router.patch("/tickets/{ticket_id}", response_model=TicketOut, responses=ERRORS)
def update_ticket(ticket_id: BigId, body: TicketChanges, session: DbSession, actor: CurrentActor) -> TicketOut:
    tickets.update_ticket(session, actor, ticket_id, body)
    session.flush()
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


@router.get("/tickets/{ticket_id}/comments", response_model=list[CommentOut], responses=ERRORS)
def list_comments(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[CommentOut]:
    return [CommentOut(**row) for row in conversation.list_comments(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/comments", status_code=201, response_model=CommentOut, responses=LIMITED)
def add_comment(ticket_id: BigId, body: CommentDraft, session: DbSession, actor: CurrentActor) -> CommentOut:
    """At most RATE_LIMIT_COMMENTS_PER_HOUR comments per person (429 with Retry-After past it)."""
    tickets.get_for(session, actor, ticket_id)  # a ticket the person cannot see is 404, and costs no quota
    limits.check_rate(session, actor, limits.Action.COMMENT)
    comment = conversation.add_comment(session, actor, ticket_id, body)
    row = next(r for r in conversation.list_comments(session, actor, ticket_id) if r["id"] == comment.id)
    return CommentOut(**row)


@router.post("/tickets/{ticket_id}/comments/with-files", status_code=201, response_model=CommentOut,
             responses=UPLOAD_ERRORS)
async def add_comment_with_files(
    ticket_id: BigId,
    session: DbSession,
    actor: CurrentActor,
    body: Annotated[str, Form()],
    internal: Annotated[bool, Form()] = False,
    files: Annotated[list[UploadFile], File()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
) -> CommentOut:
    """A reply (or, for agents working the ticket, an internal note) with up to 5 files (multipart/form-data).

    The files belong to that message: they show under it, and a note's files only to those who see notes.
    """
    draft = parse(CommentDraft, {"body": body, "internal": internal})
    tickets.get_for(session, actor, ticket_id)  # a ticket the person cannot see is 404, and costs no quota
    limits.check_rate(session, actor, limits.Action.COMMENT)
    if files:
        limits.check_rate(session, actor, limits.Action.UPLOAD)
    # The request body is bounded by BodyLimits (5 files at the attachment limit); each file is stored in chunks.
    uploads = [(f.filename or "attachment", f.content_type or "", f.file) for f in files]
    comment = conversation.add_comment(session, actor, ticket_id, draft, files=uploads)
    row = next(r for r in conversation.list_comments(session, actor, ticket_id) if r["id"] == comment.id)
    return CommentOut(**row)


@router.get("/tickets/{ticket_id}/attachments", response_model=list[AttachmentOut], responses=ERRORS)
def list_attachments(ticket_id: BigId, session: DbSession, actor: CurrentActor) -> list[AttachmentOut]:
    return [AttachmentOut(**row) for row in attachments.list_attachments(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/attachments", status_code=201, response_model=AttachmentOut,
             responses=UPLOAD_ERRORS, openapi_extra=uploads.FILE_BODY)
async def upload_attachment(ticket_id: BigId, request: Request, session: DbSession,
                            actor: CurrentActor) -> AttachmentOut:
    """One file (multipart field `file`), at most MAX_ATTACHMENT_BYTES (10 MB by default). Who may add files, the
    rate limit and the ticket's and the person's quotas are checked before the body is read; a body over the limit
    is refused with 413 as soon as it is (helpdesk/api/body_limits.py)."""
    declared = uploads.declared_bytes(request)

    def check_first() -> None:
        attachments.check_can_attach(session, actor, ticket_id, declared)
        limits.check_rate(session, actor, limits.Action.UPLOAD)

    await anyio.to_thread.run_sync(check_first)
    async with uploads.one_file(request) as file:
        attachment = await anyio.to_thread.run_sync(lambda: attachments.add_attachment(
            session, actor, ticket_id, file.filename or "attachment", file.content_type or "", file.file))
    return AttachmentOut(**attachment.model_dump())


@router.get("/attachments/{attachment_id}", response_class=Response,
            responses=ERRORS | {200: file_response("The file, always as a download.", "application/octet-stream")})
def download_attachment(attachment_id: BigId, session: DbSession, actor: CurrentActor) -> Response:
    attachment, data = attachments.read_attachment(session, actor, attachment_id)
    # Always a download, never rendered inline: an uploaded HTML/SVG file cannot run in our origin.
    return Response(
        data,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{attachment.filename}"',
            "X-Content-Type-Options": "nosniff",
        },
    )
