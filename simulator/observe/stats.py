"""Small statistics helpers shared by the checkers: percentiles and time-weighted means."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile (0-100) by linear interpolation; None for no values."""
    return interpolate(sorted(values), q)


def interpolate(ordered: Sequence[float], q: float) -> float | None:
    """The ``q``-th percentile of values already sorted (sorting them once serves many)."""
    if not ordered:
        return None
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class TimeAverage:
    """The time-weighted mean, peak and last value of a quantity that changes in steps."""

    __slots__ = ("area", "last_t", "peak", "start", "value")

    def __init__(self, start: float = 0.0, value: float = 0.0) -> None:
        self.start = start
        self.last_t = start
        self.value = value
        self.area = 0.0
        self.peak = value

    def set(self, t: float, value: float) -> None:
        """The quantity became ``value`` at ``t``."""
        self.area += self.value * (t - self.last_t)
        self.last_t, self.value = t, value
        if value > self.peak:  # as max(): the peak changes only for a larger value
            self.peak = value

    def mean(self, end: float) -> float:
        """Mean over [start, end]; the current value if no time has passed."""
        span = end - self.start
        if span <= 0:
            return self.value
        return (self.area + self.value * (end - self.last_t)) / span


def rounded(value: float | None, digits: int = 6) -> float | None:
    """Round for stable, readable JSON (None stays None)."""
    return None if value is None else round(value, digits)
