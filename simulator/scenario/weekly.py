"""Weekly on/off schedules ("Mon-Fri 08:00-18:00, Sat 10:00-12:00", "always", "never").

Devices use them for when they are online; the world asks `is_on` and `next_change` with
seconds since Monday 00:00, so it can sleep until the next flip instead of polling.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field

DAY = 86400
WEEK = 7 * DAY
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_GROUPS = {"daily": range(7), "weekdays": range(5), "weekends": range(5, 7)}
_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_EXPECTED = 'a weekly schedule like "Mon-Fri 08:00-18:00, Sat 10:00-12:00", "always" or "never"'

Window = tuple[int, float, float]


@dataclass(frozen=True)
class WeeklySchedule:
    """A set of (weekday 0=Mon..6=Sun, start_s, end_s) windows within a day; on inside them.

    Windows are normalised on construction (sorted, overlapping ones merged), so two
    schedules that are on at the same times compare equal.
    """

    windows: tuple[Window, ...] = ()
    _spans: tuple[tuple[float, float], ...] = field(
        init=False, default=(), compare=False, repr=False
    )

    def __post_init__(self) -> None:
        """Normalise the windows and precompute merged spans over two weeks for queries."""
        normal = _normalise(self.windows)
        object.__setattr__(self, "windows", normal)
        week = [(d * DAY + s, d * DAY + e) for d, s, e in normal]
        object.__setattr__(self, "_spans", _merge(week + [(s + WEEK, e + WEEK) for s, e in week]))

    @classmethod
    def always(cls) -> WeeklySchedule:
        """A schedule that is on at every moment."""
        return cls(tuple((d, 0.0, float(DAY)) for d in range(7)))

    @classmethod
    def never(cls) -> WeeklySchedule:
        """A schedule that is never on."""
        return cls(())

    @property
    def on_seconds(self) -> float:
        """Total seconds per week this schedule is on."""
        return sum(e - s for _, s, e in self.windows)

    def is_on(self, t_week_s: float) -> bool:
        """Whether the schedule is on at t_week_s seconds after Monday 00:00 (taken mod a week)."""
        t = t_week_s % WEEK
        i = bisect.bisect_right(self._spans, (t, math.inf)) - 1
        return i >= 0 and self._spans[i][0] <= t < self._spans[i][1]

    def next_change(self, t_week_s: float) -> float:
        """Seconds from t_week_s until the state flips; math.inf if it never does."""
        if self.on_seconds in (0, WEEK):
            return math.inf
        t = t_week_s % WEEK
        i = bisect.bisect_right(self._spans, (t, math.inf)) - 1
        if i >= 0 and self._spans[i][0] <= t < self._spans[i][1]:
            return self._spans[i][1] - t
        return self._spans[i + 1][0] - t

    def __str__(self) -> str:
        """The canonical text form, which `parse_weekly` reads back to an equal schedule."""
        return format_weekly(self)


def _merge(spans: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """Sort spans and merge those that overlap or touch."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _normalise(windows: tuple[Window, ...] | list[Window]) -> tuple[Window, ...]:
    """Check every window lies within its day and merge overlapping windows per day."""
    out: list[Window] = []
    for day in range(7):
        spans = []
        for d, start, end in windows:
            if not (0 <= d <= 6 and 0 <= start < end <= DAY):
                raise ValueError(f"bad schedule window {(d, start, end)!r}")
            if d == day:
                spans.append((float(start), float(end)))
        out.extend((day, s, e) for s, e in _merge(spans))
    return tuple(out)


def parse_weekly(value: object) -> WeeklySchedule:
    """Parse "always", "never" or comma-separated "DAYS HH:MM-HH:MM ..." items into a schedule.

    DAYS is a day (Mon), a range (Mon-Fri, Fri-Mon wraps), daily, weekdays or weekends; with
    no times the whole day is on. A window may end at 24:00 or cross midnight (22:00-06:00).
    """
    if not isinstance(value, str):
        raise ValueError(f"expected {_EXPECTED}, got {value!r}")
    text = value.strip()
    if text.lower() == "always":
        return WeeklySchedule.always()
    if text.lower() == "never":
        return WeeklySchedule.never()
    windows: list[Window] = []
    for item in text.split(","):
        windows.extend(_parse_item(item.strip(), value))
    return WeeklySchedule(tuple(windows))


