"""E-mail jobs: retried with exponential backoff when the SMTP server is unavailable."""

from __future__ import annotations

import smtplib

from celery import Task

from helpdesk import mailer
from helpdesk.db import session_scope
from helpdesk.services import notifications
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
def comment_notification(self: Task, comment_id: int) -> bool:
    with session_scope() as session:
        mail = notifications.comment_notification(session, comment_id)
    if mail is None:
        return False
    mailer.send(mail, message_id_seed=f"comment-{comment_id}")
    return True
