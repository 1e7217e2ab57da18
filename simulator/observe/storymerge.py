"""The story file of a sharded run: each shard writes its own (``observe/storyfile.py``),
and they are merged here into one, in time order, streaming (a block of lines at a time
per shard).

A shard's lines are in its run's order. Shared records (a UIDVALIDITY reset: the server's,
so every shard has it at the same place among its own records) cut each shard's file into
segments; the segments are merged by time (equal times in shard order) and each shared line
is written once, as ``runs/shards.py`` merges histories; many files are merged in rounds.
Lines are not decoded: only their ``t`` is read, and they are copied byte for byte. The
work per line is done in C (reading lines, finding their times, sorting, joining): Python
steps once per block, not once per line.
"""

from __future__ import annotations

import gzip
import queue
import re
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from simulator.observe.timemerge import Held, steps

SHARED = b'{"kind":"uidvalidity_reset",'
"""How the lines of shared records begin (the story file's only shared kind)."""
READ = 1 << 15
"""Bytes of decompressed lines read from a file at a time (and about as many held per
file: from 16 to 128 KB, 300 files merge in the same time)."""
WRITE = 1 << 20
"""Bytes of merged lines handed to the compressing thread at a time."""
FAN_IN = 512
"""Story files open at once while merging (each holds a decompressor, a file handle and
its lines read ahead: 300 files take about 60 MB); more are merged in rounds."""


class StoryMismatch(RuntimeError):
    """The shards' story files disagree about the shared world (a bug)."""


_TIME = re.compile(rb'\n\{"kind":"[^"]*","t":([^,}]*)')
"""A record's ``t`` in a block of lines, each after a newline: the field after its kind,
at the start of its line (a quote inside a string is escaped, so no string can hold this;
the literal start lets the search skip ahead in C)."""
_SHARED_LINE = b"\n" + SHARED


def line_time(line: bytes) -> float:
    """The ``t`` of an encoded record (every record's first field after its kind)."""
    return float(_TIME.match(b"\n" + line).group(1))  # type: ignore[union-attr]


class _Shard(Held):
    """One shard's lines, read a block at a time: those of the current segment not yet
    written (held, without their newlines, with their times), those read past its end
    (``ahead``) and the start of a line not read to its end (``rest``); a block holds lines
    each after a newline, so that one search finds every line's start."""

    def __init__(self, reader: IO[bytes]) -> None:
        super().__init__()
        self.reader = reader
        self.ahead = b""
        self.rest = b"\n"
        self.shared: bytes | None = None  # the line that ended the segment (None: the file)

    def start(self) -> None:
        """Begin the next segment with the lines read past the last one's end."""
        self.shared, self.done = None, False
        block, self.ahead = self.ahead, b""
        if block:
            self._add(block)

    def read(self) -> None:
        """Read the next block of whole lines (at the file's end, a last line that has no
        newline)."""
        data = self.reader.read(READ)
        if data:
            data = self.rest + data
            end = data.rfind(b"\n")
            block, self.rest = data[:end], data[end:]
        elif len(self.rest) > 1:
            block, self.rest = self.rest, b"\n"
        else:
            self.done = True
            return
        self._add(block)

    def _add(self, block: bytes) -> None:
        cut = block.find(_SHARED_LINE)
        if cut >= 0:
            end = block.find(b"\n", cut + 1)
            end = len(block) if end < 0 else end
            self.shared, self.ahead, self.done = block[cut + 1:end], block[end:], True
            block = block[:cut]
        times = list(map(float, _TIME.findall(block)))
        lines = block.split(b"\n")
        del lines[0]  # what comes before the first newline: nothing
        if len(times) != len(lines):
            raise StoryMismatch(f"a story file has {len(lines)} lines, {len(times)} records")
        self.hold(times, lines)


def _segment(shards: list[_Shard]) -> Iterator[Sequence[bytes]]:
    """The lines of one segment of every shard, in time order (equal times in shard
    order), a block at a time."""
    for shard in shards:
        shard.start()
    for _, lines in steps(shards):
        yield lines


def _merged(shards: list[_Shard]) -> Iterator[Sequence[bytes]]:
    """Every line of the whole run, in time order, each shared line once, in blocks."""
    while True:
        yield from _segment(shards)
        shared = {s.shared for s in shards}
        if len(shared) != 1:
            raise StoryMismatch(f"shards' story files disagree on the shared world: {shared}")
        line = shared.pop()
        if line is None:
            return
        yield (line,)


Told = Callable[[int, int], None]
"""Told how far a merge has got: (bytes of the shards' files read, of all of them)."""
TELL_EVERY = 256
"""Steps of the merge (each writes a block of lines) between two tellings."""


