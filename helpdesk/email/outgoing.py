"""Outgoing mail joins its ticket's conversation: a stable Message-ID, In-Reply-To and References naming the
ticket's earlier messages (so mail clients group them), a signed reply address in Reply-To, Auto-Submitted on
messages no person wrote, and a record of the message so a reply to it finds the ticket by its headers."""

from __future__ import annotations

import dataclasses
from email.utils import parseaddr

from sqlmodel import Session, select

from helpdesk.core import signing
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.email import addresses
from helpdesk.models import EmailRecord, EmailSuppression

MAX_REFERENCES = 10


def _domain() -> str:
    address = parseaddr(get_settings().mail_from)[1]
    return address.rpartition("@")[2] or "helpdesk.local"


def message_id_for(seed: str) -> str:
    """The same for every retry of one job (mail clients drop the duplicate), unguessable from outside."""
    safe = "".join(c if c.isalnum() or c in ".-" else "." for c in seed)[:80]
    return f"<{safe}.{signing.sign('message-id', seed)[:10]}@{_domain()}>"


def thread_headers(session: Session, ticket_id: int, exclude: str = "") -> list[tuple[str, str]]:
    """In-Reply-To the ticket's latest message; References its first and latest few (RFC 5322 3.6.4)."""
    ids = [m for m in session.exec(
        select(EmailRecord.message_id).where(EmailRecord.ticket_id == ticket_id, EmailRecord.message_id != "")
        .order_by(EmailRecord.created_at, EmailRecord.id)
    ).all() if m != exclude]
    if not ids:
        return []
    chain = list(dict.fromkeys([ids[0], *ids[-(MAX_REFERENCES - 1):]]))
    return [("In-Reply-To", ids[-1]), ("References", " ".join(chain))]


def prepare(session: Session, mail: OutgoingMail, *, seed: str, automatic: str | None = "auto-generated",
            reply_address: bool = True) -> OutgoingMail | None:
    """The mail with its threading headers, recorded as sent; None when every recipient bounced before."""
    suppressed = set(session.exec(select(EmailSuppression.address).where(
        EmailSuppression.address.in_([a.lower() for a in mail.to]))).all())
    to = [a for a in mail.to if a.lower() not in suppressed]
    if not to:
        return None
    message_id = message_id_for(seed)
    headers: list[tuple[str, str]] = list(mail.headers)
    if mail.ticket_id is not None:
        headers.extend(thread_headers(session, mail.ticket_id, exclude=message_id))
        if reply_address and mail.recipient_id is not None:
            headers.append(("Reply-To", addresses.reply_address(mail.ticket_id, mail.recipient_id)))
    if automatic:
        # RFC 3834: auto-responders must not answer this (no out-of-office ping-pong with our notifications).
        headers.append(("Auto-Submitted", automatic))
        headers.append(("X-Auto-Response-Suppress", "All"))
    already = session.exec(select(EmailRecord.id).where(EmailRecord.direction == "out",
                                                        EmailRecord.message_id == message_id)).first()
    if already is None:
        references = dict(headers).get("References", "")
        session.add(EmailRecord(
            direction="out", dedupe_key=message_id, message_id=message_id,
            in_reply_to=dict(headers).get("In-Reply-To", "")[:300], references=references,
            ticket_id=mail.ticket_id, user_id=mail.recipient_id, address=", ".join(to)[:254],
            subject=mail.subject[:300], outcome="sent"))
    return dataclasses.replace(mail, to=to, headers=tuple(headers), message_id=message_id)
