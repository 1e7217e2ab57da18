"""The story file: the records that messages' stories are told from, streamed to disk as
the run produces them, so that a run's memory does not grow with its length.

Format (DESIGN: results contract): gzip-compressed JSON Lines, one object per record in
the order the run produced them, ``{"kind": ..., "t": ..., <the record's fields>}`` with
the fields of the history record of that kind (``observe/history.py``); a state
``(folder, flags)`` is written ``{"folder": ..., "flags": [sorted]}``. The gzip header carries no
time or name, so the same run writes the same bytes. To read it::

    from simulator.observe.storyfile import records
    for record in records("stories.jsonl.gz"): ...          # history records back

    pandas.read_json("stories.jsonl.gz", lines=True)          # or DuckDB's read_json_auto,
    pyarrow.json.read_json("stories.jsonl.gz")                # or pyarrow's
"""

from __future__ import annotations

import gzip
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from json.encoder import encode_basestring as _text
from pathlib import Path
from typing import IO, Any

from simulator.clients.local import State
from simulator.observe.history import (
    RECORDS,
    Bounced,
    Deferred,
    Delivered,
    DeviceLost,
    Drop,
    ExpungedBy,
    Intent,
    Record,
    Sent,
    StoreChange,
    UidvalidityReset,
    ViewChange,
)

FLUSH_EVERY = 4096
"""Records held in memory before they are encoded and compressed in one go."""
READ_BLOCK = 1 << 20
"""Bytes of the decompressed file searched at a time when stories are read back."""

_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def encode(record: Record) -> str:
    """One record as its JSON line (without the newline): any kind, field by field."""
    row: dict[str, Any] = {"kind": record.kind}
    for name in record.FIELDS:
        value = getattr(record, name)
        if name == "state" and value is not None:
            value = {"folder": value[0], "flags": sorted(value[1])}
        row[name] = value
    return _encode(row)


# -- the story kinds' lines, fast -----------------------------------------------------------
# The same text as ``encode`` (tests/observe/test_storyfile.py checks it kind by kind), in one
# f-string per kind: a story record costs a fifth of what the generic path does. Each field
# is written as json writes it: strings by json's own escaper, ints and floats by ``repr``
# (json's float text is float.__repr__; a time is never NaN or infinite), booleans as
# true/false, None as null. The time comes as its text ``t`` (see ``_lines``: most records
# share their time with the one before, and a float's repr is half of a line's cost).


@lru_cache(maxsize=1024)
def _state(state: State | None) -> str:
    """A state's JSON: a pure function of an immutable value, so a cache cannot go stale
    (a run has few distinct (folder, flags) pairs)."""
    if state is None:
        return "null"
    return f'{{"folder":{_text(state[0])},"flags":{_encode(sorted(state[1]))}}}'


def _view(r: ViewChange, t: str) -> str:
    return (f'{{"kind":"view","t":{t},"device":{_text(r.device)},"mid":{_text(r.mid)},'
            f'"state":{_state(r.state)},"shown":{r.shown!r},"bodies":{r.bodies!r}}}')


def _intent(r: Intent, t: str) -> str:
    return (f'{{"kind":"intent","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)},'
            f'"state":{_state(r.state)},"device":{_text(r.device)},"cause":{_text(r.cause)}}}')


def _store(r: StoreChange, t: str) -> str:
    return (f'{{"kind":"store","t":{t},"user":{_text(r.user)},"change":{_text(r.change)},'
            f'"mailbox":{_text(r.mailbox)},"uidvalidity":{r.uidvalidity!r},"uid":{r.uid!r},'
            f'"mid":{_text(r.mid)},"cause":{_text(r.cause)}}}')


def _deliver(r: Delivered, t: str) -> str:
    return (f'{{"kind":"deliver","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)},'
            f'"size":{r.size!r}}}')


def _bounce(r: Bounced, t: str) -> str:
    return (f'{{"kind":"bounce","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)},'
            f'"size":{r.size!r}}}')


def _defer(r: Deferred, t: str) -> str:
    return f'{{"kind":"defer","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)}}}'


def _sent(r: Sent, t: str) -> str:
    return (f'{{"kind":"sent","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)},'
            f'"size":{r.size!r},"device":{_text(r.device)}}}')


def _expunged_by(r: ExpungedBy, t: str) -> str:
    return (f'{{"kind":"expunged_by","t":{t},"user":{_text(r.user)},"mid":{_text(r.mid)},'
            f'"device":{_text(r.device)},"mailbox":{_text(r.mailbox)},'
            f'"cause":{_text(r.cause)}}}')


def _lost(r: DeviceLost, t: str) -> str:
    return f'{{"kind":"lost","t":{t},"device":{_text(r.device)}}}'


def _reset(r: UidvalidityReset, t: str) -> str:
    return f'{{"kind":"uidvalidity_reset","t":{t}}}'


def _drop(r: Drop, t: str) -> str:
    return (f'{{"kind":"drop","t":{t},"device":{_text(r.device)},'
            f'"command":{_text(r.command)},"when":{_text(r.when)},"cause":{_text(r.cause)}}}')


LINES: dict[type[Record], Callable[[Any, str], str]] = {
    ViewChange: _view, Intent: _intent, StoreChange: _store, Delivered: _deliver,
    Bounced: _bounce, Deferred: _defer, Sent: _sent, ExpungedBy: _expunged_by,
    DeviceLost: _lost, UidvalidityReset: _reset, Drop: _drop,
}
"""The fast line of each story kind; other kinds go through ``encode``."""


def line(record: Record) -> str:
    """One record as its JSON line (without the newline), by the fastest exact path."""
    return _lines((record,))[0]


