"""Merging streams that are each in time order into one, a block at a time: each stream
holds what it has read (its items and their times); each step hands over, from every
stream, what comes before the earliest point any unfinished stream has reached, in time
order, equal times in stream order. The sort is one stable sort in C per block, so Python
steps once per block, not once per item (the story merge, the server total)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Any


class Held:
    """A stream's items read and not yet handed over, with their times; a subclass's
    ``read`` adds more (with ``hold``) or sets ``done``."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.items: list[Any] = []
        self.done = False  # everything is read (or, for a story file, its segment)

    def read(self) -> None:
        """Hold the next items, or set ``done``."""
        raise NotImplementedError

    def hold(self, times: Sequence[float], items: Sequence[Any]) -> None:
        """Hold ``items`` read, at ``times``."""
        self.times += times
        self.items += items

    def fill(self) -> None:
        """Read until the items held span more than one instant (or all are read), so that
        they show how far this stream has got."""
        while not self.done and (not self.times or self.times[0] == self.times[-1]):
            self.read()

    def take(self, before: float) -> tuple[list[float], list[Any]]:
        """Hand over the items held from before ``before`` (keeping the rest)."""
        k = bisect_left(self.times, before)
        if k == 0:
            return [], []
        if k == len(self.times):
            taken = self.times, self.items
            self.times, self.items = [], []
        else:
            taken = self.times[:k], self.items[:k]
            del self.times[:k], self.items[:k]
        return taken


def steps(streams: Sequence[Held]) -> Iterator[tuple[list[float], list[Any]]]:
    """(times, items) of every stream, in time order, equal times in stream order, a block
    at a time, until every stream is done."""
    while True:
        for stream in streams:
            stream.fill()
        reached = [s.times[-1] for s in streams if not s.done]
        until = min(reached) if reached else math.inf
        times: list[float] = []
        items: list[Any] = []
        for stream in streams:
            some_times, some_items = stream.take(until)
            times += some_times
            items += some_items
        if len(times) > 1:  # a stable sort of the streams' items laid one after the other
            order = sorted(range(len(times)), key=times.__getitem__)
            times = list(map(times.__getitem__, order))
            items = list(map(items.__getitem__, order))
        yield times, items
        if not reached:
            return


__all__ = ["Held", "steps"]
