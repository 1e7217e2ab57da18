"""Small statistics helpers shared by the checkers: percentiles and time-weighted means."""

from __future__ import annotations

import math
import struct
from bisect import bisect_right
from collections.abc import Sequence
from typing import overload


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


class SortedRuns(Sequence[float]):
    """Several sorted runs of values seen as one sorted sequence, without building it: the
    merge's view of the shards' samples, for exact percentiles in memory that does not grow
    with a list of every value (a Python float list of 42 million delays takes 1.3 GB).

    ``self[k]``, the k-th smallest of all values, is found by a binary search over the
    floats themselves (``_kth``); it is always one of the values, so percentiles come out
    the same floats as from ``sorted`` of all the runs together
    (tests/observe/test_stats.py)."""

    def __init__(self, runs: Sequence[Sequence[float]]) -> None:
        self.runs = [run for run in runs if len(run)]
        self._size = sum(len(run) for run in self.runs)
        self._found: dict[int, float] = {}

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, k: int) -> float: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[float]: ...
    def __getitem__(self, k: int | slice) -> float | Sequence[float]:
        if isinstance(k, slice):
            raise TypeError("SortedRuns gives single values, not slices")
        if k < 0:
            k += self._size
        if not 0 <= k < self._size:
            raise IndexError(k)
        if k not in self._found:
            self._found[k] = self._kth(k)
        return self._found[k]

    def _kth(self, k: int) -> float:
        """The k-th smallest value (from 0): the smallest float with more than k values at
        or below it, found by binary search over floats in order (their bits read as
        ordered integers, ``_order``), each step counting with one bisection per run."""
        runs = self.runs
        lo = _order(min(run[0] for run in runs))
        hi = _order(max(run[-1] for run in runs))
        while lo < hi:
            mid = (lo + hi) // 2
            if sum(bisect_right(run, _value(mid)) for run in runs) > k:
                hi = mid
            else:
                lo = mid + 1
        return _value(lo)


_SIGN = 1 << 63


def _order(x: float) -> int:
    """An integer that orders floats as their values do (negative floats' magnitude bits
    reversed below zero)."""
    bits = int.from_bytes(struct.pack("<d", x), "little")
    return bits if bits < _SIGN else -(bits - _SIGN) - 1


def _value(key: int) -> float:
    """The float whose ``_order`` is ``key``."""
    bits = key if key >= 0 else -(key + 1) + _SIGN
    return float(struct.unpack("<d", bits.to_bytes(8, "little"))[0])


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
