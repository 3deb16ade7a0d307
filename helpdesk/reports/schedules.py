"""Scheduled report e-mails: the daily SLA compliance report (06:00 Asia/Karachi, spec 4.5.3) and a weekly summary.

Schedules live in the database so admins can change them without a deploy. A beat job runs every minute and
claims each schedule whose time has come (row lock, skip locked: exactly one worker sends it); if the helpdesk
was down at that moment, the report goes out once when it is back, not once per missed day.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, available_timezones

from sqlmodel import Session, select

from helpdesk.core import audit, jobs
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.core.i18n import N_
from helpdesk.core.mailer import OutgoingMail
from helpdesk.core.settings import get_settings
from helpdesk.identity import policy
from helpdesk.identity.actor import Actor
from helpdesk.models import ReportSchedule, ReportSubscription, Role, ScheduleKind, User
from helpdesk.models.base import utcnow
from helpdesk.reports import data
from helpdesk.reports.filters import ReportFilters
from helpdesk.reports.pdf import write_pdf
from helpdesk.tickets.notifications import template_env

SEND_TASK = "reports.send_scheduled"
# English msgids (the schedules page shows them in the reader's language).
WEEKDAYS = (N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"), N_("Saturday"),
            N_("Sunday"))
# Which reports each schedule sends, and the period it covers (ending the day before it runs).
CONTENTS = {ScheduleKind.SLA_DAILY: (("sla",), 1), ScheduleKind.WEEKLY_SUMMARY: (("volume", "sla", "times"), 7)}


DEFAULT_SCHEDULES = (
    # The spec (4.5.3): the daily SLA compliance report at 06:00 Asia/Karachi.
    {"kind": ScheduleKind.SLA_DAILY.value, "title": N_("Daily SLA compliance"), "hour": 6, "minute": 0,
     "weekday": None},
    {"kind": ScheduleKind.WEEKLY_SUMMARY.value, "title": N_("Weekly summary"), "hour": 8, "minute": 0, "weekday": 0},
)


def ensure_defaults(session: Session) -> None:
    """Both schedules always exist (the migration adds them; this puts back any that were removed)."""
    existing = set(session.exec(select(ReportSchedule.kind)).all())
    for default in DEFAULT_SCHEDULES:
        if default["kind"] not in existing:
            session.add(ReportSchedule(**default, timezone="Asia/Karachi"))
    session.flush()


def last_due(schedule: ReportSchedule, now: datetime) -> datetime:
    """The most recent moment (at or before now) this schedule was due, in UTC."""
    zone = ZoneInfo(schedule.timezone)
    local_now = now.astimezone(zone)
    candidate = datetime.combine(local_now.date(), time(schedule.hour, schedule.minute), zone)
    while candidate > local_now or (schedule.weekday is not None and candidate.weekday() != schedule.weekday):
        candidate = datetime.combine(candidate.date() - timedelta(days=1), time(schedule.hour, schedule.minute), zone)
    return candidate.astimezone(ZoneInfo("UTC"))


def next_due(schedule: ReportSchedule, now: datetime) -> datetime:
    step = timedelta(days=7 if schedule.weekday is not None else 1)
    return last_due(schedule, now + step)


def claim_due(session: Session, now: datetime | None = None) -> list[tuple[int, str]]:
    """Marks each due schedule as run and enqueues its e-mail; returns (schedule id, due moment) pairs."""
    now = now or utcnow()
    ensure_defaults(session)
    claimed = []
    rows = session.exec(select(ReportSchedule).where(ReportSchedule.enabled)
                        .with_for_update(skip_locked=True)).all()
    for schedule in rows:
        due = last_due(schedule, now)
        if schedule.last_run_at is None:
            # A new install does not mail about the days before it existed: start from the last due moment.
            schedule.last_run_at = due
        elif schedule.last_run_at < due:
            schedule.last_run_at = due
            jobs.enqueue(session, SEND_TASK, "reports", {"schedule_id": schedule.id, "due": due.isoformat()})
            claimed.append((schedule.id, due.isoformat()))
        session.add(schedule)
    return claimed


@dataclass(frozen=True)
class ScheduledMail:
    mail: OutgoingMail | None
    recipients: int


def period_for(kind: str, due: datetime, zone: ZoneInfo) -> tuple[date, date]:
    days = CONTENTS[ScheduleKind(kind)][1]
    last = due.astimezone(zone).date() - timedelta(days=1)
    return last - timedelta(days=days - 1), last


def build_mail(session: Session, schedule_id: int, due: datetime) -> ScheduledMail:
    schedule = session.get(ReportSchedule, schedule_id)
    if schedule is None:
        return ScheduledMail(None, 0)
    recipients = session.exec(
        select(User.email).join(ReportSubscription, ReportSubscription.user_id == User.id)
        .where(ReportSubscription.schedule_id == schedule_id, User.is_active,
               User.role.in_([Role.MANAGER.value, Role.ADMIN.value]))
        .order_by(User.email)
    ).all()
    if not recipients:
        return ScheduledMail(None, 0)
    zone = ZoneInfo(schedule.timezone)
    start, end = period_for(schedule.kind, due, zone)
    filters = ReportFilters(start, end)
    names, _days = CONTENTS[ScheduleKind(schedule.kind)]
    reports = [data.REPORTS[name][1](session, filters) for name in names]
    period = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    settings = get_settings()
    body = template_env().get_template("scheduled_report.txt").render(
        title=schedule.title, period=period, sections=reports,
        breach_total=next((r.get("breach_total", 0) for r in reports if r["name"] == "sla"), 0),
        reports_url=f"{settings.public_url.rstrip('/')}/reports/{names[0]}", organisation=settings.organisation_name,
    )
    attachments = []
    for report in reports:
        report["filters"] = filters.to_dict()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.pdf"
            write_pdf(report, path, None)
            attachments.append((f"{report['name']}-{end.isoformat()}.pdf", "application/pdf", path.read_bytes()))
    mail = OutgoingMail(list(recipients), f"{schedule.title}: {period}", body, tuple(attachments))
    return ScheduledMail(mail, len(recipients))


# ---------------------------------------------------------------- what managers and admins see and change


def schedule_to_dict(schedule: ReportSchedule, subscribed: bool, subscribers: int, now: datetime) -> dict[str, Any]:
    when = f"{schedule.hour:02d}:{schedule.minute:02d} {schedule.timezone}"
    return {"id": schedule.id, "kind": schedule.kind, "title": schedule.title, "enabled": schedule.enabled,
            "hour": schedule.hour, "minute": schedule.minute, "weekday": schedule.weekday,
            "timezone": schedule.timezone,
            "when": f"Every {WEEKDAYS[schedule.weekday]} at {when}" if schedule.weekday is not None
            else f"Every day at {when}",
            "next_run": next_due(schedule, now).astimezone(ZoneInfo(schedule.timezone)).strftime("%a %d %b %H:%M")
            if schedule.enabled else "paused",
            "subscribed": subscribed, "subscribers": subscribers}


def list_schedules(session: Session, actor: Actor, now: datetime | None = None) -> list[dict[str, Any]]:
    data.ensure_can_view_reports(actor)
    now = now or utcnow()
    ensure_defaults(session)
    subscriptions = session.exec(select(ReportSubscription)).all()
    mine = {s.schedule_id for s in subscriptions if s.user_id == actor.user_id}
    counts: dict[int, int] = {}
    for s in subscriptions:
        counts[s.schedule_id] = counts.get(s.schedule_id, 0) + 1
    schedules = session.exec(select(ReportSchedule).order_by(ReportSchedule.id)).all()
    return [schedule_to_dict(s, s.id in mine, counts.get(s.id, 0), now) for s in schedules]


def set_subscription(session: Session, actor: Actor, schedule_id: int, subscribed: bool) -> None:
    data.ensure_can_view_reports(actor)
    if session.get(ReportSchedule, schedule_id) is None:
        raise NotFound("No such schedule.")
    existing = session.get(ReportSubscription, (schedule_id, actor.user_id))
    if subscribed and existing is None:
        session.add(ReportSubscription(schedule_id=schedule_id, user_id=actor.user_id))
    elif not subscribed and existing is not None:
        session.delete(existing)


def update_schedule(session: Session, actor: Actor, schedule_id: int, *, enabled: bool, hour: Any, minute: Any,
                    weekday: Any, timezone: str) -> ReportSchedule:
    if not policy.is_admin(actor):
        raise PermissionDenied("Only admins change report schedules.")
    schedule = session.get(ReportSchedule, schedule_id)
    if schedule is None:
        raise NotFound("No such schedule.")
    errors: dict[str, str] = {}
    parsed: dict[str, int | None] = {}
    for field, value, low, high in (("hour", hour, 0, 23), ("minute", minute, 0, 59)):
        try:
            parsed[field] = int(value)
            if not low <= parsed[field] <= high:
                raise ValueError
        except (TypeError, ValueError):
            errors[field] = f"Use a whole number from {low} to {high}."
    if schedule.kind == ScheduleKind.WEEKLY_SUMMARY:
        try:
            parsed["weekday"] = int(weekday)
            if not 0 <= parsed["weekday"] <= 6:
                raise ValueError
        except (TypeError, ValueError):
            errors["weekday"] = "Choose a day of the week."
    else:
        parsed["weekday"] = None
    if timezone not in available_timezones():
        errors["timezone"] = "Use a time zone name like Asia/Karachi."
    if errors:
        raise ValidationFailed(errors)
    before = schedule_to_dict(schedule, False, 0, utcnow())
    schedule.enabled, schedule.hour, schedule.minute = enabled, parsed["hour"], parsed["minute"]
    schedule.weekday, schedule.timezone = parsed["weekday"], timezone
    schedule.updated_by_id, schedule.updated_at = actor.user_id, utcnow()
    # Changing the time must not fire a report for a moment that has just "passed" because of the change.
    schedule.last_run_at = max(schedule.last_run_at or utcnow(), last_due(schedule, utcnow()))
    session.add(schedule)
    audit.record(session, "report_schedule.update", actor_id=actor.user_id, entity_type="report_schedule",
                 entity_id=str(schedule.id), details={"before": before["when"], "enabled": enabled,
                                                      "after": schedule_to_dict(schedule, False, 0, utcnow())["when"]})
    return schedule
