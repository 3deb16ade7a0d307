"""Tickets, comments and attachments: the same rules as the portal, through services."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, UploadFile
from fastapi.responses import JSONResponse, Response

from helpdesk.api.deps import CurrentActor, DbSession, ReadSession
from helpdesk.api.schemas import AttachmentOut, CommentOut, ErrorOut, TicketList, TicketOut, TicketSummary
from helpdesk.core import idempotency
from helpdesk.core.validation import parse
from helpdesk.tickets import attachments, conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges, TicketDraft

router = APIRouter(prefix="/api/v1", tags=["tickets"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class TicketCreate(TicketDraft):
    requester_id: int | None = None


@router.get("/tickets", response_model=TicketList, responses=ERRORS)
def list_tickets(
    session: ReadSession,
    actor: CurrentActor,
    status: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI reads the default, never mutates it)
    priority: Annotated[list[str], Query()] = [],  # noqa: B006
    team_id: int | None = None,
    assignee_id: int | None = None,
    unassigned: bool = False,
    category_id: int | None = None,
    q: str = "",
    sort: str = "newest",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    with_counts: bool = False,
) -> TicketList:
    filters = tickets.TicketFilters(
        statuses=status, priorities=priority, team_id=team_id, assignee_id=assignee_id, unassigned=unassigned,
        category_id=category_id, text=q[:200],
    )
    page = tickets.list_tickets(session, actor, filters, sort=sort, cursor=cursor, limit=limit)
    counts = tickets.status_counts(session, actor, filters) if with_counts else None
    return TicketList(items=[TicketSummary(**row) for row in page.rows], next_cursor=page.next_cursor,
                      counts=counts)


@router.post("/tickets", status_code=201, response_model=TicketOut, responses=ERRORS | {409: {"model": ErrorOut}})
def create_ticket(
    body: TicketCreate,
    session: DbSession,
    actor: CurrentActor,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    def create() -> tuple[int, dict]:
        draft = TicketDraft(**body.model_dump(exclude={"requester_id"}))
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
def get_ticket(ticket_id: int, session: DbSession, actor: CurrentActor) -> TicketOut:
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


@router.patch("/tickets/{ticket_id}", response_model=TicketOut, responses=ERRORS)
def update_ticket(ticket_id: int, body: TicketChanges, session: DbSession, actor: CurrentActor) -> TicketOut:
    tickets.update_ticket(session, actor, ticket_id, body)
    session.flush()
    return TicketOut(**tickets.ticket_detail(session, actor, ticket_id))


@router.get("/tickets/{ticket_id}/comments", response_model=list[CommentOut], responses=ERRORS)
def list_comments(ticket_id: int, session: DbSession, actor: CurrentActor) -> list[CommentOut]:
    return [CommentOut(**row) for row in conversation.list_comments(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/comments", status_code=201, response_model=CommentOut, responses=ERRORS)
def add_comment(ticket_id: int, body: CommentDraft, session: DbSession, actor: CurrentActor) -> CommentOut:
    comment = conversation.add_comment(session, actor, ticket_id, body)
    row = next(r for r in conversation.list_comments(session, actor, ticket_id) if r["id"] == comment.id)
    return CommentOut(**row)


@router.post("/tickets/{ticket_id}/comments/with-files", status_code=201, response_model=CommentOut,
             responses=ERRORS)
async def add_comment_with_files(
    ticket_id: int,
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
    uploads = [(f.filename or "attachment", f.content_type or "", await f.read()) for f in files]
    comment = conversation.add_comment(session, actor, ticket_id, draft, files=uploads)
    row = next(r for r in conversation.list_comments(session, actor, ticket_id) if r["id"] == comment.id)
    return CommentOut(**row)


@router.get("/tickets/{ticket_id}/attachments", response_model=list[AttachmentOut], responses=ERRORS)
def list_attachments(ticket_id: int, session: DbSession, actor: CurrentActor) -> list[AttachmentOut]:
    return [AttachmentOut(**row) for row in attachments.list_attachments(session, actor, ticket_id)]


@router.post("/tickets/{ticket_id}/attachments", status_code=201, response_model=AttachmentOut, responses=ERRORS)
async def upload_attachment(ticket_id: int, file: UploadFile, session: DbSession, actor: CurrentActor) -> AttachmentOut:
    data = await file.read()
    attachment = attachments.add_attachment(
        session, actor, ticket_id, file.filename or "attachment", file.content_type or "", data
    )
    return AttachmentOut(**attachment.model_dump())


@router.get("/attachments/{attachment_id}", responses=ERRORS)
def download_attachment(attachment_id: int, session: DbSession, actor: CurrentActor) -> Response:
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
