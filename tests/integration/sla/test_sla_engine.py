"""SLA deadlines in business time, pauses, policy changes and the breach / at-risk scan, on real PostgreSQL and Redis.

Every moment is explicit (Pakistan time, UTC+5, no daylight saving), so nothing depends on the wall clock.
"""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from helpdesk.core import cache, jobs
from helpdesk.core import events as domain_events
from helpdesk.core.db import session_scope
from helpdesk.core.errors import PermissionDenied, ValidationFailed
from helpdesk.models import AuditLog, OutboxJob, SlaPolicy, Team, Ticket, TicketEvent
from helpdesk.sla import engine as sla
from helpdesk.sla import policies as sla_config
from helpdesk.sla import watch as sla_watch
from helpdesk.sla.validation import BusinessCalendarChanges, SlaPolicyChanges, SlaPolicyDraft
from helpdesk.tickets import conversation, notifications, tickets
from helpdesk.tickets.validation import CommentDraft, TicketChanges
from tests.factories import Org, draft

KARACHI = ZoneInfo("Asia/Karachi")


@pytest.fixture(autouse=True)
def jobs_stay_in_the_outbox(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Celery worker another test module started may still run; these tests call the jobs themselves, at the
    moments they choose, so nothing is handed to the broker."""
    monkeypatch.setattr(jobs, "_send", lambda job: None)


def pkt(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KARACHI)


def file_ticket(org: Org, at: datetime, priority: str = "medium", category_id: int | None = None) -> int:
    # Alice's ticket; a critical one is filed for her by an agent (only staff set critical, issue #13).
    filer = org.hank if priority == "critical" else org.alice
    with session_scope() as session:
        return tickets.create_ticket(session, org.actor(filer), draft(priority=priority, category_id=category_id),
                                     requester_id=org.alice, now=at).id


def load(ticket_id: int) -> Ticket:
    with session_scope() as session:
        return session.get(Ticket, ticket_id)


def events(ticket_id: int, *kinds: str) -> list[TicketEvent]:
    with session_scope() as session:
        return list(session.exec(
            select(TicketEvent).where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind.in_(kinds))
            .order_by(TicketEvent.id)
        ).all())


def change(org: Org, ticket_id: int, at: datetime, **fields: object) -> None:
    with session_scope() as session:
        tickets.update_ticket(session, org.actor(org.root), ticket_id, TicketChanges(**fields), now=at)


# ---------------------------------------------------------------- deadlines at creation


def test_ticket_filed_on_a_saturday_starts_its_clock_on_monday_morning(sla_org: Org) -> None:
    ticket = load(file_ticket(sla_org, pkt(2026, 11, 28, 10), priority="high"))  # Saturday
    with session_scope() as session:
        policy = session.get(SlaPolicy, ticket.sla_policy_id)
    assert (policy.priority, policy.category_id, policy.team_id) == ("high", None, None)
    assert ticket.sla_first_response_due == pkt(2026, 11, 30, 13)  # 4 business hours from Monday 09:00
    assert ticket.sla_resolution_due == pkt(2026, 11, 30, 17)  # 8 business hours: one business day
    assert ticket.sla_resolution_warn_at == pkt(2026, 11, 30, 15, 24)  # 80% of 8h = 6h24m
    assert ticket.sla_paused_at is None


def test_ticket_filed_on_a_public_holiday_starts_the_next_working_day(sla_org: Org) -> None:
    # Monday 23 March 2026 is Pakistan Day.
    ticket = load(file_ticket(sla_org, pkt(2026, 3, 23, 10), priority="critical"))
    assert ticket.sla_first_response_due == pkt(2026, 3, 24, 10)
    assert ticket.sla_resolution_due == pkt(2026, 3, 24, 13)


def test_ticket_filed_after_hours_counts_from_the_next_opening(sla_org: Org) -> None:
    ticket = load(file_ticket(sla_org, pkt(2026, 11, 25, 18, 30), priority="medium"))  # Wednesday evening
    assert ticket.sla_first_response_due == pkt(2026, 11, 26, 17)  # 8h: all of Thursday
    assert ticket.sla_resolution_due == pkt(2026, 11, 30, 17)  # 24h: Thursday, Friday, Monday
    assert ticket.sla_resolution_warn_at == pkt(2026, 11, 30, 12, 12)  # 19h12m


# ---------------------------------------------------------------- pauses


def test_waiting_on_the_customer_stops_the_clock_across_a_weekend(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 26, 9), priority="medium", category_id=sla_org.hardware)
    with session_scope() as session:
        conversation.add_comment(session, sla_org.actor(sla_org.hank), ticket_id,
                                 CommentDraft(body="Which model is it?"), now=pkt(2026, 11, 26, 10))
    assert load(ticket_id).sla_resolution_due == pkt(2026, 11, 30, 17)

    with session_scope() as session:
        tickets.update_ticket(session, sla_org.actor(sla_org.hank), ticket_id,
                              TicketChanges(status="waiting_on_customer"), now=pkt(2026, 11, 27, 11))
    paused = load(ticket_id)
    assert paused.sla_paused_at == pkt(2026, 11, 27, 11)
    assert paused.sla_resolution_due is None and paused.sla_resolution_warn_at is None  # unknown until resumed
    assert paused.sla_first_response_due == pkt(2026, 11, 26, 17)  # answered in time: kept as the record
    assert sla_watch.scan(pkt(2026, 12, 5)).resolution_breached == []  # a paused clock never breaches

    # The requester answers on Monday 10:00: 10h were used before the pause, 14h remain.
    with session_scope() as session:
        conversation.add_comment(session, sla_org.actor(sla_org.alice), ticket_id,
                                 CommentDraft(body="A ThinkPad T14"), now=pkt(2026, 11, 30, 10))
    resumed = load(ticket_id)
    assert resumed.status == "open" and resumed.sla_paused_at is None
    assert resumed.sla_resolution_due == pkt(2026, 12, 1, 16)  # Monday 10-17 (7h) + Tuesday 09-16 (7h)
    assert resumed.sla_resolution_warn_at == pkt(2026, 12, 1, 11, 12)  # 19h12m of unpaused business time


def test_agent_resuming_work_restarts_the_clock(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 26, 9), priority="high", category_id=sla_org.hardware)
    change(sla_org, ticket_id, pkt(2026, 11, 26, 11), status="waiting_on_customer")
    change(sla_org, ticket_id, pkt(2026, 11, 27, 11), status="in_progress")
    # 2h used on Thursday; the pause covered Thursday 11-17 and Friday 09-11; 6h remain from Friday 11:00.
    assert load(ticket_id).sla_resolution_due == pkt(2026, 11, 27, 17)


def test_a_reopened_ticket_is_not_charged_for_the_days_it_sat_resolved(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 26, 9), priority="medium", category_id=sla_org.hardware)
    change(sla_org, ticket_id, pkt(2026, 11, 26, 13), status="resolved")
    resolved = load(ticket_id)
    assert resolved.sla_resolution_due == pkt(2026, 11, 30, 17)  # kept as the record it was measured against
    with session_scope() as session:
        conversation.add_comment(session, sla_org.actor(sla_org.alice), ticket_id,
                                 CommentDraft(body="It is broken again"), now=pkt(2026, 12, 1, 9))
    reopened = load(ticket_id)
    assert reopened.status == "open" and reopened.resolved_at is None
    # 4h used before resolving; 20h remain from Tuesday 09:00: Tuesday, Wednesday, and 4h on Thursday.
    assert reopened.sla_resolution_due == pkt(2026, 12, 3, 13)


# ---------------------------------------------------------------- changes of target


def test_priority_change_recomputes_from_creation_and_clears_a_stale_breach(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 30, 9), priority="low")
    assert load(ticket_id).sla_resolution_due == pkt(2026, 12, 4, 17)  # 40h: the whole working week

    change(sla_org, ticket_id, pkt(2026, 11, 30, 11), priority="critical")
    critical = load(ticket_id)
    assert critical.sla_first_response_due == pkt(2026, 11, 30, 10)  # already passed
    assert critical.sla_resolution_due == pkt(2026, 11, 30, 13)
    assert sla_watch.scan(pkt(2026, 11, 30, 11)).first_response_breached == [ticket_id]

    change(sla_org, ticket_id, pkt(2026, 11, 30, 12), priority="low")
    relaxed = load(ticket_id)
    assert relaxed.sla_first_response_due == pkt(2026, 12, 1, 17)
    assert relaxed.sla_first_response_breached_at is None  # judged against the low target again


def test_category_policy_overrides_the_priority_default_and_recomputes_open_tickets(sla_org: Org) -> None:
    laptop_ticket = file_ticket(sla_org, pkt(2026, 11, 30, 9), category_id=sla_org.laptops)
    access_ticket = file_ticket(sla_org, pkt(2026, 11, 30, 9), category_id=sla_org.access)
    with session_scope() as session:
        sla.load_config(session)  # warm the cache, so the change must invalidate it
    with session_scope() as session:
        policy = sla_config.create_policy(session, sla_org.actor(sla_org.root), SlaPolicyDraft(
            name="Laptops, medium", priority="medium", category_id=sla_org.laptops,
            first_response_minutes=30, resolution_minutes=120))
        policy_id = policy.id
    with session_scope() as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "sla.recompute_open_tickets")).one()
        assert job.queue == "maintenance" and job.args == {"priorities": ["medium"]}
        assert policy_id in {p.id for p in sla.load_config(session).policies}

    # What the maintenance worker runs:
    assert sla_watch.recompute_open_tickets(["medium"], now=pkt(2026, 11, 30, 9, 5)) == 1
    moved, untouched = load(laptop_ticket), load(access_ticket)
    assert moved.sla_policy_id == policy_id
    assert (moved.sla_first_response_due, moved.sla_resolution_due) == (pkt(2026, 11, 30, 9, 30),
                                                                        pkt(2026, 11, 30, 11))
    assert untouched.sla_resolution_due == pkt(2026, 12, 2, 17)

    # A later ticket in a child category of Laptops' parent is not covered; one in Laptops is from the start.
    assert load(file_ticket(sla_org, pkt(2026, 11, 30, 9), category_id=sla_org.hardware)).sla_policy_id != policy_id
    assert load(file_ticket(sla_org, pkt(2026, 11, 30, 9), category_id=sla_org.laptops)).sla_policy_id == policy_id

    # Deactivating it puts the tickets back on the priority default.
    with session_scope() as session:
        sla_config.update_policy(session, sla_org.actor(sla_org.root), policy_id, SlaPolicyChanges(is_active=False))
    sla_watch.recompute_open_tickets(["medium"], now=pkt(2026, 11, 30, 9, 10))
    assert load(laptop_ticket).sla_resolution_due == pkt(2026, 12, 2, 17)


def test_policy_administration_is_for_admins_and_checks_its_input(sla_org: Org) -> None:
    good = SlaPolicyDraft(name="x", priority="low", first_response_minutes=10, resolution_minutes=20)
    for who in (sla_org.hank, sla_org.mona, sla_org.alice):
        with pytest.raises(PermissionDenied), session_scope() as session:
            sla_config.create_policy(session, sla_org.actor(who), good)
        with pytest.raises(PermissionDenied), session_scope() as session:
            sla_config.list_policies(session, sla_org.actor(who))
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        sla_config.create_policy(session, sla_org.actor(sla_org.root), SlaPolicyDraft(
            name="Backwards", priority="low", team_id=99999, first_response_minutes=60, resolution_minutes=30))
    assert set(caught.value.field_errors) == {"resolution_minutes", "team_id"}
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        sla_config.create_policy(session, sla_org.actor(sla_org.root), SlaPolicyDraft(
            name="Duplicate", priority="low", first_response_minutes=60, resolution_minutes=120))
    assert "already covers" in caught.value.field_errors["priority"]
    with session_scope() as session:
        assert len(sla_config.list_policies(session, sla_org.actor(sla_org.root))) == 4
        assert session.exec(select(OutboxJob)).all() == []


# ---------------------------------------------------------------- the scan


@pytest.fixture
def hardware_lead(sla_org: Org) -> int:
    with session_scope() as session:
        team = session.get(Team, sla_org.hardware_team)
        team.lead_id = sla_org.hank
        session.add(team)
    return sla_org.hank


def test_breach_scan_flags_once_escalates_to_the_team_lead_and_queues_an_e_mail(
    sla_org: Org, hardware_lead: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 30, 9), priority="critical", category_id=sla_org.hardware)
    # What the scan announces for live pages (one announcement per flagged clock).
    pushed: list[tuple[int, str]] = []
    real_publish = domain_events.publish
    monkeypatch.setattr(domain_events, "publish",
                        lambda session, event: (pushed.append((event.ticket.id, event.kind)),
                                                real_publish(session, event)))

    assert sla_watch.scan(pkt(2026, 11, 30, 9, 59)).first_response_breached == []
    result = sla_watch.scan(pkt(2026, 11, 30, 14))
    assert result.first_response_breached == [ticket_id] and result.resolution_breached == [ticket_id]
    assert result.at_risk == []  # a breached ticket is not also reported at risk

    ticket = load(ticket_id)
    assert ticket.sla_first_response_breached_at == ticket.sla_resolution_breached_at == pkt(2026, 11, 30, 14)
    breaches = events(ticket_id, "sla_breached")
    assert {(e.field, e.actor_id) for e in breaches} == {("first_response", None), ("resolution", None)}
    escalations = events(ticket_id, "escalated")
    assert {(e.field, e.new_value) for e in escalations} == {("first_response", str(hardware_lead)),
                                                            ("resolution", str(hardware_lead))}
    with session_scope() as session:
        mails = session.exec(select(OutboxJob).where(OutboxJob.task_name == "email.sla_escalation")).all()
        assert sorted(m.args["clock"] for m in mails) == ["first_response", "resolution"]
        assert all(m.queue == "email" and m.args["lead_id"] == hardware_lead for m in mails)
        mail = notifications.sla_escalation(session, ticket_id, hardware_lead, "resolution")
        assert session.exec(select(AuditLog).where(AuditLog.action == "ticket.escalate")).all()
    assert mail.to == ["hank@example.org"] and "SLA breached (resolution)" in mail.subject
    assert "Hello Hank Hardware" in mail.body and f"/tickets/{ticket_id}" in mail.body
    assert pushed.count((ticket_id, "sla")) == 2

    # Later runs find nothing new.
    again = sla_watch.scan(pkt(2026, 11, 30, 16))
    assert (again.first_response_breached, again.resolution_breached, again.at_risk) == ([], [], [])
    assert len(events(ticket_id, "sla_breached", "escalated")) == 4


def test_at_risk_warning_at_eighty_percent_of_resolution_time(sla_org: Org, hardware_lead: int) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 30, 9), priority="high", category_id=sla_org.hardware)
    with session_scope() as session:
        conversation.add_comment(session, sla_org.actor(sla_org.hank), ticket_id, CommentDraft(body="On it"),
                                 now=pkt(2026, 11, 30, 9, 30))
    assert sla_watch.scan(pkt(2026, 11, 30, 15, 23)).at_risk == []
    result = sla_watch.scan(pkt(2026, 11, 30, 15, 24))
    assert result.at_risk == [ticket_id] and result.resolution_breached == []
    assert load(ticket_id).sla_warned_at == pkt(2026, 11, 30, 15, 24)
    (warning,) = events(ticket_id, "sla_at_risk")
    assert warning.field == "resolution" and warning.actor_id is None
    assert events(ticket_id, "escalated") == []
    assert sla_watch.scan(pkt(2026, 11, 30, 16)).at_risk == []
    assert sla_watch.scan(pkt(2026, 11, 30, 17)).resolution_breached == [ticket_id]


def test_a_ticket_locked_by_another_transaction_is_skipped_not_flagged_twice(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 30, 9), priority="critical")
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        with session_scope() as session:
            session.exec(select(Ticket).where(Ticket.id == ticket_id).with_for_update()).one()
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        assert sla_watch.scan(pkt(2026, 11, 30, 14)).resolution_breached == []
    finally:
        release.set()
        holder.join()
    assert sla_watch.scan(pkt(2026, 11, 30, 14)).resolution_breached == [ticket_id]
    assert sla_watch.scan(pkt(2026, 11, 30, 14)).resolution_breached == []
    assert len(events(ticket_id, "sla_breached")) == 2  # first response and resolution, once each


def test_scan_uses_the_partial_indexes(sla_org: Org) -> None:
    from sqlalchemy import text

    with session_scope() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        for check in sla_watch.CHECKS:
            query = (select(Ticket.id).where(text(check.unflagged_sql), check.due_column <= pkt(2026, 11, 30))
                     .order_by(check.due_column))
            compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
            plan = "\n".join(row[0] for row in session.execute(text(f"EXPLAIN {compiled}")))
            assert "idx_tickets_sla_" in plan, plan


def test_sla_configuration_is_cached_for_an_hour(sla_org: Org) -> None:
    with session_scope() as session:
        sla.load_config(session)
    ttl = cache.get_redis().ttl(sla.config_cache_key())
    assert 3500 < ttl <= 3600


def test_default_deadlines_for_demo_data_use_business_hours() -> None:
    first, resolution = sla.deadlines_for("high", pkt(2026, 11, 27, 16))  # Friday 16:00
    assert first == pkt(2026, 11, 30, 12) and resolution == pkt(2026, 11, 30, 16)


def test_changing_the_calendar_moves_open_deadlines(sla_org: Org) -> None:
    ticket_id = file_ticket(sla_org, pkt(2026, 11, 28, 10), priority="critical")  # Saturday
    assert load(ticket_id).sla_resolution_due == pkt(2026, 11, 30, 13)
    with session_scope() as session:
        (calendar,) = sla_config.list_calendars(session, sla_org.actor(sla_org.root))
    with pytest.raises(ValidationFailed) as caught, session_scope() as session:
        sla_config.update_calendar(session, sla_org.actor(sla_org.root), calendar["id"],
                                   BusinessCalendarChanges(working_days=[], timezone="Mars/Olympus"))
    assert set(caught.value.field_errors) == {"working_days", "timezone"}
    with session_scope() as session:
        sla_config.update_calendar(session, sla_org.actor(sla_org.root), calendar["id"],
                                   BusinessCalendarChanges(working_days=[0, 1, 2, 3, 4, 5]))  # Saturdays too
    with session_scope() as session:
        job = session.exec(select(OutboxJob).where(OutboxJob.task_name == "sla.recompute_open_tickets")).one()
        assert job.args == {"priorities": ["critical", "high", "low", "medium"]}
    sla_watch.recompute_open_tickets(job.args["priorities"], now=pkt(2026, 11, 28, 10, 5))
    assert load(ticket_id).sla_resolution_due == pkt(2026, 11, 28, 14)
