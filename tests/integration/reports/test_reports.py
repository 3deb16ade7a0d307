"""Report numbers against a small data set computed by hand (Asia/Karachi days, UTC+5)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from helpdesk.core.db import session_scope
from helpdesk.core.errors import NotFound, PermissionDenied, ValidationFailed
from helpdesk.models import AiFeedback, AiPrediction, KbDeflection, Ticket
from helpdesk.reports import data, exports, rollups
from helpdesk.reports.filters import ReportFilters, parse_filters
from tests.factories import Org

PKT = ZoneInfo("Asia/Karachi")
WEEK = ReportFilters(date(2026, 3, 1), date(2026, 3, 7))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, Karachi time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=PKT)


@dataclass
class Fixture:
    org: Org
    t1: int
    t2: int
    t3: int
    t4: int
    t5: int


def _ticket(org: Org, number: int, **values: object) -> Ticket:
    defaults: dict[str, object] = dict(title=f"Ticket {number}", description="-", requester_id=org.alice,
                                       status="resolved", priority="medium", team_id=org.hardware_team,
                                       category_id=org.hardware, number=number)
    defaults.update(values)
    defaults.setdefault("updated_at", defaults["created_at"])
    return Ticket(**defaults)


@pytest.fixture
def week(org: Org) -> Fixture:
    with session_scope() as session:
        tickets = [
            # T1: answered after 1 h, resolved after 5 h, both in time.
            _ticket(org, 1, priority="high", assignee_id=org.hank, created_at=at(2, 10),
                    first_responded_at=at(2, 11), sla_first_response_due=at(2, 12),
                    resolved_at=at(2, 15), sla_resolution_due=at(3, 10),
                    ai_suggested_category_id=org.hardware, ai_confidence=0.95),
            # T2: first answer late (flagged by the scan), resolved in time.
            _ticket(org, 2, assignee_id=org.hank, created_at=at(2, 16), first_responded_at=at(3, 10),
                    sla_first_response_due=at(3, 9), sla_first_response_breached_at=at(3, 9),
                    resolved_at=at(5, 12), sla_resolution_due=at(6, 12),
                    ai_suggested_category_id=org.access, ai_confidence=0.9),
            # T3: waited on the customer over the weekend, so its deadline moved from the 5th to the 9th; resolved
            # on the 6th: after the original deadline, before the one that counts.
            _ticket(org, 3, category_id=org.laptops, created_at=at(3, 9), first_responded_at=at(3, 9, 30),
                    sla_first_response_due=at(3, 11), resolved_at=at(6, 18), sla_resolution_due=at(9, 9),
                    ai_suggested_category_id=org.laptops, ai_confidence=0.5),
            # T4: filed at 02:00 on the 5th in Karachi (still the 4th in UTC), never answered, both targets missed.
            _ticket(org, 4, status="open", priority="critical", team_id=org.access_team, category_id=org.access,
                    assignee_id=org.ada, created_at=at(5, 2), sla_first_response_due=at(5, 4),
                    sla_first_response_breached_at=at(5, 4), sla_resolution_due=at(5, 10),
                    sla_resolution_breached_at=at(5, 10)),
            # T5: a duplicate merged into T1: filed and closed, never measured against the SLA.
            _ticket(org, 5, status="closed", created_at=at(5, 10), resolved_at=at(5, 11), closed_at=at(5, 11)),
            # T6: deleted: in no report.
            _ticket(org, 6, created_at=at(4, 10), resolved_at=at(4, 11), deleted_at=at(4, 12)),
        ]
        session.add_all(tickets)
        session.flush()
        t1, t2, t3, t4, t5, _t6 = (t.id for t in tickets)
        session.execute(text("UPDATE tickets SET merged_into_id = :t1 WHERE id = :t5"), {"t1": t1, "t5": t5})
        predictions = [AiPrediction(ticket_id=t, model_version="test") for t in (t2, t3)]
        session.add_all(predictions)
        session.flush()
        session.add_all([
            AiFeedback(prediction_id=predictions[0].id, ticket_id=t2, field="category", accepted=False),
            AiFeedback(prediction_id=predictions[1].id, ticket_id=t3, field="category", accepted=True),
            KbDeflection(query="vpn", outcome="solved", created_at=at(3, 12)),
            KbDeflection(query="printer", outcome="solved", created_at=at(4, 12)),
            KbDeflection(query="laptop", outcome="filed_anyway", created_at=at(4, 13)),
            KbDeflection(query="old", outcome="solved", created_at=at(20, 13)),
        ])
    rollups.refresh_changed()
    rollups.refresh_monthly_view()
    return Fixture(org, t1, t2, t3, t4, t5)


def report(week: Fixture, name: str, filters: ReportFilters = WEEK) -> data.Report:
    with session_scope() as session:
        return data.build_report(session, week.org.actor(week.org.mona), name, filters, use_cache=False)


def figures(result: data.Report) -> dict[str, str]:
    return {f["label"]: f["value"] for f in result["figures"]}


def chart(result: data.Report, key: str) -> dict:
    return next(c for c in result["charts"] if c["key"] == key)


def series(result: data.Report, key: str, name: str) -> dict[str, object]:
    found = chart(result, key)
    values = next(s["values"] for s in found["series"] if s["name"] == name)
    return dict(zip(found["x"], values, strict=True))


def test_volume_counts_created_and_resolved_by_local_day(week: Fixture) -> None:
    result = report(week, "volume")
    assert figures(result)["Created"] == "5"
    assert figures(result)["Resolved"] == "4"
    created = series(result, "volume", "Created")
    # T4 was filed on the 4th in UTC but the 5th in Karachi: it counts on the 5th.
    assert (created["2026-03-02"], created["2026-03-03"], created["2026-03-04"], created["2026-03-05"]) == (2, 1, 0, 2)
    assert series(result, "volume", "Resolved")["2026-03-05"] == 2


def test_sla_compliance_counts_paused_time_as_not_late(week: Fixture) -> None:
    result = report(week, "sla")
    # First response: T1 and T3 in time, T2 late, T4 never answered -> 2 of 4.
    # Resolution: T1, T2 and T3 (paused, so its deadline moved) in time, T4 breached while open; T5 is a merged
    # duplicate and not measured -> 3 of 4.
    assert figures(result) == {"First response met": "50.0 %", "Resolution met": "75.0 %",
                               "First-response breaches": "2", "Resolution breaches": "1"}
    first_response = series(result, "sla_day", "First response met (%)")
    assert (first_response["2026-03-02"], first_response["2026-03-03"], first_response["2026-03-05"]) == (
        100.0, 50.0, 0.0)
    assert first_response["2026-03-04"] is None  # nothing to judge that day: a gap, not 0 %
    resolution = series(result, "sla_day", "Resolution met (%)")
    assert (resolution["2026-03-05"], resolution["2026-03-06"]) == (50.0, 100.0)
    breaches = chart(result, "breaches")["rows"]
    assert [(row[0], row[4]) for row in breaches] == [("#4", "Resolution"), ("#4", "First response"),
                                                      ("#2", "First response")]
    assert breaches[0][5] == "2026-03-05 10:00"


def test_times_and_distributions(week: Fixture) -> None:
    result = report(week, "times")
    # Resolution 5 h, 68 h, 81 h, 1 h -> 38.75 h; first response 1 h, 18 h, 0.5 h -> 6.5 h.
    assert figures(result)["Average resolution"] == "38.8 h"
    assert figures(result)["Average first response"] == "6.5 h"
    by_month = chart(result, "resolution_by_month")
    march = by_month["rows"][by_month["x"].index("Mar 2026")]
    assert march[1:] == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]  # under 4 h, 4 h-1 d, 1-3 d, 3-7 d, 7-14 d, over 14 d


def test_filters_apply_to_every_chart(week: Fixture) -> None:
    org = week.org
    access = report(week, "sla", ReportFilters(WEEK.start, WEEK.end, team_ids=(org.access_team,)))
    assert figures(access)["First response met"] == "0.0 %"
    assert len(chart(access, "breaches")["rows"]) == 2
    # A parent category covers its sub-categories (T3 is filed under Hardware / Laptops).
    hardware = report(week, "volume", ReportFilters(WEEK.start, WEEK.end, category_ids=(org.hardware,)))
    assert figures(hardware)["Created"] == "4"
    high = report(week, "times", ReportFilters(WEEK.start, WEEK.end, priorities=("high",)))
    assert figures(high)["Average resolution"] == "5.0 h"


def test_agents_ai_and_deflection(week: Fixture) -> None:
    agents = report(week, "agents")
    workload = chart(agents, "agent_workload")
    rows = {row[0]: row[1:] for row in workload["rows"]}
    assert rows == {"Ada Access": [0.0, 1.0], "Hank Hardware": [2.0, 0.0]}

    ai = report(week, "ai")
    # 3 suggestions; 2 above 0.85 (T1 right, T2 wrong); agents accepted 1 of 2 decisions.
    assert figures(ai) == {"Tickets with a suggestion": "3", "Acceptance rate": "50.0 %",
                           "Precision above threshold": "50.0 %", "Coverage above threshold": "66.7 %"}
    by_category = {row[0]: row[1:3] for row in chart(ai, "ai_by_category")["rows"]}
    assert by_category["Hardware"] == [100.0, 100.0] and by_category["Access"] == [0.0, 100.0]

    kb = report(week, "kb")
    assert figures(kb) == {"Solved by an article": "2", "Filed anyway": "1", "Deflection rate": "66.7 %"}


def test_backlog_and_monthly_view(week: Fixture) -> None:
    result = report(week, "volume")
    assert series(result, "backlog_status", "Open tickets")["Open"] == 1
    assert series(result, "backlog_age", "Open")["over 30 days"] == 1
    monthly = chart(result, "monthly_status")
    assert monthly["x"] == ["Mar 2026"]
    by_status = {s["name"]: s["values"][0] for s in monthly["series"]}
    assert by_status == {"Open": 1.0, "Resolved": 3.0, "Closed": 1.0}


def test_rollups_follow_ticket_changes(week: Fixture) -> None:
    with session_scope() as session:
        session.execute(text("UPDATE tickets SET team_id = :team, updated_at = now() WHERE id = :id"),
                        {"team": week.org.access_team, "id": week.t1})
    assert rollups.refresh_changed() >= 1
    access = report(week, "volume", ReportFilters(WEEK.start, WEEK.end, team_ids=(week.org.access_team,)))
    assert figures(access)["Created"] == "2"


def test_only_managers_and_admins_read_reports(week: Fixture) -> None:
    org = week.org
    with session_scope() as session:
        for person in (org.alice, org.hank):
            with pytest.raises(PermissionDenied):
                data.build_report(session, org.actor(person), "sla", WEEK)
            with pytest.raises(PermissionDenied):
                exports.request_export(session, org.actor(person), "sla", "csv", WEEK)
        assert data.build_report(session, org.actor(org.root), "sla", WEEK)["title"] == "SLA compliance"
        mine = exports.request_export(session, org.actor(org.mona), "sla", "csv", WEEK)
        session.flush()
        with pytest.raises(NotFound):  # another manager's export is invisible
            exports.get_export(session, org.actor(org.root), mine.id)


def test_bad_filters_are_refused_with_a_reason() -> None:
    today = date(2026, 3, 10)
    with pytest.raises(ValidationFailed) as refused:
        parse_filters({"start": "2026-03-09", "end": "2026-03-01", "priorities": "urgent"}, today)
    assert set(refused.value.field_errors) == {"end", "priorities"}
    with pytest.raises(ValidationFailed):
        parse_filters({"start": "yesterday"}, today)
    assert parse_filters({}, today).end == today
    assert parse_filters({}, today).start == today - timedelta(days=89)
