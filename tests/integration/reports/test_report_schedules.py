"""Scheduled report e-mails: when they are due, exactly-once claiming, and the e-mail a subscriber receives."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import ReportSchedule
from helpdesk.reports import schedules
from tests.factories import Org

PKT = ZoneInfo("Asia/Karachi")


@pytest.fixture
def daily(org: Org) -> int:
    with session_scope() as session:
        session.execute(text("DELETE FROM report_schedules"))
        schedules.ensure_defaults(session)
        return session.exec(select(ReportSchedule.id).where(ReportSchedule.kind == "sla_daily")).one()


def schedule(hour: int, minute: int = 0, weekday: int | None = None) -> ReportSchedule:
    return ReportSchedule(kind="x", title="x", hour=hour, minute=minute, weekday=weekday, timezone="Asia/Karachi")


def test_due_moments_follow_the_local_clock() -> None:
    six = schedule(6)
    assert schedules.last_due(six, datetime(2026, 3, 10, 5, 59, tzinfo=PKT)) == datetime(2026, 3, 9, 6, tzinfo=PKT)
    assert schedules.last_due(six, datetime(2026, 3, 10, 6, 0, tzinfo=PKT)) == datetime(2026, 3, 10, 6, tzinfo=PKT)
    monday = schedule(8, weekday=0)
    wednesday = datetime(2026, 3, 11, 12, tzinfo=PKT)
    assert schedules.last_due(monday, wednesday) == datetime(2026, 3, 9, 8, tzinfo=PKT)
    assert schedules.next_due(monday, wednesday) == datetime(2026, 3, 16, 8, tzinfo=PKT)


def test_a_due_report_is_claimed_once_and_a_new_install_does_not_mail_the_past(daily: int) -> None:
    with session_scope() as session:
        assert schedules.claim_due(session, datetime(2026, 3, 10, 6, 1, tzinfo=PKT)) == []  # first run: start here
    with session_scope() as session:
        claimed = schedules.claim_due(session, datetime(2026, 3, 11, 6, 0, 30, tzinfo=PKT))
    assert [schedule_id for schedule_id, _due in claimed] == [daily]
    with session_scope() as session:
        assert schedules.claim_due(session, datetime(2026, 3, 11, 6, 5, tzinfo=PKT)) == []
    # Down for two days: one e-mail when back, not one per missed morning.
    with session_scope() as session:
        # (The weekly summary was last due on Monday the 9th and is not due again before the 16th.)
        claimed = schedules.claim_due(session, datetime(2026, 3, 14, 9, tzinfo=PKT))
    assert claimed == [(daily, datetime(2026, 3, 14, 6, tzinfo=PKT).astimezone(ZoneInfo("UTC")).isoformat())]


def test_subscribers_receive_the_report_with_its_pdf(org: Org, daily: int, celery_worker, inbox) -> None:  # noqa: ANN001
    with session_scope() as session:
        schedules.set_subscription(session, org.actor(org.mona), daily, True)
        with pytest.raises(PermissionDenied):
            schedules.set_subscription(session, org.actor(org.hank), daily, True)
        session.execute(text("UPDATE report_schedules SET last_run_at = :at WHERE id = :id"),
                        {"at": datetime(2026, 3, 9, 6, tzinfo=PKT), "id": daily})
    with session_scope() as session:
        schedules.claim_due(session, datetime(2026, 3, 10, 6, 0, 20, tzinfo=PKT))
    mail = inbox.wait_for(lambda m: m["Subject"] == "Daily SLA compliance: 2026-03-09", timeout=60)
    assert mail["To"] == "mona@example.org"
    parts = {part.get_filename(): part for part in mail.walk() if part.get_filename()}
    assert list(parts) == ["sla-2026-03-09.pdf"]
    assert parts["sla-2026-03-09.pdf"].get_payload(decode=True).startswith(b"%PDF")
    text_part = next(part for part in mail.walk() if part.get_content_type() == "text/plain")
    body = text_part.get_payload(decode=True).decode()
    assert "First response met" in body and "/reports/sla" in body


def test_only_admins_change_schedules_and_bad_times_are_refused(org: Org, daily: int) -> None:
    with session_scope() as session:
        with pytest.raises(PermissionDenied):
            schedules.update_schedule(session, org.actor(org.mona), daily, enabled=True, hour=7, minute=0,
                                      weekday=None, timezone="Asia/Karachi")
        with pytest.raises(ValidationFailed) as refused:
            schedules.update_schedule(session, org.actor(org.root), daily, enabled=True, hour=24, minute=75,
                                      weekday=None, timezone="Mars/Olympus")
        assert set(refused.value.field_errors) == {"hour", "minute", "timezone"}
        schedules.update_schedule(session, org.actor(org.root), daily, enabled=True, hour=7, minute=30,
                                  weekday=None, timezone="Asia/Karachi")
        rows = {row["kind"]: row for row in schedules.list_schedules(session, org.actor(org.mona))}
    assert rows["sla_daily"]["when"] == "Every day at 07:30 Asia/Karachi"
