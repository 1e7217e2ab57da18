"""Shards' samples kept on disk while a sharded run is gathered: each shard's sorted delays
and waits and its server totals go to a scratch file as the shard arrives, and the merge
reads them back a chunk at a time, so the merging process holds none of them, however long
the run (DESIGN: sharded runs)."""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024
"""Values read from a file at a time: the merge reads every shard's file at once, so 3,000
shards hold 3,000 chunks (24 MB of floats)."""


@dataclass(frozen=True)
class OnDisk:
    """An array written to ``path``, read back in order a chunk at a time. The file is
    opened for each chunk, so thousands can be read together whatever the limit on open
    files."""

    path: Path
    typecode: str
    length: int

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[float]:
        size = array(self.typecode).itemsize
        for start in range(0, self.length, CHUNK):
            chunk = array(self.typecode)
            with open(self.path, "rb") as f:
                f.seek(start * size)
                chunk.fromfile(f, min(CHUNK, self.length - start))
            yield from chunk


def spill(values: array[float] | array[int], path: Path) -> OnDisk:
    """Write ``values`` at ``path`` and return them as read back from there."""
    with open(path, "wb") as f:
        values.tofile(f)
    return OnDisk(path, values.typecode, len(values))


__all__ = ["CHUNK", "OnDisk", "spill"]
