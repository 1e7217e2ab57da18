"""Specification of weekly on/off schedules (`WeeklySchedule`, `parse_weekly`)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.scenario import WeeklySchedule, format_weekly, parse_weekly

H = 3600
DAY = 24 * H
WEEK = 7 * DAY


def test_office_hours_are_on_during_weekdays_only() -> None:
    """ "Mon-Fri 08:00-18:00" is on from 08:00 (inclusive) to 18:00 (exclusive), Monday-Friday."""
    office = parse_weekly("Mon-Fri 08:00-18:00")
    assert not office.is_on(7 * H + 3599)
    assert office.is_on(8 * H)
    assert office.is_on(4 * DAY + 17 * H + 59 * 60)
    assert not office.is_on(4 * DAY + 18 * H)
    assert not office.is_on(5 * DAY + 12 * H)


def test_several_items_and_day_ranges_combine() -> None:
    """Comma-separated items add windows; Saturday has its own short window."""
    schedule = parse_weekly("Mon-Fri 08:00-18:00, Sat 10:00-12:00")
    assert schedule.is_on(5 * DAY + 11 * H)
    assert not schedule.is_on(6 * DAY + 11 * H)


def test_always_and_never() -> None:
    """ "always" is on at every moment, "never" at none; neither ever changes."""
    always, never = parse_weekly("always"), parse_weekly("never")
    assert always.is_on(12345) and not never.is_on(12345)
    assert always.next_change(0) == math.inf
    assert never.next_change(0) == math.inf


def test_windows_crossing_midnight_are_split_across_days() -> None:
    """ "Mon-Fri 22:00-06:00" is on Monday night into Tuesday morning, and Friday into Saturday."""
    night = parse_weekly("Mon-Fri 22:00-06:00")
    assert night.is_on(23 * H)
    assert night.is_on(DAY + 5 * H)
    assert not night.is_on(DAY + 7 * H)
    assert night.is_on(5 * DAY + 5 * H)
    assert not night.is_on(3 * H)
    assert (0, 22 * H, DAY) in night.windows and (1, 0, 6 * H) in night.windows


def test_an_end_of_24_00_reaches_midnight() -> None:
    """24:00 is allowed as the end of a window."""
    evening = parse_weekly("Sun 18:00-24:00")
    assert evening.is_on(6 * DAY + 23 * H + 3599)
    assert not evening.is_on(0)


def test_next_change_gives_seconds_until_the_state_flips() -> None:
    """While on, it is the time until the window ends; while off, until the next one starts."""
    office = parse_weekly("Mon-Fri 08:00-18:00")
    assert office.next_change(0) == 8 * H
    assert office.next_change(9 * H) == 9 * H
    assert office.next_change(4 * DAY + 18 * H) == 2 * DAY + 14 * H  # Friday 18:00 -> Monday 08:00


def test_touching_windows_count_as_one_stretch() -> None:
    """Sunday 22:00-24:00 and Monday 00:00-06:00 are one stretch across the week boundary."""
    schedule = parse_weekly("Sun 22:00-24:00, Mon 00:00-06:00")
    assert schedule.next_change(6 * DAY + 23 * H) == 7 * H


def test_times_are_taken_modulo_a_week() -> None:
    """Any time maps onto the week, so schedules can be evaluated at (offset + t)."""
    office = parse_weekly("Mon-Fri 08:00-18:00")
    assert office.is_on(3 * WEEK + 9 * H)


@pytest.mark.parametrize(
    ("bad", "hint"),
    [
        ("Mon-Fri 8-18", "'8' is not HH:MM"),
        ("Mo-Fr 08:00-18:00", "'Mo' is not a day"),
        ("Mon 08:00-08:00", "empty window"),
        ("Mon 08:00-25:00", "not a time of day"),
        ("Mon 08:00", "not HH:MM-HH:MM"),
        ("", "empty item"),
    ],
)
def test_bad_schedules_say_what_is_wrong(bad: str, hint: str) -> None:
    """Errors quote the expected form and point at the bad part."""
    with pytest.raises(ValueError, match="expected a weekly schedule") as info:
        parse_weekly(bad)
    assert hint in str(info.value)


def test_format_groups_days_with_equal_windows() -> None:
    """The canonical text groups consecutive days and reads back to an equal schedule."""
    schedule = parse_weekly("Mon-Fri 08:00-12:00, Mon-Fri 13:00-18:00, sat 10:00-12:00")
    assert format_weekly(schedule) == "Mon-Fri 08:00-12:00 13:00-18:00, Sat 10:00-12:00"
    assert format_weekly(parse_weekly("Mon-Sun 00:00-24:00")) == "always"
    assert parse_weekly("daily") == WeeklySchedule.always()


minute = st.integers(min_value=0, max_value=24 * 60)
window = st.tuples(st.integers(0, 6), minute, minute).filter(lambda w: w[1] < w[2])
schedules = st.lists(window, max_size=6).map(
    lambda ws: WeeklySchedule(tuple((d, s * 60.0, e * 60.0) for d, s, e in ws))
)


@given(schedules)
def test_format_and_parse_round_trip(schedule: WeeklySchedule) -> None:
    """parse_weekly(format_weekly(s)) == s for any schedule of whole-minute windows."""
    assert parse_weekly(format_weekly(schedule)) == schedule


@given(schedules, st.integers(min_value=0, max_value=WEEK - 1))
def test_next_change_agrees_with_is_on(schedule: WeeklySchedule, t: int) -> None:
    """The state holds until t + next_change(t) and is flipped exactly there."""
    gap = schedule.next_change(t)
    state = schedule.is_on(t)
    if gap == math.inf:
        assert schedule.on_seconds in (0, WEEK)
        return
    assert 0 < gap <= WEEK
    assert schedule.is_on(t + gap) != state
    assert schedule.is_on(t + gap - 1) == state
    assert schedule.is_on(t + gap / 2) == state
