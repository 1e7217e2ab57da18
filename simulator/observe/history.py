"""The history: a compact, append-only log of everything observable in a run.

Each entry is a record (``observe/records.py``, one class per kind). Checkers subscribe to
the record classes they need and are fed as records are appended, so metrics stay
incremental (DESIGN: performance). The world builds a record and hands it to
:meth:`History.emit`; :meth:`History.add` builds one from a kind and its fields, and not at
all when nobody keeps or reads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from mypy_extensions import mypyc_attr

from simulator.observe.records import (
    RECORDS,
    AccountAdded,
    Bounced,
    CommandSent,
    Deferred,
    Delivered,
    DeviceAdded,
    DeviceBytes,
    DeviceLost,
    Drop,
    End,
    ExpungedBy,
    Filed,
    Intent,
    LinkChange,
    NewDevice,
    Online,
    OtherServerDown,
    Partition,
    ProgramRun,
    ReadAttempt,
    Record,
    Route,
    Sent,
    ServerBytes,
    ServerDown,
    SessionOpened,
    StoreChange,
    Tick,
    TrafficCharged,
    UidvalidityReset,
    ViewChange,
    Violation,
)

__all__ = [
    "RECORDS",
    "AccountAdded",
    "Bounced",
    "CommandSent",
    "Deferred",
    "Delivered",
    "DeviceAdded",
    "DeviceBytes",
    "DeviceLost",
    "Drop",
    "End",
    "ExpungedBy",
    "Filed",
    "Handler",
    "History",
    "Intent",
    "LinkChange",
    "NewDevice",
    "Online",
    "OtherServerDown",
    "Partition",
    "ProgramRun",
    "ReadAttempt",
    "Record",
    "Route",
    "Sent",
    "ServerBytes",
    "ServerDown",
    "SessionOpened",
    "StoreChange",
    "Tick",
    "TrafficCharged",
    "UidvalidityReset",
    "ViewChange",
    "Violation",
]

R = TypeVar("R", bound=Record)
Handler = Callable[[Any], None]


@mypyc_attr(allow_interpreted_subclasses=True)
class History:
    """Appends records, keeps them (unless ``keep`` is False) and feeds subscribers; with
    ``commands``, the world also records every command a device sends (CommandSent)."""

    def __init__(self, keep: bool = True, commands: bool = False) -> None:
        self.keep = keep
        self.commands = commands
        self.events: list[Record] = []
        self._routes: dict[str, tuple[type[Record], list[Handler]]] = {
            kind: (cls, []) for kind, cls in RECORDS.items()
        }
        """Per kind, its record class and its subscribers: one look-up routes a record."""

    def subscribe(self, cls: type[R], handler: Callable[[R], None]) -> None:
        """Call ``handler`` with every future record of class ``cls``."""
        self._routes[cls.kind][1].append(handler)

    def handlers(self, kind: str) -> list[Handler]:
        """The subscribers of ``kind``, in the order they subscribed."""
        return self._routes[kind][1]

    def add(self, kind: str, *fields: Any) -> None:
        """Build a ``kind`` record from its fields (in order), keep it, feed its subscribers
        (a record nobody keeps or reads is not built: a run that writes no story file has
        no reader of ``expunged_by``)."""
        cls, handlers = self._routes[kind]
        if not handlers and not self.keep:
            return
        record = cls(*fields)
        if self.keep:
            self.events.append(record)
        for handler in handlers:
            handler(record)

    def emit(self, record: Record) -> None:
        """Keep a record the caller built and feed its subscribers (the typed add)."""
        if self.keep:
            self.events.append(record)
        for handler in self._routes[record.kind][1]:
            handler(record)

    def of(self, *kinds: str) -> Iterator[Record]:
        """Kept records of the given kinds, in order."""
        wanted = set(kinds)
        return (e for e in self.events if e.kind in wanted)

    def every(self, cls: type[R]) -> Iterator[R]:
        """Kept records of class ``cls``, in order (typed: their fields are known)."""
        return (e for e in self.events if isinstance(e, cls))
