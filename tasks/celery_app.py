"""The Celery app: Redis broker, the spec's queues, retries and the beat schedule."""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, Task
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
    app = Celery("helpdesk", task_cls=OutboxTask,
                 include=["tasks.ai", "tasks.email", "tasks.maintenance", "tasks.reports", "tasks.sla"])
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
            "purge-idempotency-keys": {
                "task": "maintenance.purge_idempotency_keys",
                "schedule": crontab(hour=3, minute=15),
            },
        },
    )
    return app


celery_app = make_celery()
