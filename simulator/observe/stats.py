"""Small statistics helpers shared by the checkers: percentiles and time-weighted means."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Protocol, overload

from simulator.observe import spill
from simulator.observe.spill import OnDisk


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
    """Sorted values that can be counted and sliced (an array; one on disk, ``OnDisk``, is
    read by ``read`` instead)."""

    def __len__(self) -> int: ...
    def __getitem__(self, k: slice) -> Sequence[float]: ...


WINDOW = 128
"""Chunks of values (counted by their fences) between two cuts of the runs."""


class Picked(Sequence[float]):
    """Several sorted runs of values seen as one sorted sequence, but only at the ranks that
    the percentiles ``qs`` (as :func:`interpolate` takes them) and the maximum need. The
    runs are cut together at values taken from their chunks' first values (``fences``),
    about WINDOW chunks apart, and at each cut the values equal to it are set apart: a
    window's values are only counted, and sorted (in C) only if a wanted rank falls in it;
    a cut's equal values need no sorting (a window too large to sort is cut again, finer).
    So the merge of a sharded run reads each value once from disk (``spill.OnDisk``),
    holds about a window of them, and does Python work per chunk, not per value. The
    values are the very floats of ``sorted`` over all the runs (tests/observe/test_stats.py)."""

    def __init__(self, runs: Iterable[Run | OnDisk], qs: Iterable[float]) -> None:
        runs = list(runs)
        size = sum(len(run) for run in runs)
        wanted: set[int] = {size - 1} if size else set()
        for q in qs if size else ():
            pos = (size - 1) * q / 100.0
            wanted.update((math.floor(pos), math.ceil(pos)))
        self._size = size
        self._values = _pick(runs, sorted(wanted))

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


class _Cursor:
    """Where the values of one run not yet taken begin: the chunk read (``held``) and a
    place in it."""

    def __init__(self, run: Run | OnDisk, chunk: int) -> None:
        self.chunk = chunk
        if isinstance(run, OnDisk) and chunk == spill.CHUNK:
            self.read, self.fences = run.read, run.fences
        else:
            self.read, self.fences = (lambda a, b: run[a:b]), run[::chunk]
        self.length = len(run)
        self.start = self.pos = 0  # the held chunk's place in the run; the next value's in it
        self.held = self.read(0, chunk)

    def take(self, cut: float, equal: bool) -> list[Sequence[float]]:
        """The values not yet taken below ``cut`` (or equal to it, with ``equal``)."""
        find = bisect_right if equal else bisect_left
        taken: list[Sequence[float]] = []
        while True:
            end = find(self.held, cut, self.pos)
            if end > self.pos:
                taken.append(self.held[self.pos:end])
            self.pos = end
            if end < len(self.held) or self.start + end >= self.length:
                return taken
            self.start += end
            self.held, self.pos = self.read(self.start, self.start + self.chunk), 0


SORTED_AT_MOST = 1 << 18
"""Values of a window sorted at once; a larger one (runs whose chunks begin at the same
values leave windows of a chunk per run) is cut again into windows of smaller chunks."""


def _pick(runs: Sequence[Run | OnDisk], ranks: list[int],
          chunk: int | None = None) -> dict[int, float]:
    """The values at ``ranks`` (ascending) of all the runs together, cut into windows of
    about WINDOW chunks of ``chunk`` values (default: ``spill.CHUNK``)."""
    chunk = chunk or spill.CHUNK
    cursors = [_Cursor(run, chunk) for run in runs if len(run)]
    fences = sorted(chain.from_iterable(c.fences for c in cursors))
    picked: dict[int, float] = {}
    wanted, done = deque(ranks), 0
    for cut in [*fences[WINDOW::WINDOW], math.inf]:
        for equal in (False, True):
            if not wanted:
                return picked
            parts = [part for c in cursors for part in c.take(cut, equal)]
            count = sum(map(len, parts))
            mine = []
            while wanted and wanted[0] < done + count:
                mine.append(wanted.popleft() - done)
            if equal:
                picked.update((done + rank, cut) for rank in mine)
            elif mine and (count <= SORTED_AT_MOST or chunk == 1):
                ordered = sorted(chain.from_iterable(parts))
                picked.update((done + rank, ordered[rank]) for rank in mine)
            elif mine:
                inner = _pick(parts, mine, max(1, chunk // 16))
                picked.update((done + rank, value) for rank, value in inner.items())
            done += count
    return picked


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
