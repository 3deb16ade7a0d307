"""Business-hours calendar and paused SLA clocks: concrete tickets first, then properties checked by hypothesis."""

from __future__ import annotations

import time as clock
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk.sla.business_hours import BusinessCalendar, business_time_elapsed, deadline_with_pauses

KARACHI = ZoneInfo("Asia/Karachi")
NEW_YORK = ZoneInfo("America/New_York")
PK_CALENDAR = BusinessCalendar.with_public_holidays("PK", years=[2026, 2027])
ONE_DAY_WALL = timedelta(days=1)  # added to a datetime in a named zone: same wall-clock time the next day

# What holidays==0.108 lists for Pakistan in 2026. The Islamic dates are the package's estimates; if an upgrade
# moves them this test should fail loudly, because SLA deadlines move with them.
PK_HOLIDAYS_2026 = {
    date(2026, 2, 5): "Kashmir Solidarity Day",
    date(2026, 3, 20): "Eid al-Fitr",
    date(2026, 3, 21): "Eid al-Fitr",
    date(2026, 3, 23): "Pakistan Day",
    date(2026, 5, 1): "Labor Day",
    date(2026, 5, 26): "Eid al-Adha",
    date(2026, 5, 27): "Eid al-Adha",
    date(2026, 5, 28): "Eid al-Adha",  # also Youm-e-Takbeer
    date(2026, 6, 25): "Ashura",
    date(2026, 6, 26): "Ashura",
    date(2026, 8, 14): "Independence Day",
    date(2026, 8, 26): "Prophet's Birthday",
    date(2026, 11, 9): "Iqbal Day",
    date(2026, 12, 25): "Quaid-e-Azam Day",
}


def pkt(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=KARACHI)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def hours(count: float) -> timedelta:
    return timedelta(hours=count)


# ---------------------------------------------------------------- construction


def test_public_holidays_for_pakistan_2026_are_the_ones_the_package_lists() -> None:
    import holidays

    listed = holidays.country_holidays("PK", years=2026)
    assert set(listed) == set(PK_HOLIDAYS_2026)
    for day, name in PK_HOLIDAYS_2026.items():
        assert name in listed[day]
    assert set(PK_HOLIDAYS_2026) <= PK_CALENDAR.holidays


def test_default_holiday_years_cover_this_year_and_extra_company_days_are_added() -> None:
    this_year = datetime.now(UTC).year
    company_day = date(this_year, 1, 2)
    calendar = BusinessCalendar.with_public_holidays(holidays={company_day})
    assert date(this_year, 8, 14) in calendar.holidays
    assert date(this_year + 1, 8, 14) in calendar.holidays
    assert company_day in calendar.holidays


