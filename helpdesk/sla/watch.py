"""Watching the SLA clocks: the scan that flags at-risk and breached tickets, and batch recomputes.

`scan` runs every 30 seconds (Celery beat, task `sla.scan`). Each check reads one partial index (clocks running,
not yet flagged, due by now), locks the rows with FOR UPDATE SKIP LOCKED and sets the flag in the same
transaction, so two overlapping scans never report a ticket twice; a row busy in another transaction is simply
picked up by the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.orm import InstrumentedAttribute
from sqlmodel import Session, select

from helpdesk.core import audit, events, jobs
from helpdesk.core.db import session_scope
from helpdesk.models import OPEN_STATUSES, Team, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.models.ticket import (
    SLA_AT_RISK_UNFLAGGED_SQL,
    SLA_FIRST_RESPONSE_UNFLAGGED_SQL,
    SLA_RESOLUTION_UNFLAGGED_SQL,
)
from helpdesk.sla import engine as sla
from helpdesk.sla.events import SlaStateChanged

log = logging.getLogger(__name__)

SCAN_BATCH_SIZE = 200
RECOMPUTE_BATCH_SIZE = 500
ESCALATION_EMAIL_TASK = "email.sla_escalation"


@dataclass(frozen=True)
class SlaCheck:
    """One thing the scan looks for: which deadline, which flag records it, and what it is called in history."""

    unflagged_sql: str
    due_column: InstrumentedAttribute
    flag_attribute: str
    event_kind: str  # "sla_at_risk" or "sla_breached"
    clock: str  # "first_response" or "resolution"

    @property
    def is_breach(self) -> bool:
        return self.event_kind == "sla_breached"


# Breaches first: a ticket whose warning and breach both fell due while the scan was not running is reported as
# breached (the at-risk index skips breached tickets), not warned and then breached in the same second.
CHECKS = (
    SlaCheck(SLA_RESOLUTION_UNFLAGGED_SQL, Ticket.sla_resolution_due, "sla_resolution_breached_at", "sla_breached",
             "resolution"),
    SlaCheck(SLA_FIRST_RESPONSE_UNFLAGGED_SQL, Ticket.sla_first_response_due, "sla_first_response_breached_at",
             "sla_breached", "first_response"),
    SlaCheck(SLA_AT_RISK_UNFLAGGED_SQL, Ticket.sla_resolution_warn_at, "sla_warned_at", "sla_at_risk", "resolution"),
)


@dataclass
class ScanResult:
    at_risk: list[int] = field(default_factory=list)
    first_response_breached: list[int] = field(default_factory=list)
    resolution_breached: list[int] = field(default_factory=list)

    def record(self, check: SlaCheck, ticket_ids: list[int]) -> None:
        if not check.is_breach:
            self.at_risk.extend(ticket_ids)
        elif check.clock == "first_response":
            self.first_response_breached.extend(ticket_ids)
        else:
            self.resolution_breached.extend(ticket_ids)


def scan(now: datetime | None = None, *, batch_size: int = SCAN_BATCH_SIZE) -> ScanResult:
    """Flags every ticket whose at-risk moment or deadline has passed, once; escalates breaches to the team lead."""
    now = now or utcnow()
    result = ScanResult()
    for check in CHECKS:
        while True:
            with session_scope() as session:
                flagged = _flag_batch(session, check, now, batch_size)
            result.record(check, flagged)
            if len(flagged) < batch_size:
                break
    return result


def _flag_batch(session: Session, check: SlaCheck, now: datetime, batch_size: int) -> list[int]:
    due_tickets = session.exec(
        select(Ticket)
        .where(text(check.unflagged_sql), check.due_column <= now)
        .order_by(check.due_column)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    for ticket in due_tickets:
        due = getattr(ticket, check.due_column.key)
        setattr(ticket, check.flag_attribute, now)
        session.add(ticket)
        session.add(TicketEvent(ticket_id=ticket.id, actor_id=None, kind=check.event_kind, field=check.clock,
                                new_value=due.isoformat(), created_at=now))
        if check.is_breach:
            _escalate(session, ticket, check.clock, now)
        events.publish(session, SlaStateChanged(ticket, flag=check.event_kind))
    return [ticket.id for ticket in due_tickets]


def _escalate(session: Session, ticket: Ticket, clock: str, now: datetime) -> None:
    """Tells the lead of the ticket's team: an "escalated" event naming them and an e-mail."""
    team = session.get(Team, ticket.team_id) if ticket.team_id is not None else None
    if team is None or team.lead_id is None:
        # Nobody to escalate to; the breach event still shows in the ticket's history and the queue.
        log.info("ticket %s breached its %s target but has no team lead to escalate to", ticket.id, clock)
        return
    session.add(TicketEvent(ticket_id=ticket.id, actor_id=None, kind="escalated", field=clock,
                            new_value=str(team.lead_id), created_at=now))
    audit.record(session, "ticket.escalate", actor_id=None, entity_type="ticket", entity_id=str(ticket.id),
                 details={"clock": clock, "team_id": team.id, "lead_id": team.lead_id})
    jobs.enqueue(session, ESCALATION_EMAIL_TASK, "email",
                 {"ticket_id": ticket.id, "lead_id": team.lead_id, "clock": clock}, priority=7)


# ---------------------------------------------------------------- recompute after a policy change


def recompute_open_tickets(priorities: list[str], now: datetime | None = None, *,
                           batch_size: int = RECOMPUTE_BATCH_SIZE) -> int:
    """Recomputes the deadlines of open tickets of these priorities; returns how many moved.

    Walks the tickets by id in batches, each its own short transaction, so a large backlog never holds many locks.
    """
    now = now or utcnow()
    moved = 0
    after_id = 0
    while True:
        with session_scope() as session:
            batch = session.exec(
                select(Ticket)
                .where(Ticket.id > after_id, Ticket.priority.in_(priorities), Ticket.deleted_at.is_(None),
                       Ticket.status.in_([s.value for s in OPEN_STATUSES]))
                .order_by(Ticket.id)
                .limit(batch_size)
                .with_for_update()
            ).all()
            config = sla.load_config(session)
            for ticket in batch:
                before = _deadline_snapshot(ticket)
                sla.recompute(session, ticket, now, config=config)
                if _deadline_snapshot(ticket) != before:
                    session.add(ticket)
                    events.publish(session, SlaStateChanged(ticket))
                    moved += 1
        if len(batch) < batch_size:
            return moved
        after_id = batch[-1].id


def _deadline_snapshot(ticket: Ticket) -> tuple[object, ...]:
    return (ticket.sla_policy_id, ticket.sla_first_response_due, ticket.sla_resolution_due,
            ticket.sla_resolution_warn_at, ticket.sla_first_response_breached_at, ticket.sla_resolution_breached_at,
            ticket.sla_warned_at, ticket.sla_paused_at)
