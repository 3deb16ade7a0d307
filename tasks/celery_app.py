"""The Celery app: Redis broker, the spec's queues, retries and the beat schedule."""

from __future__ import annotations

import contextlib
import faulthandler
import logging
import os
import signal
import sys
import threading
from typing import Any

from celery import Celery, Task, signals
from celery.schedules import crontab
from celery.signals import task_failure, task_success
from kombu import Queue

from helpdesk.core import jobs
from helpdesk.core.jobs import QUEUES, broker_config
from helpdesk.core.settings import get_settings

log = logging.getLogger(__name__)


class OutboxTask(Task):
    """Skips a job the outbox already shows as finished: a redelivery after its worker died at the very end."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 (any task's result)
        if jobs.is_finished(self.request.id):
            log.info("job %s already finished; not running it again", self.request.id)
            return None
        return super().__call__(*args, **kwargs)


@task_success.connect
def _job_succeeded(sender: Task | None = None, **_: Any) -> None:
    if sender is not None:
        jobs.mark_finished(sender.request.id)


@task_failure.connect
def _job_failed_for_good(task_id: str | None = None, **_: Any) -> None:
    # Fired once the task's retries are used up (a retry is not a failure): the job will not be sent again.
    jobs.mark_finished(task_id)


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("helpdesk", task_cls=OutboxTask, include=["tasks.ai", "tasks.email", "tasks.mail_intake",
                                                           "tasks.maintenance", "tasks.reports", "tasks.sla"])
    app.conf.update(broker_config())
    app.conf.update(
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="maintenance",
        task_routes={f"{name}.*": {"queue": name} for name in QUEUES},
        task_ignore_result=True,
        # A job is acknowledged only after it ran, so a killed worker's job runs again elsewhere.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_always_eager=settings.celery_always_eager,
        timezone=settings.timezone,
        enable_utc=True,
        beat_schedule={
            "relay-outbox": {"task": "maintenance.relay_outbox", "schedule": 30.0},
            "sla-scan": {"task": "sla.scan", "schedule": 30.0, "options": {"expires": 25}},
            "close-resolved-tickets": {
                "task": "maintenance.close_resolved",
                "schedule": crontab(hour=1, minute=30),
            },
            "audit-partitions": {"task": "maintenance.ensure_audit_partitions", "schedule": crontab(hour=2, minute=0)},
            # Weekly, at a quiet hour: learn from the week's confirmed tickets (promoted only if better).
            "ai-retrain": {
                "task": "ai.retrain_model",
                "schedule": crontab(day_of_week="sun", hour=3, minute=30),
                "kwargs": {"trigger": "schedule"},
                "options": {"queue": "ai", "expires": 6 * 3600},
            },
            # Reports read rollups: bring them up to date with ticket changes every two minutes.
            "report-rollups": {"task": "reports.refresh_rollups", "schedule": 120.0, "options": {"expires": 110}},
            "report-monthly-view": {"task": "reports.refresh_monthly_view", "schedule": crontab(minute=7)},
            # Admin-editable schedules (daily SLA report at 06:00 Asia/Karachi ...) are checked every minute.
            "report-schedules": {"task": "reports.dispatch_schedules", "schedule": 60.0, "options": {"expires": 55}},
            # Each active IMAP mailbox: file what waits, then IDLE until the next tick.
            "poll-mailboxes": {"task": "mail_intake.poll_mailboxes", "schedule": settings.email_poll_seconds,
                               "options": {"expires": settings.email_poll_seconds}},
            "purge-idempotency-keys": {
                "task": "maintenance.purge_idempotency_keys",
                "schedule": crontab(hour=3, minute=15),
            },
        },
    )
    return app


celery_app = make_celery()


@signals.worker_shutting_down.connect
def _bound_the_warm_shutdown(sig: str, how: str, exitcode: int, **_: object) -> None:
    """SIGTERM lets running jobs finish, but only for WORKER_SHUTDOWN_GRACE_SECONDS.

    Celery's warm shutdown waits for running jobs however long they take, and an orchestrator then kills the worker,
    whose job (acknowledged late) would come back only after the broker's visibility timeout (an hour). Past the
    grace, the pool processes still running a job are killed: with `task_reject_on_worker_lost` each such message is
    rejected back to the queue at once, another worker runs it, and this one's warm shutdown completes.
    """
    grace = get_settings().worker_shutdown_grace_seconds
    if how != "Warm" or not grace:
        return
    timer = threading.Timer(grace, _hand_back_running_jobs)
    timer.daemon = True  # a worker that finished its jobs in time exits without waiting for the timer
    timer.start()


@signals.worker_process_init.connect
def _give_way_to_requests(**_: object) -> None:
    """Lowers the CPU priority of the pool processes, which run the jobs: on a machine the worker shares with the web
    server, a burst of triage then waits for idle CPU instead of taking it from people's requests. The jobs stay in
    the queue meanwhile and nothing is lost; they only finish later under a sustained overload.

    Not the main process: it only receives, acknowledges and hands out jobs. Niced with its pool on a busy machine,
    it once did not finish its warm shutdown within 30 s of its last job ending (CPU starvation is the likeliest
    reason; SIGUSR2 below shows where a worker waits if it happens again)."""
    niceness = get_settings().worker_nice
    if niceness:
        with contextlib.suppress(OSError):  # a sandbox may forbid it; the worker then runs as before
            os.nice(niceness)


@signals.worker_init.connect
def _stacks_on_request(**_: object) -> None:
    """`kill -USR2 <worker pid>` writes every thread's stack to the worker's log: how to see where a worker that
    does not stop is waiting, without stopping it."""
    faulthandler.register(signal.SIGUSR2, file=sys.__stderr__, all_threads=True)


@signals.worker_process_init.connect
def _trace_jobs(**_: object) -> None:
    """Each pool process traces its jobs (when OTEL_SDK_DISABLED=false); set up after the fork, so the exporter's
    thread lives in the process that records the spans."""
    from helpdesk.core import tracing

    tracing.configure("worker")


@signals.worker_process_shutdown.connect
def _flush_traces(**_: object) -> None:
    from helpdesk.core import tracing

    tracing.flush()


@signals.worker_ready.connect
def _serve_metrics(**_: object) -> None:
    """A worker in its own container or pod serves its Prometheus figures (all its pool processes) on a port.

    On one machine the web's /metrics already shows them (shared folder, helpdesk/core/observability.py).
    """
    port = get_settings().worker_metrics_port
    if not port:
        return
    from prometheus_client import CollectorRegistry, multiprocess, start_http_server

    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    start_http_server(port, registry=registry)


def _hand_back_running_jobs() -> None:
    from celery.worker.state import active_requests

    for request in list(active_requests):
        if request.worker_pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(request.worker_pid, signal.SIGKILL)