def test_keyword_arguments_reach_the_calendar() -> None:
    calendar = BusinessCalendar.with_public_holidays("US", years=[2026], timezone="America/New_York",
                                                     opens=time(8), closes=time(16))
    assert calendar.timezone == "America/New_York" and calendar.opens == time(8)
    assert date(2026, 7, 3) in calendar.holidays  # Independence Day (observed), a Friday


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"opens": time(9), "closes": time(9)}, "never open"),
        ({"opens": time(17), "closes": time(9)}, "before opening"),
        ({"working_days": frozenset()}, "at least one working day"),
        ({"working_days": frozenset({7})}, "weekday numbers"),
        ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"opens": time(9, tzinfo=UTC)}, "tzinfo"),
    ],
)
def test_impossible_calendars_are_refused(settings_: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar(**settings_)


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    naive = datetime(2026, 1, 12, 10)
    calendar = BusinessCalendar()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.is_open(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.next_opening(naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_business_time(naive, hours(1))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.business_time_between(pkt(2026, 1, 12), naive)
    with pytest.raises(ValueError, match="timezone-aware"):
        business_time_elapsed(calendar, pkt(2026, 1, 12), pkt(2026, 1, 13), [(naive, None)])
    with pytest.raises(ValueError, match="negative"):
        calendar.add_business_time(pkt(2026, 1, 12), -hours(1))
    with pytest.raises(ValueError, match="before it starts"):
        business_time_elapsed(calendar, pkt(2026, 1, 12), pkt(2026, 1, 13),
                              [(pkt(2026, 1, 12, 12), pkt(2026, 1, 12, 11))])


# ---------------------------------------------------------------- opening hours


def test_opening_is_inclusive_and_closing_is_exclusive() -> None:
    assert PK_CALENDAR.is_open(pkt(2026, 1, 12, 9, 0))  # Monday
    assert PK_CALENDAR.is_open(pkt(2026, 1, 12, 16, 59))
    assert not PK_CALENDAR.is_open(pkt(2026, 1, 12, 17, 0))
    assert not PK_CALENDAR.is_open(pkt(2026, 1, 12, 8, 59))
    assert not PK_CALENDAR.is_open(pkt(2026, 1, 10, 12, 0))  # Saturday
    assert not PK_CALENDAR.is_open(pkt(2026, 8, 14, 12, 0))  # Independence Day
    # The same instant written in UTC: 04:00Z is 09:00 in Karachi.
    assert PK_CALENDAR.is_open(utc(2026, 1, 12, 4, 0))
    assert not PK_CALENDAR.is_open(utc(2026, 1, 12, 3, 59))


def test_next_opening_is_the_moment_itself_when_open_and_always_utc() -> None:
    assert PK_CALENDAR.next_opening(pkt(2026, 1, 12, 11, 15)) == utc(2026, 1, 12, 6, 15)
    assert PK_CALENDAR.next_opening(pkt(2026, 1, 12, 11, 15)).tzinfo is UTC
    assert PK_CALENDAR.next_opening(pkt(2026, 1, 12, 7, 0)) == utc(2026, 1, 12, 4, 0)
    assert PK_CALENDAR.next_opening(pkt(2026, 1, 12, 17, 0)) == utc(2026, 1, 13, 4, 0)


# ---------------------------------------------------------------- tickets filed at awkward times


def test_ticket_filed_on_saturday_starts_its_clock_on_monday_at_nine() -> None:
    filed = pkt(2026, 1, 10, 11, 0)  # Saturday
    assert PK_CALENDAR.next_opening(filed) == pkt(2026, 1, 12, 9, 0)
    assert PK_CALENDAR.add_business_time(filed, hours(4)) == pkt(2026, 1, 12, 13, 0)
    assert PK_CALENDAR.add_business_time(filed, hours(4)) == utc(2026, 1, 12, 8, 0)
    assert PK_CALENDAR.business_time_between(filed, pkt(2026, 1, 12, 9, 0)) == timedelta(0)


def test_ticket_filed_on_independence_day_waits_for_the_next_working_day() -> None:
    filed = pkt(2026, 8, 14, 10, 0)  # Friday, a public holiday, then the weekend
    assert PK_CALENDAR.next_opening(filed) == pkt(2026, 8, 17, 9, 0)
    assert PK_CALENDAR.add_business_time(filed, hours(8)) == pkt(2026, 8, 17, 17, 0)


def test_ticket_filed_on_kashmir_day_counts_from_the_next_morning() -> None:
    filed = pkt(2026, 2, 5, 14, 0)  # Thursday, Kashmir Solidarity Day
    assert PK_CALENDAR.next_opening(filed) == pkt(2026, 2, 6, 9, 0)
    assert PK_CALENDAR.add_business_time(filed, hours(1)) == pkt(2026, 2, 6, 10, 0)


def test_eid_al_adha_closes_three_days_in_a_row() -> None:
    filed = pkt(2026, 5, 25, 16, 0)  # Monday; Tuesday to Thursday are Eid al-Adha
    assert PK_CALENDAR.add_business_time(filed, hours(2)) == pkt(2026, 5, 29, 10, 0)


def test_ticket_filed_after_hours_counts_from_the_next_morning() -> None:
    filed = pkt(2026, 1, 13, 18, 30)  # Tuesday evening
    assert PK_CALENDAR.next_opening(filed) == pkt(2026, 1, 14, 9, 0)
    assert PK_CALENDAR.add_business_time(filed, hours(2)) == pkt(2026, 1, 14, 11, 0)


def test_half_an_hour_before_closing_a_one_hour_target_runs_into_the_next_morning() -> None:
    assert PK_CALENDAR.add_business_time(pkt(2026, 1, 12, 16, 30), hours(1)) == pkt(2026, 1, 13, 9, 30)


def test_a_target_that_fills_the_day_ends_at_closing_time_not_next_morning() -> None:
    assert PK_CALENDAR.add_business_time(pkt(2026, 1, 12, 9, 0), hours(8)) == pkt(2026, 1, 12, 17, 0)
    assert PK_CALENDAR.add_business_time(pkt(2026, 1, 12, 9, 0), hours(40)) == pkt(2026, 1, 16, 17, 0)


def test_zero_duration_is_the_start_itself_even_when_closed() -> None:
    saturday = pkt(2026, 1, 10, 11, 0)
    assert PK_CALENDAR.add_business_time(saturday, timedelta(0)) == saturday
    assert PK_CALENDAR.add_business_time(saturday, timedelta(0)).tzinfo is UTC
    assert PK_CALENDAR.business_time_between(saturday, saturday) == timedelta(0)
    assert PK_CALENDAR.business_time_between(pkt(2026, 1, 12, 12), pkt(2026, 1, 12, 10)) == timedelta(0)


def test_durations_spanning_weeks_and_holidays() -> None:
    # 15 business days from Monday 2 Feb 2026: Kashmir Day (Thu 5 Feb) costs one day, so the 15th day ends on
    # Monday 23 Feb instead of Friday 20 Feb.
    assert PK_CALENDAR.add_business_time(pkt(2026, 2, 2, 9), hours(8 * 15)) == pkt(2026, 2, 23, 17)
    # Pakistan Day (Mon 23 Mar) and the Eid al-Fitr Friday (20 Mar) both fall inside these 3 weeks.
    assert PK_CALENDAR.business_time_between(pkt(2026, 3, 9), pkt(2026, 3, 30)) == hours(8 * 13)
    assert BusinessCalendar().business_time_between(pkt(2026, 3, 9), pkt(2026, 3, 30)) == hours(8 * 15)


def test_business_time_between_is_the_inverse_of_add_business_time() -> None:
    filed = pkt(2026, 1, 13, 18, 30)
    deadline = PK_CALENDAR.add_business_time(filed, hours(11.5))
    assert deadline == pkt(2026, 1, 15, 12, 30)
    assert PK_CALENDAR.business_time_between(filed, deadline) == hours(11.5)
    # And the other way round from an open moment: the open time up to it leads straight back to it.
    assert PK_CALENDAR.business_time_between(pkt(2026, 1, 12, 10), pkt(2026, 1, 14, 15, 45)) == hours(21.75)
    assert PK_CALENDAR.add_business_time(pkt(2026, 1, 12, 10), hours(21.75)) == pkt(2026, 1, 14, 15, 45)


# ---------------------------------------------------------------- daylight saving time


def test_daylight_saving_zone_keeps_local_opening_hours() -> None:
    calendar = BusinessCalendar(timezone="America/New_York")
    friday_afternoon = datetime(2026, 3, 6, 16, 0, tzinfo=NEW_YORK)  # EST, UTC-5; clocks go forward on Sunday
    deadline = calendar.add_business_time(friday_afternoon, hours(2))
    assert deadline == datetime(2026, 3, 9, 10, 0, tzinfo=NEW_YORK) == utc(2026, 3, 9, 14, 0)  # EDT, UTC-4
    assert calendar.business_time_between(friday_afternoon, deadline) == hours(2)


def test_a_clock_change_inside_opening_hours_shortens_or_lengthens_that_day() -> None:
    night_shift = BusinessCalendar(timezone="America/New_York", working_days=frozenset(range(7)),
                                   opens=time(1), closes=time(4))
    spring_forward, fall_back = date(2026, 3, 8), date(2026, 11, 1)
    for day, open_time in [(spring_forward, hours(2)), (fall_back, hours(4)), (date(2026, 3, 9), hours(3))]:
        midnight = datetime.combine(day, time(0), tzinfo=NEW_YORK)
        assert night_shift.business_time_between(midnight, midnight + ONE_DAY_WALL) == open_time
    assert night_shift.add_business_time(datetime(2026, 3, 8, 1, tzinfo=NEW_YORK), hours(2)) == utc(2026, 3, 8, 8)
    # A window wholly inside the skipped hour (02:30-03:00 does not exist that night) is no open time at all.
    vanishing = BusinessCalendar(timezone="America/New_York", working_days=frozenset(range(7)),
                                 opens=time(2, 30), closes=time(3))
    midnight = datetime.combine(spring_forward, time(0), tzinfo=NEW_YORK)
    assert vanishing.business_time_between(midnight, midnight + ONE_DAY_WALL) == timedelta(0)
    assert vanishing.next_opening(midnight) == datetime(2026, 3, 9, 2, 30, tzinfo=NEW_YORK)
    # Half-years, so the hour lost in March and the hour regained in November cannot cancel out: whole-week
    # skipping must still match day-by-day counting across each clock change.
    for start, end in [(utc(2026, 1, 1), utc(2026, 7, 1)), (utc(2026, 7, 1), utc(2027, 1, 1))]:
        open_time = night_shift.business_time_between(start, end)
        assert open_time == reference_business_time(night_shift, start, end)
        assert reference_business_time(night_shift, start, night_shift.add_business_time(start, open_time)) == open_time


# ---------------------------------------------------------------- paused clocks


def test_pause_over_a_weekend_only_excludes_the_open_time_it_covered() -> None:
    filed = pkt(2026, 1, 8, 9, 0)  # Thursday
    weekend_pause = [(pkt(2026, 1, 9, 16, 0), pkt(2026, 1, 12, 10, 0))]  # Friday 16:00 to Monday 10:00
    monday_noon = pkt(2026, 1, 12, 12, 0)
    assert PK_CALENDAR.business_time_between(filed, monday_noon) == hours(8 + 8 + 3)
    # Friday 16:00-17:00 and Monday 09:00-10:00 are excluded; the weekend was never open time anyway.
    assert business_time_elapsed(PK_CALENDAR, filed, monday_noon, weekend_pause) == hours(8 + 7 + 2)

    unpaused = deadline_with_pauses(PK_CALENDAR, filed, hours(24), [], now=monday_noon)
    paused = deadline_with_pauses(PK_CALENDAR, filed, hours(24), weekend_pause, now=monday_noon)
    assert unpaused == pkt(2026, 1, 12, 17, 0)
    assert paused == pkt(2026, 1, 13, 11, 0)
    assert paused == PK_CALENDAR.add_business_time(unpaused, hours(2))


def test_a_ticket_still_paused_has_no_deadline() -> None:
    filed = pkt(2026, 1, 8, 9, 0)
    still_paused = [(pkt(2026, 1, 8, 10, 0), pkt(2026, 1, 8, 11, 0)), (pkt(2026, 1, 9, 16, 0), None)]
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(24), still_paused, now=pkt(2026, 1, 12, 12)) is None
    # While paused, the elapsed time stops growing at the pause start.
    assert business_time_elapsed(PK_CALENDAR, filed, pkt(2026, 1, 12, 12), still_paused) == hours(8 - 1 + 7)


def test_a_pause_with_a_resume_time_still_ahead_already_gives_the_deadline() -> None:
    filed = pkt(2026, 1, 8, 9, 0)
    pending_on_customer_until_monday = [(pkt(2026, 1, 9, 16, 0), pkt(2026, 1, 12, 10, 0))]
    friday_evening = pkt(2026, 1, 9, 16, 30)
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(24), pending_on_customer_until_monday,
                                now=friday_evening) == pkt(2026, 1, 13, 11, 0)


def test_overlapping_pauses_and_pauses_outside_the_range_are_counted_once() -> None:
    start, end = pkt(2026, 1, 12, 9), pkt(2026, 1, 12, 17)
    pauses = [
        (pkt(2026, 1, 12, 10), pkt(2026, 1, 12, 12)),
        (pkt(2026, 1, 12, 11), pkt(2026, 1, 12, 13)),  # overlaps the first: 10:00-13:00 in all
        (pkt(2026, 1, 9, 10), pkt(2026, 1, 9, 12)),  # before start
        (pkt(2026, 1, 12, 16), pkt(2026, 1, 13, 12)),  # runs past end
        (utc(2026, 1, 12, 7, 30), utc(2026, 1, 12, 7, 30)),  # empty
    ]
    assert business_time_elapsed(PK_CALENDAR, start, end, pauses) == hours(8 - 3 - 1)


def test_pauses_from_before_the_clock_started_only_count_from_the_start() -> None:
    filed = pkt(2026, 1, 12, 10, 0)
    earlier_pause = [(pkt(2026, 1, 9, 10, 0), pkt(2026, 1, 9, 12, 0))]
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(2), earlier_pause, now=filed) == pkt(2026, 1, 12, 12)
    straddling_pause = [(pkt(2026, 1, 12, 8, 0), pkt(2026, 1, 12, 11, 0))]
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(2), straddling_pause, now=filed) == pkt(2026, 1, 12, 13)
    assert deadline_with_pauses(PK_CALENDAR, filed, timedelta(0), straddling_pause, now=filed) == filed


