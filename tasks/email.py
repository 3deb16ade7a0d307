"""E-mail jobs: retried with exponential backoff when the SMTP server is unavailable."""

from __future__ import annotations

import smtplib

from celery import Task
from sqlalchemy.exc import OperationalError

from helpdesk.core import mailer
from helpdesk.core.db import session_scope
from helpdesk.identity import password_links
from helpdesk.tickets import inbound_email, notifications
from tasks.celery_app import celery_app

RETRYABLE = (smtplib.SMTPException, OSError)


@celery_app.task(
    name="email.ticket_acknowledgement", bind=True, autoretry_for=RETRYABLE, retry_backoff=2,
    retry_backoff_max=600, max_retries=8,
)
def ticket_acknowledgement(self: Task, ticket_id: int) -> bool:
    with session_scope() as session:
        mail = notifications.ticket_acknowledgement(session, ticket_id)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=f"ack-{ticket_id}")
    return True


@celery_app.task(
    name="email.comment_notification", bind=True, autoretry_for=RETRYABLE, retry_backoff=2,
    retry_backoff_max=600, max_retries=8,
)
def comment_notification(self: Task, comment_id: int) -> int:
    """Sends the reply to each recipient; returns how many. A retry re-sends with the same Message-IDs."""
    with session_scope() as session:
        mails = notifications.comment_notifications(session, comment_id)
    for recipient_id, mail in mails:
        mailer.send(mail, message_id_seed=f"comment-{comment_id}-{recipient_id}")
    return len(mails)


@celery_app.task(
    name="email.password_link", bind=True, autoretry_for=RETRYABLE, retry_backoff=2, retry_backoff_max=300,
    max_retries=6,
)
def password_link(self: Task, reset_id: int) -> bool:
    """A reset or invitation e-mail; a retry sends the same link (it is derived from the row, never stored)."""
    with session_scope() as session:
        mail = password_links.link_mail(session, reset_id)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=f"password-link-{reset_id}")
    return True


@celery_app.task(name="email.ingest", bind=True, autoretry_for=(OperationalError,), retry_backoff=2, max_retries=5)
def ingest(self: Task, raw_message: str) -> dict[str, str | int | None]:
    """One inbound message (from the mail poller or an SMTP/webhook relay) into a ticket or reply."""
    with session_scope() as session:
        result = inbound_email.ingest(session, raw_message)
    return {"outcome": result.outcome, "ticket_id": result.ticket_id, "reason": result.reason}


@celery_app.task(
    name="email.sla_escalation", bind=True, autoretry_for=RETRYABLE, retry_backoff=2,
    retry_backoff_max=600, max_retries=8,
)
def sla_escalation(self: Task, ticket_id: int, lead_id: int, clock: str) -> bool:
    with session_scope() as session:
        mail = notifications.sla_escalation(session, ticket_id, lead_id, clock)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=f"sla-{ticket_id}-{clock}-{lead_id}")
    return True


@celery_app.task(
    name="email.ticket_merged", bind=True, autoretry_for=RETRYABLE, retry_backoff=2,
    retry_backoff_max=600, max_retries=8,
)
def ticket_merged(self: Task, duplicate_id: int, target_id: int) -> bool:
    with session_scope() as session:
        mail = notifications.ticket_merged(session, duplicate_id, target_id)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=f"merged-{duplicate_id}-{target_id}")
    return True