def _parse_item(item: str, whole: str) -> list[Window]:
    """Parse one "DAYS [HH:MM-HH:MM ...]" item into windows, splitting those past midnight."""
    words = item.split()
    if not words:
        raise ValueError(f"expected {_EXPECTED}, got {whole!r} (empty item)")
    days = _parse_days(words[0], whole)
    ranges = [_parse_range(word, whole) for word in words[1:]] or [(0, DAY)]
    windows: list[Window] = []
    for day in days:
        for start, end in ranges:
            if start < end:
                windows.append((day, start, end))
            else:
                windows.append((day, start, DAY))
                if end > 0:
                    windows.append(((day + 1) % 7, 0, end))
    return windows


def _day_index(name: str, whole: str) -> int:
    """Map a three-letter day name (any case) to 0=Mon..6=Sun."""
    lowered = [d.lower() for d in DAY_NAMES]
    if name.lower() not in lowered:
        raise ValueError(
            f"expected {_EXPECTED}, got {whole!r} ({name!r} is not a day: use Mon..Sun)"
        )
    return lowered.index(name.lower())


def _parse_days(word: str, whole: str) -> list[int]:
    """Parse "Mon", "Mon-Fri", "Fri-Mon", "daily", "weekdays" or "weekends" into day indexes."""
    if word.lower() in _DAY_GROUPS:
        return list(_DAY_GROUPS[word.lower()])
    first, _, last = word.partition("-")
    start = _day_index(first, whole)
    end = _day_index(last, whole) if last else start
    return [(start + i) % 7 for i in range((end - start) % 7 + 1)]


def _parse_clock(text: str, whole: str) -> int:
    """Parse "HH:MM" or "HH:MM:SS" (00:00..24:00) into seconds after midnight."""
    match = _TIME.fullmatch(text)
    if match is None:
        raise ValueError(f"expected {_EXPECTED}, got {whole!r} ({text!r} is not HH:MM)")
    h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    seconds = h * 3600 + m * 60 + s
    if m > 59 or s > 59 or seconds > DAY:
        raise ValueError(f"expected {_EXPECTED}, got {whole!r} ({text!r} is not a time of day)")
    return seconds


def _parse_range(word: str, whole: str) -> tuple[int, int]:
    """Parse "HH:MM-HH:MM" into (start_s, end_s); an end before the start crosses midnight."""
    first, sep, last = word.partition("-")
    if not sep:
        raise ValueError(f"expected {_EXPECTED}, got {whole!r} ({word!r} is not HH:MM-HH:MM)")
    start, end = _parse_clock(first, whole), _parse_clock(last, whole)
    if start in (DAY, end):
        raise ValueError(f"expected {_EXPECTED}, got {whole!r} ({word!r} is an empty window)")
    return start, end


def _clock(seconds: float) -> str:
    """Write seconds after midnight as HH:MM, or HH:MM:SS when not on a whole minute."""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def format_weekly(schedule: WeeklySchedule) -> str:
    """Write a schedule canonically: "always", "never" or items grouping consecutive equal days."""
    if schedule.on_seconds == 0:
        return "never"
    if schedule.on_seconds == WEEK:
        return "always"
    per_day = [tuple((s, e) for d, s, e in schedule.windows if d == day) for day in range(7)]
    items: list[str] = []
    day = 0
    while day < 7:
        last = day
        while last + 1 < 7 and per_day[last + 1] == per_day[day]:
            last += 1
        if per_day[day]:
            days = DAY_NAMES[day] + (f"-{DAY_NAMES[last]}" if last > day else "")
            times = " ".join(f"{_clock(s)}-{_clock(e)}" for s, e in per_day[day])
            items.append(f"{days} {times}")
        day = last + 1
    return ", ".join(items)
