"""The e-mail channel's administration over REST: mailboxes (never their passwords) and held mail.

Administrators' sign-in sessions only (the domain refuses everyone else, API tokens included, with 403)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from helpdesk.api.deps import CurrentActor, DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut
from helpdesk.core.bounds import Id, Name
from helpdesk.email import intake, mailboxes

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/admin", tags=["administration"])
ERRORS = {401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}}


class MailboxOut(BaseModel):
    id: int
    name: Name
    address: Name
    imap_host: Name
    imap_port: int
    imap_tls: bool
    username: Name
    has_secret: bool = Field(description="Whether a password is stored (the password itself is never returned).")
    folder: Name
    processed_folder: Name
    team_id: int | None
    category_id: int | None
    is_active: bool
    last_polled_at: datetime | None
    last_error: str
    held: int


Port = Annotated[int, Field(ge=1, le=65535)]


class MailboxIn(BaseModel):
    name: Name
    address: Name
    imap_host: Name
    imap_port: Port = 993
    imap_tls: bool = True
    username: Name
    secret: Name = Field(description="The IMAP password (write-only).")
    folder: Name = "INBOX"
    processed_folder: Name = ""
    team_id: Id | None = None
    category_id: Id | None = None


class MailboxChanges(BaseModel):
    """Only the fields sent change; an empty or missing `secret` keeps the stored password."""

    name: Name | None = None
    address: Name | None = None
    imap_host: Name | None = None
    imap_port: Port | None = None
    imap_tls: bool | None = None
    username: Name | None = None
    secret: Name | None = None
    folder: Name | None = None
    processed_folder: Name | None = None
    team_id: Id | None = None
    category_id: Id | None = None
    is_active: bool | None = None


class ConnectionReportOut(BaseModel):
    ok: bool
    imap_ok: bool
    imap: str
    smtp_ok: bool | None = Field(description="None: no SMTP server is configured (mail is only logged).")
    smtp: str


class HeldOut(BaseModel):
    id: int
    sender: str
    subject: str
    reason: str
    received: datetime
    mailbox: str
    mailbox_id: Id | None


class HeldPageOut(BaseModel):
    items: list[HeldOut]
    total: int
    next_cursor: str | None


class HeldMessageOut(HeldOut):
    from_name: str
    to: str
    text: str
    attachments: list[str]


class AcceptedOut(BaseModel):
    outcome: str = Field(description="created (a new ticket) or replied (a comment on the ticket it answers)")
    ticket_id: int | None
    note: str


def _mailbox_out(row: dict) -> MailboxOut:
    return MailboxOut(**{k: row[k] for k in MailboxOut.model_fields})


def _held_out(row: dict, model: type[HeldOut] = HeldOut) -> HeldOut:
    return model(**{"sender": row["from"], **{k: v for k, v in row.items() if k != "from"}})


@router.get("/mailboxes", response_model=list[MailboxOut], responses=ERRORS)
def list_mailboxes(session: DbSession, actor: CurrentActor) -> list[MailboxOut]:
    return [_mailbox_out(row) for row in mailboxes.list_mailboxes(session, actor)]


@router.post("/mailboxes", status_code=201, response_model=MailboxOut, responses=ERRORS)
def add_mailbox(body: MailboxIn, session: DbSession, actor: CurrentActor) -> MailboxOut:
    mailbox = mailboxes.create_mailbox(session, actor, body.model_dump())
    return _mailbox_out(mailboxes.mailbox_details(session, actor, mailbox.id))


@router.get("/mailboxes/{mailbox_id}", response_model=MailboxOut, responses=ERRORS)
def read_mailbox(mailbox_id: Id, session: DbSession, actor: CurrentActor) -> MailboxOut:
    return _mailbox_out(mailboxes.mailbox_details(session, actor, mailbox_id))


@router.patch("/mailboxes/{mailbox_id}", response_model=MailboxOut, responses=ERRORS)
def change_mailbox(mailbox_id: Id, body: MailboxChanges, session: DbSession, actor: CurrentActor) -> MailboxOut:
    current = mailboxes.mailbox_details(session, actor, mailbox_id)
    sent = body.model_dump(exclude_unset=True)
    active = sent.pop("is_active", None)
    if sent:
        values = {k: current[k] for k in mailboxes.SETTINGS_FIELDS} | {"secret": ""} | sent
        mailboxes.update_mailbox(session, actor, mailbox_id, values)
    if active is not None:
        mailboxes.set_mailbox_active(session, actor, mailbox_id, active)
    session.flush()
    return _mailbox_out(mailboxes.mailbox_details(session, actor, mailbox_id))


@router.post("/mailboxes/{mailbox_id}/test", response_model=ConnectionReportOut, responses=ERRORS)
def test_mailbox(mailbox_id: Id, actor: CurrentActor) -> ConnectionReportOut:
    """Signs in to the mailbox's IMAP server with its stored settings and greets the SMTP server; changes no mail.
    200 either way: `ok` and the two messages (with the servers' own reasons) say how it went."""
    report = mailboxes.try_connection(actor, mailbox_id)
    return ConnectionReportOut(ok=report.ok, imap_ok=report.imap_ok, imap=report.imap, smtp_ok=report.smtp_ok,
                               smtp=report.smtp)


@router.get("/held-mail", response_model=HeldPageOut, responses=ERRORS)
def list_held_mail(session: DbSession, actor: CurrentActor, cursor: Name | None = None,
                   limit: Annotated[int, Query(ge=1, le=100)] = intake.HELD_PAGE_SIZE) -> HeldPageOut:
    page = intake.held_page(session, actor, cursor, limit)
    return HeldPageOut(items=[_held_out(row) for row in page.rows], total=page.total, next_cursor=page.next_cursor)


@router.get("/held-mail/{record_id}", response_model=HeldMessageOut, responses=ERRORS)
def read_held_mail(record_id: Id, session: DbSession, actor: CurrentActor) -> HeldOut:
    return _held_out(intake.held_message(session, actor, record_id), HeldMessageOut)


@router.post("/held-mail/{record_id}/accept", response_model=AcceptedOut, responses=ERRORS)
def accept_held_mail(record_id: Id, session: DbSession, actor: CurrentActor) -> AcceptedOut:
    result = intake.accept_held(session, actor, record_id)
    return AcceptedOut(outcome=result.outcome, ticket_id=result.ticket_id, note=result.reason)


@router.post("/held-mail/{record_id}/discard", status_code=204, responses=ERRORS)
def discard_held_mail(record_id: Id, session: DbSession, actor: CurrentActor) -> Response:
    intake.discard_held(session, actor, record_id)
    return Response(status_code=204)