def _lines(records: Iterable[Record]) -> list[str]:
    """The lines of ``records``, in order (each as :func:`line` writes it). A time's text is
    made once for a run of records holding the same time: an equal number of the same type
    has the same repr, but for zero (0.0 and -0.0 are equal) and NaN (never equal). A
    compiled record gives a new float object each time its time is read, so identity
    alone would miss."""
    out: list[str] = []
    append, fast_lines, generic = out.append, LINES, encode
    last: object = None  # a record's time is never None
    text = ""
    for record in records:
        t = record.t
        if t is not last and not (t == last and t and type(t) is type(last)):
            last, text = t, repr(t)
        fast = fast_lines.get(type(record))
        append(generic(record) if fast is None else fast(record, text))
    return out


def decode(line: str | bytes) -> Record:
    """A JSON line back to its history record."""
    row = json.loads(line)
    cls = RECORDS[row.pop("kind")]
    state = row.get("state")
    if state is not None:
        row["state"] = State(state["folder"], frozenset(state["flags"]))
    if "targets" in row:
        row["targets"] = tuple(row["targets"])
    return cls(**row)


def records(path: str | Path) -> Iterator[Record]:
    """The records of the story file at ``path``, in order."""
    with gzip.open(path, "rb") as lines:
        for line in lines:
            yield decode(line)


class StoryWriter:
    """Records written to a story file as they come (at ``path``, or in an anonymous
    temporary file that nothing keeps), then read back once, in order, by iterating."""

    def __init__(self, path: str | Path | None = None) -> None:
        """A story file at ``path``, or an unnamed one deleted when it is closed."""
        self.path = Path(path) if path is not None else None
        self._raw: IO[bytes] = (
            open(self.path, "w+b") if self.path is not None  # noqa: SIM115 - kept open
            else tempfile.TemporaryFile())  # noqa: SIM115 - deleted when closed
        self._gz: gzip.GzipFile | None = gzip.GzipFile(
            filename="", mode="wb", fileobj=self._raw, compresslevel=1, mtime=0)
        self._buffer: list[Record] = []

    def add(self, record: Record) -> None:
        """Write ``record`` (buffered)."""
        buffer = self._buffer
        buffer.append(record)
        if len(buffer) >= FLUSH_EVERY:
            self._flush()

    def extend(self, more: Iterable[Record]) -> None:
        """Write several records."""
        for record in more:
            self.add(record)

    def _flush(self) -> None:
        """Encode and compress the buffered records."""
        if self._gz is not None and self._buffer:
            text = "\n".join(_lines(self._buffer))
            with self._naming():
                self._gz.write(f"{text}\n".encode())
        self._buffer.clear()

    def finish(self) -> None:
        """Write what is buffered and end the file (it can be read from then on)."""
        if self._gz is not None:
            self._flush()
            with self._naming():
                self._gz.close()
                self._gz = None
                self._raw.flush()

    def close(self) -> None:
        """Finish, and let go of the file (an unnamed one is deleted)."""
        try:
            self.finish()
        finally:
            self._raw.close()

    def abandon(self) -> None:
        """Let go of the file without writing what is held (a run that stopped)."""
        self._gz, self._buffer = None, []
        self._raw.close()

    @contextmanager
    def _naming(self) -> Iterator[None]:
        """A failed write (a full disk) names this file, which the OS error does not."""
        try:
            yield
        except OSError as problem:
            if problem.filename is None and self.path is not None:
                problem.filename = str(self.path)
            raise

    def __iter__(self) -> Iterator[Record]:
        """Every record written, in order (finishing the file first)."""
        return (decode(line) for line in self._lines())

    def about(self, mids: Iterable[str], kinds: Iterable[str]) -> Iterator[Record]:
        """The records naming one of ``mids`` or of one of ``kinds``, in order. Only those
        lines are decoded, found by searching blocks of lines for ``"mid":"<mid>"`` and
        ``{"kind":"<kind>",`` (in an encoded line those bytes can only be the field itself:
        a quote inside a string is escaped); a story needs a few messages out of a run's.
        The messages are found in one scan, by one pattern naming them all (their texts end
        with a quote, so none is the start of another)."""
        texts = [re.escape(_encode(mid).encode()) for mid in mids]
        named = re.compile(b'"mid":(?:' + b"|".join(texts) + b")") if texts else None
        needles = [f'{{"kind":{_encode(kind)},'.encode() for kind in kinds]
        for block in self._blocks():
            starts = {at for needle in needles for at in _starts(block, needle)}
            if named is not None:  # one scan for every message (a line names one at most)
                starts.update(block.rfind(b"\n", 0, m.start()) + 1
                              for m in named.finditer(block))
            for start in sorted(starts):
                end = block.find(b"\n", start)
                yield decode(block[start:end if end >= 0 else len(block)])

    def _blocks(self) -> Iterator[bytes]:
        """The decompressed file in blocks of whole lines, in order (finishing it first)."""
        self.finish()
        self._raw.seek(0)
        with gzip.GzipFile(fileobj=self._raw, mode="rb") as data:
            rest = b""
            while chunk := data.read(READ_BLOCK):
                block = rest + chunk
                cut = block.rfind(b"\n") + 1
                rest = block[cut:]
                yield block[:cut]
            if rest:
                yield rest

    def _lines(self) -> Iterator[bytes]:
        """Every line written, in order (finishing the file first)."""
        self.finish()
        self._raw.seek(0)
        with gzip.GzipFile(fileobj=self._raw, mode="rb") as lines:
            yield from lines


def _starts(block: bytes, needle: bytes) -> Iterator[int]:
    """Where each line of ``block`` holding ``needle`` starts."""
    at = block.find(needle)
    while at >= 0:
        yield block.rfind(b"\n", 0, at) + 1
        at = block.find(needle, at + 1)
