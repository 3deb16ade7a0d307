"""The Celery app: Redis broker, the spec's queues, retries and the beat schedule."""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

from helpdesk.core.jobs import QUEUES, broker_config
from helpdesk.core.settings import get_settings


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("helpdesk", include=["tasks.ai", "tasks.email", "tasks.mail_intake", "tasks.maintenance",
                                      "tasks.reports", "tasks.sla"])
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
