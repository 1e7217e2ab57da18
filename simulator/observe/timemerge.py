"""Merging streams that are each in time order into one, a block at a time: each stream
holds what it has read (its items and their times); each step hands over, from every
stream, what comes before the earliest point any unfinished stream has reached, in time
order, equal times in stream order. The sort is one stable sort in C per block, so Python
steps once per block, not once per item (the story merge, the server total)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from heapq import heapify, heappop, heapreplace
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


def steps(streams: Sequence[Held], ahead: int = 0
          ) -> Iterator[tuple[list[float], list[Any]]]:
    """(times, items) of every stream, in time order, equal times in stream order, a block
    at a time, until every stream is done.

    A step hands over what comes before the point the furthest-behind unfinished stream has
    reached, so that stream is read on until it holds more than one instant and, while all
    the streams hold fewer than ``ahead`` items, further: with many streams each holding a
    little, the point would otherwise creep forward a few items a step, and every step
    visits every stream (3,000 shards' server totals took 71 million visits for 2 million
    changes). Streams are kept in a heap by the point each has reached."""
    for stream in streams:
        stream.fill()
    held = sum(len(stream.times) for stream in streams)
    behind = [(stream.times[-1], k) for k, stream in enumerate(streams) if not stream.done]
    heapify(behind)
    while True:
        while behind:
            reached, k = behind[0]
            stream = streams[k]
            if held >= ahead and stream.times[0] != reached:
                break
            before = len(stream.times)
            stream.read()
            held += len(stream.times) - before
            if stream.done:
                heappop(behind)
            else:
                heapreplace(behind, (stream.times[-1], k))
        until = behind[0][0] if behind else math.inf
        times: list[float] = []
        items: list[Any] = []
        for stream in streams:
            some_times, some_items = stream.take(until)
            times += some_times
            items += some_items
        held -= len(times)
        if len(times) > 1:  # a stable sort of the streams' items laid one after the other
            order = sorted(range(len(times)), key=times.__getitem__)
            times = list(map(times.__getitem__, order))
            items = list(map(items.__getitem__, order))
        yield times, items
        if not behind:
            return


__all__ = ["Held", "steps"]
