"""E-mail jobs: retried with exponential backoff when the SMTP server is unavailable.

Each job builds its mail from the domain, lets the e-mail channel add threading headers and record it (committed
before the send, so a retry re-sends the same Message-ID), then sends it.
"""

from __future__ import annotations

import base64
import smtplib
from collections.abc import Callable

from celery import Task
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from helpdesk.core import mailer
from helpdesk.core.db import session_scope
from helpdesk.core.mailer import OutgoingMail
from helpdesk.email import agent_notifications, csat_mail, intake, outgoing, preferences
from helpdesk.identity import password_links
from helpdesk.tickets import notifications
from tasks.celery_app import celery_app

RETRYABLE = (smtplib.SMTPException, OSError)
RETRY = {"bind": True, "autoretry_for": RETRYABLE, "retry_backoff": 2, "retry_backoff_max": 600, "max_retries": 8}


def _send(build: Callable[[Session], OutgoingMail | None], seed: str, *, automatic: str | None = "auto-generated",
          reply_address: bool = True) -> bool:
    with session_scope() as session:
        mail = build(session)
        if mail is not None:
            mail = outgoing.prepare(session, mail, seed=seed, automatic=automatic, reply_address=reply_address)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=seed)
    return True


@celery_app.task(name="email.ticket_acknowledgement", **RETRY)
def ticket_acknowledgement(self: Task, ticket_id: int) -> bool:
    # An automatic answer to the requester's message (RFC 3834 "auto-replied").
    return _send(lambda s: preferences.if_wanted(s, "request_received",
                                                 notifications.ticket_acknowledgement(s, ticket_id)),
                 f"ack-{ticket_id}", automatic="auto-replied")


@celery_app.task(name="email.comment_notification", **RETRY)
def comment_notification(self: Task, comment_id: int) -> int:
    """Sends the reply to each recipient; returns how many. A retry re-sends with the same Message-IDs."""
    with session_scope() as session:
        recipients = [recipient_id for recipient_id, _ in agent_notifications.comment_mails(session, comment_id)]
    sent = 0
    for recipient_id in recipients:
        def build(session: Session, recipient_id: int = recipient_id) -> OutgoingMail | None:
            return dict(agent_notifications.comment_mails(session, comment_id)).get(recipient_id)

        # A person wrote this reply: no Auto-Submitted, so the other side's mail client treats it as a message.
        sent += _send(build, f"comment-{comment_id}-{recipient_id}", automatic=None)
    return sent


@celery_app.task(
    name="email.password_link", bind=True, autoretry_for=RETRYABLE, retry_backoff=2, retry_backoff_max=300,
    max_retries=6,
)
def password_link(self: Task, reset_id: int) -> bool:
    """A reset or invitation e-mail; a retry sends the same link (it is derived from the row, never stored)."""
    # Automatic, no reply address: nobody should answer it, and a bounced address is not written to again.
    return _send(lambda s: password_links.link_mail(s, reset_id), f"password-link-{reset_id}", reply_address=False)


@celery_app.task(name="email.ingest", bind=True, autoretry_for=(OperationalError,), retry_backoff=2, max_retries=5)
def ingest(self: Task, raw_message: str = "", raw_base64: str = "",
           mailbox_id: int | None = None) -> dict[str, str | int | None]:
    """One inbound message (from a relay) into a ticket or reply; `raw_base64` keeps 8-bit messages intact."""
    raw: bytes | str = base64.b64decode(raw_base64) if raw_base64 else raw_message
    with session_scope() as session:
        result = intake.ingest(session, raw, mailbox_id=mailbox_id)
    return {"outcome": result.outcome, "ticket_id": result.ticket_id, "reason": result.reason}


@celery_app.task(name="email.sla_escalation", **RETRY)
def sla_escalation(self: Task, ticket_id: int, lead_id: int, clock: str) -> bool:
    return _send(lambda s: notifications.sla_escalation(s, ticket_id, lead_id, clock),
                 f"sla-{ticket_id}-{clock}-{lead_id}")


@celery_app.task(name="email.ticket_merged", **RETRY)
def ticket_merged(self: Task, duplicate_id: int, target_id: int) -> bool:
    return _send(lambda s: preferences.if_wanted(s, "request_merged",
                                                 notifications.ticket_merged(s, duplicate_id, target_id)),
                 f"merged-{duplicate_id}-{target_id}")


@celery_app.task(name="email.agent_notification", **RETRY)
def agent_notification(self: Task, kind: str, ticket_id: int, recipient_id: int, comment_id: int | None = None,
                       ref: str = "") -> bool:
    return _send(lambda s: agent_notifications.agent_mail(s, kind, ticket_id, recipient_id, comment_id),
                 f"agent-{kind}-{ticket_id}-{recipient_id}-{ref}")


@celery_app.task(name="email.csat_request", **RETRY)
def csat_request(self: Task, ticket_id: int, ref: str = "") -> bool:
    return _send(lambda s: csat_mail.csat_request(s, ticket_id), f"csat-{ticket_id}-{ref}")


@celery_app.task(name="email.rejection_notice", **RETRY)
def rejection_notice(self: Task, record_id: int) -> bool:
    # Never a reply address: there is nothing to reply to.
    return _send(lambda s: intake.rejection_notice(s, record_id), f"reject-{record_id}", automatic="auto-replied",
                 reply_address=False)
