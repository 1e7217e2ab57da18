"""Small statistics helpers shared by the checkers: percentiles and time-weighted means."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Protocol, overload


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


class Run(Protocol):
    """Sorted values that can be counted and read in order (an array, or one on disk)."""

    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[float]: ...


class Picked(Sequence[float]):
    """Several sorted runs of values seen as one sorted sequence, but only at the ranks that
    the percentiles ``qs`` (as :func:`interpolate` takes them) and the maximum need: one pass
    of a k-way merge over the runs picks those values and keeps nothing else. The runs can
    be read from disk as they are merged (``spill.OnDisk``), so the merge of a sharded run
    holds no sample (a Python float list of 42 million delays takes 1.3 GB). The values are
    the very floats of ``sorted`` over all the runs (tests/observe/test_stats.py)."""

    def __init__(self, runs: Iterable[Run], qs: Iterable[float]) -> None:
        runs = list(runs)
        size = sum(len(run) for run in runs)
        wanted: set[int] = {size - 1} if size else set()
        for q in qs if size else ():
            pos = (size - 1) * q / 100.0
            wanted.update((math.floor(pos), math.ceil(pos)))
        self._size = size
        self._values: dict[int, float] = {}
        merged, at = heapq.merge(*runs), -1
        for rank in sorted(wanted):  # skip to each rank wanted (islice skips in C)
            self._values[rank] = next(islice(merged, rank - at - 1, None))
            at = rank

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, k: int) -> float: ...
    @overload
    def __getitem__(self, k: slice) -> Sequence[float]: ...
    def __getitem__(self, k: int | slice) -> float | Sequence[float]:
        if isinstance(k, slice):
            raise TypeError("Picked gives single values, not slices")
        if k < 0:
            k += self._size
        if not 0 <= k < self._size:
            raise IndexError(k)
        if k not in self._values:
            raise KeyError(f"rank {k} was not picked (no percentile asked for needs it)")
        return self._values[k]


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
