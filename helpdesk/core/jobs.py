"""Background jobs through a transactional outbox.

`enqueue()` writes the job in the caller's transaction; `dispatch_pending()` hands
committed jobs to Celery. A crash between commit and hand-off leaves the row unsent,
and the beat job `maintenance.relay_outbox` sends it later: no job is lost.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import update
from sqlmodel import Session, select

from helpdesk.core import on_commit
from helpdesk.core.db import session_scope
from helpdesk.core.settings import get_settings
from helpdesk.models import OutboxJob
from helpdesk.models.base import utcnow

log = logging.getLogger(__name__)

# mail_intake: IMAP polls, which hold a connection open (IDLE); a worker of its own keeps them off the others.
QUEUES = ("ai", "email", "reports", "search_sync", "maintenance", "mail_intake")


def broker_config() -> dict[str, Any]:
    """How every process reaches the job queues: the Celery app in `tasks/` and the sender below share it."""
    settings = get_settings()
    return {
        "broker_url": settings.redis_url or "redis://127.0.0.1:6379/0",
        "broker_connection_retry_on_startup": True,
        # Every key under our prefix, so several installs (and test runs) share one Redis safely.
        "broker_transport_options": {
            "global_keyprefix": settings.redis_prefix + "celery:",
            "visibility_timeout": 3600,
            "queue_order_strategy": "priority",
            "sep": ":",
            "priority_steps": list(range(10)),
        },
    }


@lru_cache
def _sender() -> Celery:
    """A Celery client that only sends by task name: the domain never imports the task modules."""
    sender = Celery("helpdesk-sender")
    sender.conf.update(broker_config())
    return sender


def reset_sender() -> None:
    _sender.cache_clear()


_batch = threading.local()


@contextmanager
def dispatch_later() -> Iterator[None]:
    """Inside this block, jobs committed by the many small transactions of one batch (an e-mail poll files each
    message in its own) are collected and handed to Celery together at the end: one look-up and one round of sends
    instead of a session per transaction. A crash before the end leaves them to the outbox relay, as always."""
    outer = getattr(_batch, "ids", None)
    _batch.ids = [] if outer is None else outer
    try:
        yield
    finally:
        if outer is None:
            ids, _batch.ids = _batch.ids, None
            dispatch(ids)


def _dispatch_now_or_later(job_ids: list[int]) -> None:
    collected = getattr(_batch, "ids", None)
    if collected is None:
        dispatch(job_ids)
    else:
        collected.extend(job_ids)


def enqueue(session: Session, task_name: str, queue: str, args: dict[str, Any], priority: int = 5) -> OutboxJob:
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    job = OutboxJob(task_name=task_name, queue=queue, args=args, priority=priority)
    session.add(job)
    session.flush()
    pending: list[int] = session.info.setdefault("outbox_job_ids", [])
    pending.append(job.id)
    on_commit.after_commit(session, lambda: _dispatch_now_or_later(session.info.pop("outbox_job_ids", [])),
                           key="outbox")
    return job


def _send(job: OutboxJob) -> None:
    _sender().send_task(
        job.task_name,
        kwargs=job.args or {},
        queue=job.queue,
        priority=job.priority,
        task_id=f"outbox-{job.id}",
    )


def dispatch(job_ids: list[int]) -> int:
    """Sends the given committed jobs now; failures stay in the outbox for the relay."""
    if not job_ids:
        return 0
    sent = 0
    with session_scope() as session:
        jobs = session.exec(
            select(OutboxJob).where(OutboxJob.id.in_(job_ids), OutboxJob.sent_at.is_(None))
        ).all()
        for job in jobs:
            try:
                _send(job)
            except Exception:  # broker down: the relay retries later
                log.warning("could not enqueue job %s (%s); the outbox relay will retry", job.id, job.task_name)
                session.execute(update(OutboxJob).where(OutboxJob.id == job.id).values(attempts=OutboxJob.attempts + 1))
                continue
            session.execute(update(OutboxJob).where(OutboxJob.id == job.id).values(sent_at=utcnow()))
            sent += 1
    return sent


def relay_unsent(older_than: timedelta = timedelta(seconds=20), batch: int = 500) -> int:
    """Sends jobs that committed but never reached the broker."""
    with session_scope() as session:
        ids = session.exec(
            select(OutboxJob.id)
            .where(OutboxJob.sent_at.is_(None), OutboxJob.created_at < utcnow() - older_than)
            .order_by(OutboxJob.created_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
    return dispatch(list(ids))
