"""Business-hours arithmetic for SLA clocks: when is the desk open, and when does a target run out.

Pure functions over a `BusinessCalendar` value; no database, no I/O (the `holidays` package is a static table).

Conventions:

* Every datetime passed in must be timezone-aware (naive input raises ValueError); every datetime returned is in UTC.
* Opening hours are evaluated in the calendar's own time zone, one local day at a time: each open day's window is
  built from local wall-clock times and only then converted to UTC, so zones with daylight saving get the right
  instants and a shortened or lengthened day where a clock change falls inside opening hours.
* A day's window is half-open, [opens, closes): at exactly `closes` the desk is closed.
* A deadline lands inside a window or exactly on its closing instant, never on the next opening: 8 hours from
  Monday 09:00 is Monday 17:00, not Tuesday 09:00. Hence `add_business_time(start, d) - 1 microsecond` is always
  open time for d > 0.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as public_holidays

ONE_DAY = timedelta(days=1)
ONE_WEEK = timedelta(days=7)
ZERO = timedelta(0)

# A pause as recorded on a ticket: (paused_at, resumed_at), where resumed_at is None while still paused.
Pause = tuple[datetime, datetime | None]


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {moment!r}")


def _default_holiday_years() -> range:
    # Covers tickets filed late last year whose clocks are still running, and deadlines computed well ahead.
    this_year = datetime.now(UTC).year
    return range(this_year - 1, this_year + 3)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on working days, minus holidays, in one time zone.

    Holidays are only known for the dates given; `with_public_holidays` loads a few years around today, so a
    calendar used for dates far outside that range treats those years as having no public holidays.
    """

    timezone: str = "Asia/Karachi"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})  # Monday=0, as date.weekday()
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        # Accept any iterable (a set, a list) so callers need not spell frozenset; the value stays hashable.
        object.__setattr__(self, "working_days", frozenset(self.working_days))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        if not self.working_days:
            raise ValueError("A business calendar needs at least one working day")
        if not self.working_days <= set(range(7)):
            raise ValueError(f"Working days are weekday numbers 0 (Monday) to 6, got {sorted(self.working_days)}")
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            raise ValueError("Opening and closing times are local wall-clock times and must not carry a tzinfo")
        if self.opens == self.closes:
            raise ValueError(f"Opening and closing at the same time ({self.opens}) means never open")
        if self.opens > self.closes:
            # Overnight shifts would make one window span two local dates; no desk needs that yet.
            raise ValueError(f"Closing time {self.closes} is before opening time {self.opens}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"Unknown time zone {self.timezone!r}") from error

    @classmethod
    def with_public_holidays(
        cls,
        country: str = "PK",
        years: Iterable[int] | None = None,
        **kwargs: Any,
    ) -> BusinessCalendar:
        """A calendar closed on the country's public holidays; `holidays=` in kwargs adds company-specific days."""
        chosen_years = list(_default_holiday_years() if years is None else years)
        national = public_holidays.country_holidays(country, years=chosen_years)
        extra_days = frozenset(kwargs.pop("holidays", frozenset()))
        return cls(holidays=frozenset(national.keys()) | extra_days, **kwargs)

    # ------------------------------------------------------------------ derived constants

    @cached_property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _daily_open_time(self) -> timedelta:
        # Wall-clock length; equals the UTC length on every day without a clock change inside opening hours.
        return datetime.combine(date.min, self.closes) - datetime.combine(date.min, self.opens)

    @cached_property
    def _sorted_holidays(self) -> tuple[date, ...]:
        return tuple(sorted(self.holidays))

    @cached_property
    def _weekly_open_time(self) -> timedelta:
        return self._daily_open_time * len(self.working_days)

    # ------------------------------------------------------------------ per-day building blocks

    def _local_date(self, moment: datetime) -> date:
        return moment.astimezone(self._zone).date()

    def _open_window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's [opens, closes) as UTC instants, or None when the desk is shut all day."""
        if day.weekday() not in self.working_days or day in self.holidays:
            return None
        opens_at = datetime.combine(day, self.opens, tzinfo=self._zone).astimezone(UTC)
        closes_at = datetime.combine(day, self.closes, tzinfo=self._zone).astimezone(UTC)
        if closes_at <= opens_at:
            # Only possible when a clock change swallows the whole window; treat the day as shut.
            return None
        return opens_at, closes_at

    def _is_ordinary_week(self, first_day: date) -> bool:
        """True when the 7 days from first_day hold exactly the usual weekly open time, so they can be skipped whole.

        A week qualifies when it has no holiday and the zone's UTC offset is the same at both ends. Zones do not
        change offset twice within a week, so an equal offset means no clock change fell inside any window.
        """
        holidays = self._sorted_holidays
        first_holiday_from_then = bisect_left(holidays, first_day)
        if first_holiday_from_then < len(holidays) and holidays[first_holiday_from_then] < first_day + ONE_WEEK:
            return False
        offset_before = datetime.combine(first_day, time(0), tzinfo=self._zone).utcoffset()
        offset_after = datetime.combine(first_day + ONE_WEEK, time(0), tzinfo=self._zone).utcoffset()
        return offset_before == offset_after

    # ------------------------------------------------------------------ public API

    def is_open(self, moment: datetime) -> bool:
        _require_aware(moment, "moment")
        window = self._open_window(self._local_date(moment))
        return window is not None and window[0] <= moment < window[1]

    def next_opening(self, moment: datetime) -> datetime:
        """The first open instant at or after moment (moment itself, in UTC, when the desk is open then)."""
        _require_aware(moment, "moment")
        day = self._local_date(moment)
        while True:
            window = self._open_window(day)
            if window is not None and moment < window[1]:
                return max(window[0], moment.astimezone(UTC))
            day += ONE_DAY

    def add_business_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant at which `duration` of open time has elapsed since start.

        A zero duration gives start itself (in UTC): nothing needs to elapse. For a positive duration the result lies
        inside a window or exactly at its closing instant.
        """
        _require_aware(start, "start")
        if duration < ZERO:
            raise ValueError(f"Business time to add must not be negative, got {duration}")
        start = start.astimezone(UTC)
        if duration == ZERO:
            return start
        remaining = duration
        first_day = self._local_date(start)
        day = first_day
        # The start day may be partly used up, so whole-week skipping begins the day after; after a failed check
        # (a holiday or clock change ahead) the next 7 days go one by one before checking again.
        per_day_until = first_day + ONE_DAY
        while True:
            # Strictly greater: a target that ends exactly with a week must land on that week's last closing time.
            if day >= per_day_until and remaining > self._weekly_open_time:
                if self._is_ordinary_week(day):
                    remaining -= self._weekly_open_time
                    day += ONE_WEEK
                    continue
                per_day_until = day + ONE_WEEK
            window = self._open_window(day)
            if window is not None:
                counting_from = max(window[0], start)
                if counting_from < window[1]:
                    available = window[1] - counting_from
                    if remaining <= available:
                        return counting_from + remaining
                    remaining -= available
            day += ONE_DAY

    def business_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time inside [start, end); zero when end is not after start."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        if end <= start:
            return ZERO
        first_day = self._local_date(start)
        last_day = self._local_date(end)
        total = ZERO
        day = first_day
        per_day_until = first_day + ONE_DAY  # as in add_business_time
        while day <= last_day:
            # Whole weeks strictly between the end days lie entirely inside [start, end).
            if day >= per_day_until and day + ONE_WEEK <= last_day:
                if self._is_ordinary_week(day):
                    total += self._weekly_open_time
                    day += ONE_WEEK
                    continue
                per_day_until = day + ONE_WEEK
            window = self._open_window(day)
            if window is not None:
                overlap = min(window[1], end) - max(window[0], start)
                if overlap > ZERO:
                    total += overlap
            day += ONE_DAY
        return total


# ---------------------------------------------------------------------- paused SLA clocks


def _closed_pauses(pauses: Sequence[Pause], open_pause_ends_at: datetime | None) -> list[tuple[datetime, datetime]]:
    """Pauses as sorted, non-overlapping UTC intervals; an open pause ends at open_pause_ends_at."""
    intervals: list[tuple[datetime, datetime]] = []
    for paused_at, resumed_at in pauses:
        _require_aware(paused_at, "pause start")
        if resumed_at is None:
            if open_pause_ends_at is None:
                raise ValueError("An open pause has no end to measure up to")
            resumed_at = max(open_pause_ends_at, paused_at)
        _require_aware(resumed_at, "pause end")
        if resumed_at < paused_at:
            raise ValueError(f"Pause ends ({resumed_at}) before it starts ({paused_at})")
        intervals.append((paused_at.astimezone(UTC), resumed_at.astimezone(UTC)))
    merged: list[tuple[datetime, datetime]] = []
    for paused_at, resumed_at in sorted(intervals):
        if merged and paused_at <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], resumed_at))
        else:
            merged.append((paused_at, resumed_at))
    return merged


def business_time_elapsed(
    calendar: BusinessCalendar,
    start: datetime,
    end: datetime,
    pauses: Sequence[Pause],
) -> timedelta:
    """Open time in [start, end) outside every pause; a pause still open (end None) runs until `end`.

    Pauses may overlap each other or reach outside [start, end): only their union inside the range is excluded.
    """
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return ZERO
    paused = ZERO
    for paused_at, resumed_at in _closed_pauses(pauses, open_pause_ends_at=end):
        paused += calendar.business_time_between(max(paused_at, start), min(resumed_at, end))
    return calendar.business_time_between(start, end) - paused


def deadline_with_pauses(
    calendar: BusinessCalendar,
    start: datetime,
    target: timedelta,
    pauses: Sequence[Pause],
    now: datetime,
) -> datetime | None:
    """When a clock of `target` business time, started at start and stopped during pauses, runs out.

    None while the clock is stopped by an open pause (the deadline depends on when it resumes). Otherwise the
    earliest instant by which `target` of unpaused open time has elapsed. When all pauses are behind `now` this is
    add_business_time(max(now, last resume), target - elapsed so far); walking the pauses in order also gives the
    right answer for a pause scheduled to end in the future and for a clock that ran out before it was paused
    (a past deadline: the SLA is already breached). A pause therefore pushes the deadline by exactly the open time
    it covered before the deadline, and a changed target (new priority) is measured again from the original start.
    """
    _require_aware(start, "start")
    _require_aware(now, "now")
    if target < ZERO:
        raise ValueError(f"SLA target must not be negative, got {target}")
    if any(resumed_at is None for _, resumed_at in pauses):
        return None
    clock_runs_from = start.astimezone(UTC)
    if target == ZERO:
        # Due the moment it starts, even if a pause was already running then: nothing has to elapse.
        return clock_runs_from
    remaining = target
    for paused_at, resumed_at in _closed_pauses(pauses, open_pause_ends_at=None):
        if resumed_at <= clock_runs_from:
            continue
        if paused_at > clock_runs_from:
            running = calendar.business_time_between(clock_runs_from, paused_at)
            if remaining <= running:
                return calendar.add_business_time(clock_runs_from, remaining)
            remaining -= running
        clock_runs_from = resumed_at
    return calendar.add_business_time(clock_runs_from, remaining)
