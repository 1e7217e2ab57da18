"""The server's total over every account of a sharded run, instant by instant, rebuilt
from each shard's totals at the end of its instants (``Partial.instants``/``totals``, in
memory or spilled to disk): what the whole run's server-storage checker saw."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate, chain, compress, islice
from operator import ne, sub

from simulator.observe.partial import Partial
from simulator.observe.spill import OnDisk, chunks
from simulator.observe.timemerge import Held, steps

BLOCK = 1 << 16
"""About how many changes are summed in one go. Shards move through time alike, so a block
takes a share of every shard's: each shard reads BLOCK / shards at a time, and the shards
furthest behind read on while all hold fewer than 2 * BLOCK."""


class _Changes(Held):
    """One shard's changes of its server total not yet summed: held with how much each
    moved the shard's total (its delta), read a chunk at a time and held ``step`` at a
    time."""

    def __init__(self, instants: Sequence[float] | OnDisk, totals: Sequence[int] | OnDisk,
                 step: int) -> None:
        super().__init__()
        self.pieces = zip(_pieces(instants, step), _pieces(totals, step), strict=True)
        self.last = 0  # the shard's total before the changes not yet read

    def read(self) -> None:
        """Hold the next piece of changes (as deltas, computed in C)."""
        piece = next(self.pieces, None)
        if piece is None:
            self.done = True
            return
        times, values = piece
        self.hold(times, list(map(sub, values, chain((self.last,), values))))
        self.last = values[-1]


def server_total(parts: Sequence[Partial]) -> Iterator[tuple[float, int]]:
    """The server total over every shard at the end of each instant any shard recorded:
    the shards' changes in time order, equal times in shard order as the whole run sums
    them (``timemerge.steps``), summed in C a block at a time."""
    step = max(1, BLOCK // max(1, len(parts)))
    total = 0
    changes = [_Changes(p.instants, p.totals, step) for p in parts]
    for times, deltas in steps(changes, ahead=2 * BLOCK):
        if not times:
            continue
        sums = list(accumulate(deltas, initial=total))
        del sums[0]
        total = sums[-1]
        ends = [*compress(range(len(times)), map(ne, times, islice(times, 1, None))),
                len(times) - 1]  # each instant's last change
        yield from zip(map(times.__getitem__, ends), map(sums.__getitem__, ends),
                       strict=True)


def _pieces(values: Sequence[float] | Sequence[int] | OnDisk, step: int
            ) -> Iterator[Sequence[float] | Sequence[int]]:
    """``values`` ``step`` at a time (read from disk a chunk at a time)."""
    for chunk in chunks(values):
        for start in range(0, len(chunk), step):
            yield chunk[start:start + step]


__all__ = ["server_total"]
