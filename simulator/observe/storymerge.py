"""The story file of a sharded run: each shard writes its own (``observe/storyfile.py``),
and they are merged here into one, in time order, streaming (a line at a time per shard).

A shard's lines are in its run's order. Shared records (a UIDVALIDITY reset: the server's,
so every shard has it at the same place among its own records) cut each shard's file into
segments; the segments are merged by time (equal times in shard order) and each shared line
is written once, as ``runs/shards.py`` merges histories; many files are merged in rounds.
Lines are not decoded: only their ``t`` is read, and they are copied byte for byte.
"""

from __future__ import annotations

import gzip
import heapq
import io
import re
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path

SHARED = (b'{"kind":"uidvalidity_reset",',)
"""How the lines of shared records begin (the story file's only shared kind)."""
BATCH = 4096
"""Lines written to the compressor in one go."""
READ = 1 << 16
"""Bytes of decompressed text buffered per file."""
FAN_IN = 128
"""Story files open at once while merging (each holds a decompressor and a file handle);
more are merged in rounds."""


class StoryMismatch(RuntimeError):
    """The shards' story files disagree about the shared world (a bug)."""


def line_time(line: bytes) -> float:
    """The ``t`` of an encoded record (every record's first field after its kind)."""
    start = line.index(b',"t":') + 5
    return float(_NUMBER.match(line, start).group())  # type: ignore[union-attr]


_NUMBER = re.compile(rb"[^,}]*")
"""A number in a record's line: up to the next field or the end."""


class _Shard:
    """One shard's lines, read a segment at a time."""

    def __init__(self, index: int, lines: Iterator[bytes]) -> None:
        self.index = index
        self.lines = lines
        self.shared: bytes | None = None

    def segment(self) -> Iterator[tuple[float, int, bytes]]:
        """Own lines up to the next shared one (kept in ``shared``; None at the end), as
        (t, shard, line): the heap compares times, then shards (one line of each shard is
        in the heap at a time, so lines themselves are never compared)."""
        self.shared = None
        index = self.index
        for line in self.lines:
            if line.startswith(SHARED):
                self.shared = line
                return
            yield line_time(line), index, line


def _merged(shards: list[_Shard]) -> Iterator[bytes]:
    """Every line of the whole run, in time order, each shared line once."""
    while True:
        for _, _, line in heapq.merge(*(s.segment() for s in shards)):
            yield line
        shared = {s.shared for s in shards}
        if len(shared) != 1:
            raise StoryMismatch(f"shards' story files disagree on the shared world: {shared}")
        line = shared.pop()
        if line is None:
            return
        yield line


def merge_story_files(paths: Sequence[Path], dest: Path) -> None:
    """Write at ``dest`` the story file of the run whose shards wrote ``paths``. More than
    FAN_IN files are first merged a group of consecutive files at a time, into scratch
    files next to ``dest``, until FAN_IN are left: lines of one instant stay in shard order
    (a group's lines come before the next group's), each shared line is in every group's
    file once, and only as many files are merged ahead as must be (300 files: the first
    174 in two groups, then 128 files in one)."""
    paths = list(paths)
    with tempfile.TemporaryDirectory(prefix=".mailsim-stories-", dir=dest.parent) as name:
        scratch, made = Path(name), 0
        while len(paths) > FAN_IN:
            fewer, i, merged = len(paths) - FAN_IN, 0, []
            while fewer > 0 and len(paths) - i > 1:  # each group of n files: n - 1 fewer
                group = paths[i:i + min(FAN_IN, fewer + 1)]
                out = scratch / f"{made}.jsonl.gz"
                _merge(group, out)
                for done in group:
                    if done.parent == scratch:  # an earlier group's, not a shard's
                        done.unlink()
                merged.append(out)
                made, i, fewer = made + 1, i + len(group), fewer - (len(group) - 1)
            paths = merged + paths[i:]
        _merge(paths, dest)


def _merge(paths: Sequence[Path], dest: Path) -> None:
    """Merge ``paths`` (at most FAN_IN) into ``dest``."""
    with ExitStack() as stack:
        shards = [_Shard(k, iter(io.BufferedReader(stack.enter_context(gzip.open(p, "rb")),
                                                   READ)))  # lines read in C
                  for k, p in enumerate(paths)]
        raw = stack.enter_context(open(dest, "wb"))
        out = stack.enter_context(gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                compresslevel=1, mtime=0))
        batch: list[bytes] = []
        for line in _merged(shards):
            batch.append(line)
            if len(batch) >= BATCH:
                out.write(b"".join(batch))
                batch.clear()
        out.write(b"".join(batch))
