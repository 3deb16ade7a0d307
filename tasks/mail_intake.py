"""Reading the IMAP mailboxes: beat fans out one poll per active mailbox; each poll files what waits and then
listens with IDLE until the next tick (helpdesk/email/mailboxes.py)."""

from __future__ import annotations

from celery import Task
from sqlalchemy.exc import OperationalError

from helpdesk.core.db import session_scope
from helpdesk.core.settings import get_settings
from helpdesk.email import mailboxes
from tasks.celery_app import celery_app


@celery_app.task(name="mail_intake.poll_mailboxes")
def poll_mailboxes() -> int:
    settings = get_settings()
    with session_scope() as session:
        ids = mailboxes.active_mailbox_ids(session)
    for mailbox_id in ids:
        # Expires with the tick: a poll that could not start in time is replaced by the next one, not queued up.
        poll_mailbox.apply_async(kwargs={"mailbox_id": mailbox_id}, expires=settings.email_poll_seconds)
    return len(ids)


@celery_app.task(name=mailboxes.POLL_TASK, bind=True, autoretry_for=(OperationalError,), retry_backoff=5,
                 max_retries=3)
def poll_mailbox(self: Task, mailbox_id: int) -> dict[str, object]:
    settings = get_settings()
    # IDLE until just before the next tick, so polls never pile up behind one another.
    idle = max(0.0, min(settings.email_idle_seconds, settings.email_poll_seconds - 5))
    result = mailboxes.poll(mailbox_id, idle_seconds=idle, owner=self.request.id or "")
    return {"fetched": result.fetched, "outcomes": result.outcomes, "failed": result.failed, "error": result.error,
            "skipped": result.skipped}