class _Meter:
    """How many bytes of the shards' own files (not the scratch files merged ahead) have
    been read, told to ``told``."""

    def __init__(self, paths: Sequence[Path], told: Told | None) -> None:
        self.told = told
        self.sizes = {p: p.stat().st_size for p in paths} if told is not None else {}
        self.total = sum(self.sizes.values())
        self.done = 0

    def tell(self, files: Sequence[IO[bytes]]) -> None:
        """Tell where reading stands, with ``files`` (the shards' own files now open) read
        up to where they are."""
        if self.told is not None:
            self.told(self.done + sum(f.tell() for f in files), self.total)

    def closed(self, paths: Sequence[Path]) -> None:
        """``paths`` have been read to their end."""
        self.done += sum(self.sizes.get(p, 0) for p in paths)


def merge_story_files(paths: Sequence[Path], dest: Path, told: Told | None = None) -> None:
    """Write at ``dest`` the story file of the run whose shards wrote ``paths``. More than
    FAN_IN files are first merged a group of consecutive files at a time, into scratch
    files next to ``dest``, until FAN_IN are left: lines of one instant stay in shard order
    (a group's lines come before the next group's), each shared line is in every group's
    file once, and only as many files are merged ahead as must be (1,000 files: the first
    489 in one group, then 512 files in one). ``told`` hears how many of the files' bytes
    have been read, now and then."""
    paths = list(paths)
    meter = _Meter(paths, told)
    with tempfile.TemporaryDirectory(prefix=".mailsim-stories-", dir=dest.parent) as name:
        scratch, made = Path(name), 0
        while len(paths) > FAN_IN:
            fewer, i, merged = len(paths) - FAN_IN, 0, []
            while fewer > 0 and len(paths) - i > 1:  # each group of n files: n - 1 fewer
                group = paths[i:i + min(FAN_IN, fewer + 1)]
                out = scratch / f"{made}.jsonl.gz"
                _merge(group, out, meter)
                for done in group:
                    if done.parent == scratch:  # an earlier group's, not a shard's
                        done.unlink()
                merged.append(out)
                made, i, fewer = made + 1, i + len(group), fewer - (len(group) - 1)
            paths = merged + paths[i:]
        _merge(paths, dest, meter)
    meter.tell(())


class _Compressor:
    """Writes a gzip file on a thread of its own: zlib lets go of the GIL while it
    compresses, so the merge goes on meanwhile (on another core). The file's bytes are
    those of writing the same lines directly: deflate's output depends on the bytes, not
    on how they were handed over."""

    def __init__(self, dest: Path) -> None:
        self.raw = open(dest, "wb")  # noqa: SIM115 - closed by close()
        self.out = gzip.GzipFile(filename="", mode="wb", fileobj=self.raw, compresslevel=1,
                                 mtime=0)
        self.blocks: queue.Queue[bytes | None] = queue.Queue(maxsize=4)
        self.failed: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name="story-compressor",
                                       daemon=True)
        self.thread.start()

    def _work(self) -> None:
        while (block := self.blocks.get()) is not None:
            if self.failed is None:
                try:
                    self.out.write(block)
                except BaseException as err:  # e.g. a full disk: raised by put or close
                    self.failed = err

    def put(self, block: bytes) -> None:
        """Compress ``block`` after those put before it."""
        if self.failed is not None:
            raise self.failed
        self.blocks.put(block)

    def close(self) -> None:
        """Compress what is left, end the file and close it (raising what went wrong)."""
        self.blocks.put(None)
        self.thread.join()
        try:
            if self.failed is not None:
                raise self.failed
            self.out.close()
        finally:
            self.raw.close()


def _merge(paths: Sequence[Path], dest: Path, meter: _Meter) -> None:
    """Merge ``paths`` (at most FAN_IN) into ``dest``."""
    with ExitStack() as stack:
        files = [stack.enter_context(gzip.open(p, "rb")) for p in paths]
        shards = [_Shard(f) for f in files]
        own = [f.fileobj for f, p in zip(files, paths, strict=True) if p in meter.sizes]
        out = _Compressor(dest)
        stack.callback(out.close)
        held: list[bytes] = []
        size = 0
        for step, lines in enumerate(_merged(shards)):
            if lines:
                block = b"\n".join(lines) + b"\n"
                held.append(block)
                size += len(block)
                if size >= WRITE:
                    out.put(b"".join(held))
                    held, size = [], 0
            if step % TELL_EVERY == 0:
                meter.tell(own)  # type: ignore[arg-type]
        out.put(b"".join(held))
    meter.closed(paths)
