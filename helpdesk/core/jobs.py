"""Background jobs through a transactional outbox.

`enqueue()` writes the job in the caller's transaction; `dispatch()` hands committed
jobs to Celery after the commit. A crash between commit and hand-off leaves the row
unsent, and the beat job `maintenance.relay_outbox` sends it later.

A job's Celery task id is `outbox-<id>`. When the task has run to the end the row is
marked finished (by the task itself inside its own transaction where its effect is in
the database, else by the worker's signal). A job sent long ago and never finished was
lost with a killed worker - Celery's Redis transport would only redeliver it after its
one-hour visibility timeout - so the relay sends it again; a redelivered job whose row is
already finished is skipped. Together: no job is lost, and a database effect happens once.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from celery import Celery
from sqlalchemy import Row, update
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
    if collected is not None:
        collected.extend(job_ids)
    elif _background is not None:
        _background.submit(job_ids)
    else:
        dispatch(job_ids)


class _BackgroundDispatcher:
    """Hands committed jobs to Celery from a thread of its own, so the request that committed them does not wait
    for the claim (an UPDATE and its COMMIT) and the broker round trips. Jobs committed close together go in one
    batch. Jobs still waiting here when the process dies are committed and unsent: the outbox relay sends them."""

    def __init__(self) -> None:
        self._waiting: queue.SimpleQueue[list[int]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._lock = threading.Lock()

    def submit(self, job_ids: list[int]) -> None:
        if job_ids:
            self._waiting.put(job_ids)
            self._ensure_running()

    def _ensure_running(self) -> None:
        # Started on first use in each process: a thread started before a web server forks its workers stays behind.
        if self._pid == os.getpid() and self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._pid != os.getpid() or self._thread is None or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(target=self._run, name="outbox-dispatch", daemon=True)
                self._thread.start()

    def drain(self) -> None:
        """At exit: what is still waiting goes now (the thread may be mid-batch; a claim never sends twice)."""
        ids: list[int] = []
        while not self._waiting.empty():
            ids.extend(self._waiting.get_nowait())
        if ids:
            with contextlib.suppress(Exception):
                dispatch(ids)

    def _run(self) -> None:
        while True:
            ids = list(self._waiting.get())
            while not self._waiting.empty() and len(ids) < 500:
                ids.extend(self._waiting.get_nowait())
            try:
                dispatch(ids)
            except Exception:  # the database is away: the rows stay unsent, for the relay
                log.warning("could not dispatch %d outbox jobs; the outbox relay will send them", len(ids),
                            exc_info=True)


_background: _BackgroundDispatcher | None = None


def dispatch_in_background() -> None:
    """Long-running processes that serve people (the web server): jobs go to Celery after the response."""
    global _background
    if _background is None:
        _background = _BackgroundDispatcher()
        atexit.register(_background.drain)


def enqueue(session: Session, task_name: str, queue: str, args: dict[str, Any], priority: int = 5) -> OutboxJob:
    """Adds the job to the caller's transaction; its id is set at the session's next flush."""
    if queue not in QUEUES:
        raise ValueError(f"unknown queue {queue!r}")
    job = OutboxJob(task_name=task_name, queue=queue, args=args, priority=priority)
    # Inserted with the caller's other rows at its next flush (one multi-row INSERT), not flushed here.
    session.add(job)
    pending: list[OutboxJob] = session.info.setdefault("outbox_jobs", [])
    pending.append(job)
    on_commit.after_commit(session,
                           lambda: _dispatch_now_or_later([j.id for j in session.info.pop("outbox_jobs", [])]),
                           key="outbox")
    return job


def _send(job: Row[Any], producer: Any) -> None:  # noqa: ANN401 (a kombu Producer)
    _sender().send_task(
        job.task_name,
        kwargs=job.args or {},
        queue=job.queue,
        priority=job.priority,
        task_id=f"outbox-{job.id}",
        producer=producer,
    )


_OUTBOX = OutboxJob.__table__  # type: ignore[attr-defined]


def dispatch(job_ids: list[int]) -> int:
    """Sends the given committed jobs now; failures stay in the outbox for the relay.

    One statement claims every unsent job of the list (so a job the relay sent meanwhile is not sent twice); a job
    the broker refuses is handed back, unsent, with one more attempt counted. The claim is a Core statement and the
    batch shares one broker producer: the ORM's bookkeeping for the UPDATE and a pooled broker connection taken
    for each message were about a quarter of a web process's CPU while tickets were being filed.
    """
    if not job_ids:
        return 0
    sent = 0
    with session_scope() as session:
        claimed = session.execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.id.in_(job_ids), _OUTBOX.c.sent_at.is_(None))
            .values(sent_at=utcnow())
            .returning(_OUTBOX.c.id, _OUTBOX.c.task_name, _OUTBOX.c.args, _OUTBOX.c.queue, _OUTBOX.c.priority)
        ).all()
        if not claimed:
            return 0
        with _sender().producer_or_acquire() as producer:
            for job in claimed:
                try:
                    _send(job, producer)
                except Exception:  # broker down: the relay retries later
                    log.warning("could not enqueue job %s (%s); the outbox relay will retry", job.id, job.task_name)
                    session.execute(update(_OUTBOX).where(_OUTBOX.c.id == job.id)
                                    .values(sent_at=None, attempts=_OUTBOX.c.attempts + 1))
                    continue
                sent += 1
    return sent


TASK_ID_PREFIX = "outbox-"
# How long a sent job may run before it counts as lost (per task; the rest use the default).
STALLED_AFTER = {"ai.retrain_model": timedelta(hours=2), "reports.export": timedelta(minutes=30)}
DEFAULT_STALLED_AFTER = timedelta(minutes=3)
MAX_ATTEMPTS = 5


def job_id_of(task_id: str | None) -> int | None:
    if task_id and task_id.startswith(TASK_ID_PREFIX) and task_id[len(TASK_ID_PREFIX):].isdigit():
        return int(task_id[len(TASK_ID_PREFIX):])
    return None


def finish(session: Session, task_id: str | None) -> None:
    """Marks the job behind a Celery task finished, in the caller's transaction (so with the job's own effect)."""
    job_id = job_id_of(task_id)
    if job_id is not None:
        session.execute(update(OutboxJob).where(OutboxJob.id == job_id, OutboxJob.finished_at.is_(None))
                        .values(finished_at=utcnow()))


def mark_finished(task_id: str | None) -> None:
    with session_scope() as session:
        finish(session, task_id)


def is_finished(task_id: str | None) -> bool:
    job_id = job_id_of(task_id)
    if job_id is None:
        return False
    with session_scope() as session:
        return session.exec(select(OutboxJob.finished_at).where(OutboxJob.id == job_id)).first() is not None


def resend_stalled(now: datetime | None = None, batch: int = 200) -> int:
    """Sends again the jobs that were sent but never finished within their task's time (their worker died)."""
    now = now or utcnow()
    shortest = min([DEFAULT_STALLED_AFTER, *STALLED_AFTER.values()])
    with session_scope() as session:
        candidates = session.exec(
            select(OutboxJob.id, OutboxJob.task_name, OutboxJob.sent_at)
            .where(OutboxJob.sent_at.is_not(None), OutboxJob.finished_at.is_(None),
                   OutboxJob.sent_at < now - shortest, OutboxJob.attempts < MAX_ATTEMPTS)
            .order_by(OutboxJob.sent_at).limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        stalled = [row.id for row in candidates
                   if row.sent_at < now - STALLED_AFTER.get(row.task_name, DEFAULT_STALLED_AFTER)]
        if stalled:
            # Counted as an attempt and handed back to the dispatcher as unsent.
            session.execute(update(OutboxJob).where(OutboxJob.id.in_(stalled))
                            .values(sent_at=None, attempts=OutboxJob.attempts + 1))
    if stalled:
        log.warning("re-sending %d job(s) that never finished: %s", len(stalled), stalled)
    return dispatch(stalled)


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
