"""The server's total over every account of a sharded run, instant by instant, rebuilt
from each shard's totals at the end of its instants (``Partial.instants``/``totals``, in
memory or spilled to disk): what the whole run's server-storage checker saw."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, compress, islice
from operator import ne, sub

from simulator.observe.partial import Partial
from simulator.observe.spill import OnDisk, chunks

BLOCK = 1 << 16
"""About how many changes are summed in one go. Shards move through time alike, so a block
takes a share of every shard's: each shard holds at most BLOCK / shards at a time."""


class _Changes:
    """One shard's changes of its server total not yet summed: their times, and how much
    each moved the shard's total (``deltas``), read a chunk at a time and held ``step`` at a
    time."""

    def __init__(self, instants: Sequence[float] | OnDisk, totals: Sequence[int] | OnDisk,
                 step: int) -> None:
        self.pieces = zip(_pieces(instants, step), _pieces(totals, step), strict=True)
        self.times: list[float] = []
        self.deltas: list[int] = []
        self.last = 0  # the shard's total before the changes not yet read
        self.done = False

    def fill(self) -> None:
        """Hold changes until they span more than one instant (or all are held)."""
        while not self.done and (not self.times or self.times[0] == self.times[-1]):
            piece = next(self.pieces, None)
            if piece is None:
                self.done = True
                return
            times, values = piece
            self.deltas += map(sub, values, chain((self.last,), values))  # in C
            self.last = values[-1]
            self.times += times

    def take(self, before: float) -> tuple[list[float], list[int]]:
        """Hand over the changes held from before ``before`` (keeping the rest)."""
        k = bisect_left(self.times, before)
        taken = self.times[:k], self.deltas[:k]
        del self.times[:k], self.deltas[:k]
        return taken


def server_total(parts: Sequence[Partial]) -> Iterator[tuple[float, int]]:
    """The server total over every shard at the end of each instant any shard recorded.
    The shards' changes are taken a block at a time, up to the earliest instant an
    unfinished shard has reached, put in time order by a stable sort (shards laid one after
    the other: equal times keep shard order, as the whole run sums them) and summed, in C."""
    step = max(1, BLOCK // max(1, len(parts)))
    shards = [_Changes(p.instants, p.totals, step) for p in parts]
    total = 0
    while True:
        for shard in shards:
            shard.fill()
        reached = [s.times[-1] for s in shards if not s.done]
        until = min(reached) if reached else math.inf
        times: list[float] = []
        deltas: list[int] = []
        for shard in shards:
            some_times, some_deltas = shard.take(until)
            times += some_times
            deltas += some_deltas
        if times:
            order = sorted(range(len(times)), key=times.__getitem__)
            times = list(map(times.__getitem__, order))
            sums = list(accumulate(map(deltas.__getitem__, order), initial=total))
            del sums[0]
            total = sums[-1]
            ends = [*compress(range(len(times)), map(ne, times, islice(times, 1, None))),
                    len(times) - 1]  # each instant's last change
            yield from zip(map(times.__getitem__, ends), map(sums.__getitem__, ends),
                           strict=True)
        if not reached:
            return


def _pieces(values: Sequence[float] | Sequence[int] | OnDisk, step: int
            ) -> Iterator[Sequence[float] | Sequence[int]]:
    """``values`` ``step`` at a time (read from disk a chunk at a time)."""
    for chunk in chunks(values):
        for start in range(0, len(chunk), step):
            yield chunk[start:start + step]


__all__ = ["server_total"]