def test_clock_that_ran_out_before_it_was_paused_keeps_its_past_deadline() -> None:
    filed = pkt(2026, 1, 12, 9, 0)
    late_pause = [(pkt(2026, 1, 12, 15, 0), pkt(2026, 1, 13, 12, 0))]
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(2), late_pause, now=pkt(2026, 1, 13, 12)) == pkt(
        2026, 1, 12, 11, 0)


def test_priority_change_recomputes_the_deadline_from_the_original_start() -> None:
    filed = pkt(2026, 1, 12, 10, 0)  # Monday, filed as medium (8 business hours)
    lunch_pause = [(pkt(2026, 1, 12, 12, 0), pkt(2026, 1, 12, 13, 0))]
    escalated_at = pkt(2026, 1, 12, 15, 0)
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(8), lunch_pause, now=escalated_at) == pkt(2026, 1, 13, 11)
    # Raised to high (4 business hours) at 15:00: 10-12 and 13-15 already used the 4 hours, so it is due now.
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(4), lunch_pause, now=escalated_at) == escalated_at
    # Raised to critical (1 business hour): the deadline lies in the past, the SLA is breached as of 11:00.
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(1), lunch_pause, now=escalated_at) == pkt(2026, 1, 12, 11)
    # Lowered to low (24 business hours): counted from 10:00 Monday, not from the change at 15:00.
    assert deadline_with_pauses(PK_CALENDAR, filed, hours(24), lunch_pause, now=escalated_at) == pkt(2026, 1, 15, 11)


