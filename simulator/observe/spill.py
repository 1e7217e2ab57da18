"""Shards' samples kept on disk while a sharded run is gathered: each shard's sorted delays
and waits and its server totals go to a scratch file as the shard arrives, and the merge
reads them back a chunk at a time, so the merging process holds none of them, however long
the run (DESIGN: sharded runs)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024
"""Values read from a file at a time: the merge reads every shard's file at once, so 3,000
shards hold 3,000 chunks (24 MB of floats)."""


@dataclass(frozen=True)
class OnDisk:
    """An array written to ``path``, read back in order a chunk at a time, or a slice at a
    time; ``fences`` holds every CHUNK-th value (``values[::CHUNK]``), kept in memory so a
    merge can see where each chunk begins without reading it. The file is opened for each
    read, so thousands can be read together whatever the limit on open files."""

    path: Path
    typecode: str
    length: int
    fences: array[float] | array[int]

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[float]:
        for chunk in chunks(self):
            yield from chunk

    def read(self, start: int, stop: int) -> array[float] | array[int]:
        """The values from ``start`` up to ``stop`` (fewer at the end)."""
        chunk = array(self.typecode)
        stop = min(stop, self.length)
        if start < stop:
            with open(self.path, "rb") as f:
                f.seek(start * chunk.itemsize)
                chunk.fromfile(f, stop - start)
        return chunk


def chunks(values: OnDisk | Sequence[float]) -> Iterator[Sequence[float]]:
    """``values`` a CHUNK at a time: read from disk, or sliced."""
    if isinstance(values, OnDisk):
        read = values.read
    else:
        def read(start: int, stop: int) -> Sequence[float]:
            return values[start:stop]
    for start in range(0, len(values), CHUNK):
        yield read(start, start + CHUNK)


def spill(values: array[float] | array[int], path: Path) -> OnDisk:
    """Write ``values`` at ``path`` and return them as read back from there."""
    with open(path, "wb") as f:
        values.tofile(f)
    return OnDisk(path, values.typecode, len(values), values[::CHUNK])


__all__ = ["CHUNK", "OnDisk", "chunks", "spill"]
