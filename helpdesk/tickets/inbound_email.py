"""Inbound e-mail: a message from a known person becomes a ticket, or a reply when the
subject carries a ticket number ("Re: [#1234] ...")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import func
from sqlmodel import Session, select

from helpdesk.core.errors import DomainError, NotFound
from helpdesk.identity.actor import load_actor
from helpdesk.models import Ticket, User
from helpdesk.tickets import conversation, tickets
from helpdesk.tickets.validation import CommentDraft, TicketDraft

TICKET_REFERENCE = re.compile(r"\[#(\d+)\]")
QUOTED_REPLY = re.compile(r"^(On .+ wrote:|-----Original Message-----|>).*", re.MULTILINE | re.DOTALL)


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # "created", "replied" or "ignored"
    ticket_id: int | None = None
    reason: str = ""


def _plain_body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    text = part.get_content()
    if part.get_content_type() == "text/html":
        text = re.sub(r"<[^>]+>", " ", text)
    return QUOTED_REPLY.sub("", text).strip()


def ingest(session: Session, raw_message: str) -> IngestResult:
    message = message_from_string(raw_message, policy=policy.default)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    subject = str(message.get("Subject", "")).strip() or "(no subject)"
    body = _plain_body(message) or subject
    user = session.exec(select(User).where(func.lower(User.email) == sender)).first() if sender else None
    if user is None or not user.is_active:
        return IngestResult("ignored", reason=f"unknown sender {sender or '(none)'}")
    actor = load_actor(session, user.id)

    reference = TICKET_REFERENCE.search(subject)
    if reference:
        ticket = session.exec(select(Ticket).where(Ticket.number == int(reference.group(1)))).first()
        try:
            if ticket is None:
                raise NotFound()
            conversation.add_comment(session, actor, ticket.id, CommentDraft(body=body[:20000]))
            return IngestResult("replied", ticket.id)
        except DomainError as exc:
            return IngestResult("ignored", reason=exc.message)

    title = TICKET_REFERENCE.sub("", re.sub(r"^(re|fwd?):\s*", "", subject, flags=re.IGNORECASE)).strip()
    title = (title if len(title) >= 5 else f"E-mail: {title}")[:200]
    description = body if len(body) >= 10 else f"{body}\n\n(sent by e-mail)"
    ticket = tickets.create_ticket(session, actor, TicketDraft(title=title, description=description[:20000]),
                                   source="email")
    return IngestResult("created", ticket.id)