# ---------------------------------------------------------------- speed


def test_whole_weeks_are_skipped_so_long_ranges_stay_cheap() -> None:
    # A guard against per-minute or per-hour stepping (hundreds of times slower), not a benchmark: the bound is
    # generous for shared CI machines, typical timings are 10-300 microseconds per call.
    repetitions = 200
    began = clock.perf_counter()
    for _ in range(repetitions):
        PK_CALENDAR.add_business_time(pkt(2026, 1, 10, 11), hours(8 * 5))
        PK_CALENDAR.business_time_between(pkt(2026, 1, 10, 11), pkt(2027, 1, 10, 11))
        PK_CALENDAR.add_business_time(pkt(2026, 1, 10, 11), hours(8 * 200))
    per_round = (clock.perf_counter() - began) / repetitions
    assert per_round < 0.005


# ---------------------------------------------------------------- properties

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)

any_instant_2026 = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.sampled_from([UTC, KARACHI])
)
business_durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))  # up to ~120 business days


def reference_business_time(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """Day-by-day count without any skipping, to check the week-skipping shortcut against."""
    zone = ZoneInfo(calendar.timezone)
    total = timedelta(0)
    day = start.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if day.weekday() in calendar.working_days and day not in calendar.holidays:
            opens = datetime.combine(day, calendar.opens, tzinfo=zone).astimezone(UTC)
            closes = datetime.combine(day, calendar.closes, tzinfo=zone).astimezone(UTC)
            total += max(timedelta(0), min(closes, end) - max(opens, start))
        day += timedelta(days=1)
    return total


# Paused-clock property on a 15-minute grid, so an independent slot count is exact: three weeks from Monday
# 3 Aug 2026 (including Independence Day), in Karachi where 09:00-17:00 is 04:00-12:00 UTC.
GRID_ORIGIN = utc(2026, 8, 2, 19, 0)  # Monday 00:00 in Karachi
SLOT = timedelta(minutes=15)
GRID_SLOTS = 21 * 24 * 4


def slot_time(index: int) -> datetime:
    return GRID_ORIGIN + index * SLOT


def slot_is_open(index: int) -> bool:
    local = slot_time(index).astimezone(KARACHI)
    return (local.weekday() < 5 and local.date() not in PK_CALENDAR.holidays
            and time(9) <= local.time() < time(17))


grid_pauses = st.lists(
    st.tuples(st.integers(-200, GRID_SLOTS + 200), st.one_of(st.none(), st.integers(0, 4 * 24 * 4))),
    max_size=5,
)


@PROPERTY_SETTINGS
@given(
    first=st.integers(0, GRID_SLOTS),
    second=st.integers(0, GRID_SLOTS),
    raw_pauses=grid_pauses,
)
def test_time_never_accrues_while_paused_or_closed(first: int, second: int, raw_pauses: list) -> None:
    start_slot, end_slot = sorted((first, second))
    pause_slots = [(begin, None if length is None else begin + length) for begin, length in raw_pauses]
    pauses = [(slot_time(begin), None if finish is None else slot_time(finish)) for begin, finish in pause_slots]

    def paused(index: int) -> bool:
        return any(begin <= index < (end_slot if finish is None else finish) for begin, finish in pause_slots)

    open_slots = [index for index in range(start_slot, end_slot) if slot_is_open(index)]
    start, end = slot_time(start_slot), slot_time(end_slot)
    elapsed = business_time_elapsed(PK_CALENDAR, start, end, pauses)
    total = PK_CALENDAR.business_time_between(start, end)

    assert total == len(open_slots) * SLOT
    assert elapsed <= total
    assert total - elapsed == sum(paused(index) for index in open_slots) * SLOT


@PROPERTY_SETTINGS
@given(
    start=any_instant_2026,
    cuts=st.lists(any_instant_2026, min_size=2, max_size=2),
    pauses=st.lists(st.tuples(any_instant_2026, st.one_of(st.none(), business_durations)), max_size=4),
)
def test_elapsed_time_splits_at_any_moment(start: datetime, cuts: list, pauses: list) -> None:
    middle, end = sorted(cuts)
    start = min(start, middle)
    pause_intervals = [(begin, None if length is None else begin + length) for begin, length in pauses]
    whole = business_time_elapsed(PK_CALENDAR, start, end, pause_intervals)
    # An open pause runs until the end of whichever range is measured, so split only with closed pauses.
    closed = [(begin, finish) for begin, finish in pause_intervals if finish is not None]
    if len(closed) == len(pause_intervals):
        halves = (business_time_elapsed(PK_CALENDAR, start, middle, closed)
                  + business_time_elapsed(PK_CALENDAR, middle, end, closed))
        assert halves == whole
    assert timedelta(0) <= whole <= PK_CALENDAR.business_time_between(start, end)


@PROPERTY_SETTINGS
@given(start=any_instant_2026, durations=st.lists(business_durations, min_size=2, max_size=2))
def test_adding_business_time_is_monotonic_and_round_trips(start: datetime, durations: list) -> None:
    shorter, longer = sorted(durations)
    early, late = PK_CALENDAR.add_business_time(start, shorter), PK_CALENDAR.add_business_time(start, longer)
    assert early <= late
    assert early.tzinfo is UTC
    assert PK_CALENDAR.business_time_between(start, early) == shorter
    assert PK_CALENDAR.business_time_between(start, late) == longer
    assert PK_CALENDAR.business_time_between(start, late) == reference_business_time(PK_CALENDAR, start, late)


@PROPERTY_SETTINGS
@given(start=any_instant_2026, duration=business_durations.filter(lambda d: d > timedelta(0)))
def test_deadlines_fall_inside_opening_hours_or_exactly_at_closing(start: datetime, duration: timedelta) -> None:
    deadline = PK_CALENDAR.add_business_time(start, duration)
    assert PK_CALENDAR.is_open(deadline - timedelta(microseconds=1))
    local = deadline.astimezone(KARACHI)
    assert PK_CALENDAR.is_open(deadline) or local.time() == PK_CALENDAR.closes


@PROPERTY_SETTINGS
@given(
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(NEW_YORK)),
    duration=business_durations,
    company_days=st.sets(st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 6, 30)), max_size=20),
)
def test_daylight_saving_zone_round_trips_and_matches_day_by_day_counting(
    start: datetime, duration: timedelta, company_days: set
) -> None:
    calendar = BusinessCalendar(timezone="America/New_York", holidays=frozenset(company_days))
    deadline = calendar.add_business_time(start, duration)
    assert calendar.business_time_between(start, deadline) == duration
    assert reference_business_time(calendar, start, deadline) == duration


@PROPERTY_SETTINGS
@given(
    start=any_instant_2026,
    target=business_durations,
    pause_start_offset=business_durations,
    pause_length=business_durations,
)
def test_a_resumed_pause_pushes_the_deadline_by_exactly_its_open_time(
    start: datetime, target: timedelta, pause_start_offset: timedelta, pause_length: timedelta
) -> None:
    pause = (start + pause_start_offset, start + pause_start_offset + pause_length)
    now = pause[1]
    unpaused = deadline_with_pauses(PK_CALENDAR, start, target, [], now=now)
    paused = deadline_with_pauses(PK_CALENDAR, start, target, [pause], now=now)
    assert unpaused == PK_CALENDAR.add_business_time(start, target)
    assert paused is not None and unpaused is not None
    if pause[0] < unpaused:
        assert paused == PK_CALENDAR.add_business_time(unpaused, PK_CALENDAR.business_time_between(*pause))
    else:
        assert paused == unpaused  # a pause after the clock ran out changes nothing
    # The spec's formulation: from the later of now and the resume, add what is left of the target.
    used = business_time_elapsed(PK_CALENDAR, start, now, [pause])
    if used < target:
        assert paused == PK_CALENDAR.add_business_time(max(now, pause[1]), target - used)
