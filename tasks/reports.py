"""Report jobs: keep the rollups and the monthly view current, make exports, send scheduled reports."""

from __future__ import annotations

import smtplib
from datetime import datetime

from celery import Task

from helpdesk.core import mailer
from helpdesk.core.db import session_scope
from helpdesk.reports import exports, rollups, schedules
from tasks.celery_app import celery_app


@celery_app.task(name="reports.refresh_rollups")
def refresh_rollups() -> int:
    return rollups.refresh_changed()


@celery_app.task(name="reports.refresh_monthly_view")
def refresh_monthly_view() -> None:
    rollups.refresh_monthly_view()


@celery_app.task(name="reports.export", bind=True, max_retries=2, default_retry_delay=30)
def export(self: Task, export_id: int) -> None:
    exports.run_export(export_id)


@celery_app.task(name="reports.dispatch_schedules")
def dispatch_schedules() -> int:
    with session_scope() as session:
        return len(schedules.claim_due(session))


@celery_app.task(
    name="reports.send_scheduled", bind=True, autoretry_for=(smtplib.SMTPException, OSError), retry_backoff=2,
    retry_backoff_max=600, max_retries=8,
)
def send_scheduled(self: Task, schedule_id: int, due: str) -> int:
    with session_scope() as session:
        scheduled = schedules.build_mail(session, schedule_id, datetime.fromisoformat(due))
    if scheduled.mail is None:
        return 0
    mailer.send(scheduled.mail, message_id_seed=f"report-{schedule_id}-{due}")
    return scheduled.recipients
