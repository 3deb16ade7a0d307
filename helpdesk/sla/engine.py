"""SLA deadlines: which policy governs a ticket, and when its first response and resolution are due.

All arithmetic is business time (services/business_hours.py): a policy names a calendar, and the clocks run only
while that desk is open. The clocks stop while the ticket waits on the customer (and while it sits resolved, so a
reopened ticket is not charged for the days it looked finished); they resume when the status moves on.

Deadlines are derived, never edited: `recompute` rebuilds them from the policy, the calendar, `created_at` and the
ticket's status history, so any change (priority, category, team, status, the policy itself) just calls it again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from sqlmodel import Session, select

from helpdesk.core import cache, on_commit
from helpdesk.models import BusinessCalendarConfig, Category, Priority, SlaPolicy, Status, Ticket, TicketEvent
from helpdesk.models.base import utcnow
from helpdesk.sla.business_hours import BusinessCalendar, Pause, deadline_with_pauses

SLA_CONFIG_TTL_SECONDS = 3600  # spec 4.3.3: system config (SLA policies), 1 hour
AT_RISK_SHARE = 0.8  # a ticket is "at risk" once 80% of its resolution business time is used

# Statuses in which the SLA clocks do not run.
CLOCK_STOPPED_STATUSES = frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED, Status.CLOSED})
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


@dataclass(frozen=True)
class SlaTarget:
    first_response: timedelta
    resolution: timedelta


# The same targets migration 0002 seeds as policies. Used when no active policy matches a ticket (an admin
# deactivated them all), so every ticket still gets deadlines.
DEFAULT_TARGETS: dict[str, SlaTarget] = {
    Priority.CRITICAL: SlaTarget(timedelta(hours=1), timedelta(hours=4)),
    Priority.HIGH: SlaTarget(timedelta(hours=4), timedelta(hours=8)),
    Priority.MEDIUM: SlaTarget(timedelta(hours=8), timedelta(hours=24)),
    Priority.LOW: SlaTarget(timedelta(hours=16), timedelta(hours=40)),
}
# Used when the database holds no default calendar either.
BUILT_IN_CALENDAR_SPEC_NAME = "built-in office hours"


# ---------------------------------------------------------------- cached configuration


@dataclass(frozen=True)
class CalendarSpec:
    """A business calendar row in hashable, JSON-friendly form (times and dates as ISO strings)."""

    id: int | None
    name: str
    timezone: str
    working_days: tuple[int, ...]
    opens: str
    closes: str
    holiday_country: str | None
    extra_holidays: tuple[str, ...]
    is_default: bool

    @classmethod
    def from_row(cls, row: BusinessCalendarConfig) -> CalendarSpec:
        return cls(
            id=row.id, name=row.name, timezone=row.timezone, working_days=tuple(sorted(row.working_days)),
            opens=row.opens.isoformat(), closes=row.closes.isoformat(), holiday_country=row.holiday_country,
            extra_holidays=tuple(sorted(day.isoformat() for day in row.extra_holidays)), is_default=row.is_default,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CalendarSpec:
        return cls(**(data | {"working_days": tuple(data["working_days"]),
                              "extra_holidays": tuple(data["extra_holidays"])}))


BUILT_IN_CALENDAR = CalendarSpec(
    id=None, name=BUILT_IN_CALENDAR_SPEC_NAME, timezone="Asia/Karachi", working_days=(0, 1, 2, 3, 4),
    opens="09:00:00", closes="17:00:00", holiday_country="PK", extra_holidays=(), is_default=True,
)


@dataclass(frozen=True)
class PolicySpec:
    id: int
    name: str
    priority: str
    category_id: int | None
    team_id: int | None
    first_response_minutes: int
    resolution_minutes: int
    calendar_id: int


@dataclass(frozen=True)
class SlaConfig:
    policies: tuple[PolicySpec, ...]
    calendars: dict[int, CalendarSpec]

    @property
    def default_calendar(self) -> CalendarSpec:
        return next((c for c in self.calendars.values() if c.is_default), BUILT_IN_CALENDAR)


def config_cache_key() -> str:
    return cache.key("config", "sla", "policies")


def load_config(session: Session) -> SlaConfig:
    """Active policies and every calendar, from Redis (1 hour) or the database."""

    def compute() -> dict[str, Any]:
        policies = session.exec(select(SlaPolicy).where(SlaPolicy.is_active).order_by(SlaPolicy.id)).all()
        calendars = session.exec(select(BusinessCalendarConfig).order_by(BusinessCalendarConfig.id)).all()
        return {
            "policies": [
                asdict(PolicySpec(p.id, p.name, p.priority, p.category_id, p.team_id, p.first_response_minutes,
                                  p.resolution_minutes, p.calendar_id))
                for p in policies
            ],
            "calendars": [asdict(CalendarSpec.from_row(c)) for c in calendars],
        }

    data = cache.cached_json(config_cache_key(), SLA_CONFIG_TTL_SECONDS, compute)
    calendars = [CalendarSpec.from_json(c) for c in data["calendars"]]
    return SlaConfig(
        policies=tuple(PolicySpec(**p) for p in data["policies"]),
        calendars={c.id: c for c in calendars if c.id is not None},
    )


def invalidate_config(session: Session) -> None:
    """Drops the cached configuration now and again after commit (another process may re-cache the old rows
    between this call and the commit)."""
    cache.invalidate(config_cache_key())
    on_commit.after_commit(session, lambda: cache.invalidate(config_cache_key()), key="sla-config")


@lru_cache(maxsize=64)
def business_calendar(spec: CalendarSpec, first_year: int, last_year: int) -> BusinessCalendar:
    """The arithmetic object for a calendar, with public holidays for the years given (built once per process)."""
    holidays = {date.fromisoformat(day) for day in spec.extra_holidays}
    options: dict[str, Any] = dict(
        timezone=spec.timezone, working_days=frozenset(spec.working_days),
        opens=time.fromisoformat(spec.opens), closes=time.fromisoformat(spec.closes), holidays=holidays,
    )
    if spec.holiday_country:
        return BusinessCalendar.with_public_holidays(spec.holiday_country, years=range(first_year, last_year + 1),
                                                     **options)
    return BusinessCalendar(**options)


# ---------------------------------------------------------------- matching


def match_policy(
    policies: tuple[PolicySpec, ...] | list[PolicySpec],
    priority: str,
    category_id: int | None,
    parent_category_id: int | None,
    team_id: int | None,
) -> PolicySpec | None:
    """The most specific active policy: category+team, then category, then team, then priority only.

    A policy for a parent category also covers its children, ranked just below one naming the child itself.
    """
    best: PolicySpec | None = None
    best_rank: tuple[bool, bool, int] | None = None
    for policy in policies:
        if policy.priority != priority:
            continue
        if policy.team_id is not None and policy.team_id != team_id:
            continue
        category_closeness = 0
        if policy.category_id is not None:
            if category_id is not None and policy.category_id == category_id:
                category_closeness = 2
            elif parent_category_id is not None and policy.category_id == parent_category_id:
                category_closeness = 1
            else:
                continue
        rank = (category_closeness > 0, policy.team_id is not None, category_closeness)
        if best_rank is None or rank > best_rank:
            best, best_rank = policy, rank
    return best


@dataclass(frozen=True)
class AppliedTargets:
    policy_id: int | None
    target: SlaTarget
    calendar: BusinessCalendar


def targets_for(session: Session, ticket: Ticket, now: datetime, config: SlaConfig | None = None) -> AppliedTargets:
    config = config or load_config(session)
    parent_category_id = None
    if ticket.category_id is not None:
        category = session.get(Category, ticket.category_id)
        parent_category_id = category.parent_id if category else None
    policy = match_policy(config.policies, ticket.priority, ticket.category_id, parent_category_id, ticket.team_id)
    if policy is None:
        target, calendar_spec = DEFAULT_TARGETS[Priority(ticket.priority)], config.default_calendar
    else:
        target = SlaTarget(timedelta(minutes=policy.first_response_minutes),
                           timedelta(minutes=policy.resolution_minutes))
        calendar_spec = config.calendars.get(policy.calendar_id, config.default_calendar)
    # Holidays for every year a clock of this ticket can touch: from its creation to a few years past now.
    first_year = min(ticket.created_at.year, now.year) - 1
    calendar = business_calendar(calendar_spec, first_year, now.year + 2)
    return AppliedTargets(policy.id if policy else None, target, calendar)


# ---------------------------------------------------------------- deadlines


def pauses_for(session: Session, ticket: Ticket, now: datetime) -> list[Pause]:
    """Intervals with the clock stopped, from the ticket's status changes; the current one is open-ended."""
    events: list[tuple[str | None, datetime]] = []
    if ticket.id is not None:
        events = list(session.exec(
            select(TicketEvent.new_value, TicketEvent.created_at)
            .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "changed", TicketEvent.field == "status")
            .order_by(TicketEvent.created_at, TicketEvent.id)
        ).all())
    pauses: list[Pause] = []
    stopped_since: datetime | None = None
    for new_status, changed_at in events:
        if new_status in CLOCK_STOPPED_STATUSES:
            stopped_since = stopped_since or changed_at
        elif stopped_since is not None:
            pauses.append((stopped_since, changed_at))
            stopped_since = None
    if ticket.status in CLOCK_STOPPED_STATUSES:
        # Tickets written without a status event (imports, demo data) fall back to the pause column.
        pauses.append((stopped_since or ticket.sla_paused_at or now, None))
    return pauses


