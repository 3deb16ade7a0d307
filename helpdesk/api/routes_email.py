"""Inbound e-mail from an MTA that pipes raw messages (e.g. Postfix `pipe` + curl), instead of IMAP polling.

`POST /api/v1/email/inbound` with `Authorization: Bearer $EMAIL_INGEST_TOKEN` and the RFC 822 message as the body.
Filed synchronously, so the MTA's delivery status means what it says: 2xx filed (or deliberately dropped), 503 try
again later.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Request

from helpdesk.api.deps import DbSession
from helpdesk.api.one_hop import OneHopRoute
from helpdesk.api.schemas import ErrorOut
from helpdesk.core.bounds import Id
from helpdesk.core.settings import get_settings
from helpdesk.email import intake, mailboxes

router = APIRouter(route_class=OneHopRoute, prefix="/api/v1/email", tags=["e-mail"])
MAX_MESSAGE_BYTES = 40 * 1024 * 1024


@router.post("/inbound", responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 413: {"model": ErrorOut}})
async def inbound(request: Request, session: DbSession, authorization: Annotated[str, Header()] = "",
                  mailbox_id: Id | None = None) -> dict[str, str | int | None]:
    expected = get_settings().email_ingest_token.get_secret_value()
    if not expected:
        raise HTTPException(404, "Inbound e-mail by HTTP is not enabled (set EMAIL_INGEST_TOKEN).")
    given = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(401, "Wrong or missing token.")
    raw = await request.body()
    if not raw.strip():
        raise HTTPException(422, "Send the raw message (message/rfc822) as the request body.")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise HTTPException(413, "The message is larger than 40 MB.")
    if mailbox_id is not None:
        mailboxes.get_mailbox(session, mailbox_id)  # NotFound: 404
    result = intake.ingest(session, raw, mailbox_id=mailbox_id)
    return {"outcome": result.outcome, "ticket_id": result.ticket_id, "reason": result.reason}