def recompute(
    session: Session, ticket: Ticket, now: datetime | None = None, *, config: SlaConfig | None = None
) -> None:
    """Sets the ticket's policy, deadlines, at-risk moment and pause from scratch (the caller saves the ticket).

    A resolved or closed ticket keeps the deadlines it had, as the record of what it was measured against. While
    the ticket waits on the customer the deadlines are unknown (None): they depend on when the clock resumes.
    A flag the scan set is cleared when the new deadline lies ahead again (say, after a priority drop), so the
    ticket is judged, and escalated, against the targets that now apply.
    """
    now = now or utcnow()
    if ticket.status in FINISHED_STATUSES:
        ticket.sla_paused_at = None
        return
    applied = targets_for(session, ticket, now, config)
    ticket.sla_policy_id = applied.policy_id
    if ticket.status == Status.WAITING_ON_CUSTOMER:
        ticket.sla_paused_at = ticket.sla_paused_at or now
    else:
        ticket.sla_paused_at = None
    pauses = pauses_for(session, ticket, now)
    calendar, start = applied.calendar, ticket.created_at

    if ticket.first_responded_at is None:
        ticket.sla_first_response_due = deadline_with_pauses(calendar, start, applied.target.first_response,
                                                             pauses, now)
        if _lies_ahead(ticket.sla_first_response_due, now):
            ticket.sla_first_response_breached_at = None
    ticket.sla_resolution_due = deadline_with_pauses(calendar, start, applied.target.resolution, pauses, now)
    ticket.sla_resolution_warn_at = deadline_with_pauses(calendar, start, applied.target.resolution * AT_RISK_SHARE,
                                                         pauses, now)
    if _lies_ahead(ticket.sla_resolution_due, now):
        ticket.sla_resolution_breached_at = None
    if _lies_ahead(ticket.sla_resolution_warn_at, now):
        ticket.sla_warned_at = None


def _lies_ahead(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


def deadlines_for(priority: str, created_at: datetime) -> tuple[datetime, datetime]:
    """First-response and resolution deadlines under the built-in targets and office hours, with no pauses.

    For callers without a session (demo data); tickets the app files go through `recompute`.
    """
    target = DEFAULT_TARGETS[Priority(priority)]
    calendar = business_calendar(BUILT_IN_CALENDAR, created_at.year - 1, created_at.year + 2)
    return (calendar.add_business_time(created_at, target.first_response),
            calendar.add_business_time(created_at, target.resolution))
