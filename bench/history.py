"""The history's hot path: appending N records and feeding them to subscribers that read
their fields, for plain tuples read by position (the history before typed records),
NamedTuple records and slotted dataclasses read by name. Each is printed as a ratio against
plain tuples measured in the same run (median of --repeat runs, options interleaved, the
cost of the driving loop itself subtracted).

    python bench/history.py                      # 200,000 records, 7 repeats
    python bench/history.py --records 500000 --repeat 9

The records follow the kind mix of the reference workload (bench/reference.py: views 22%,
traffic 17%, device bytes 15%, server changes 13%, intents 12%, ...) and the subscribers
read what the checkers read. Measured on 2026-12-01 (Python 3.11.7, 2 cores shared with
other jobs), 200,000 records, medians of 7 and of 11 runs in three invocations:

    tuple, read by position             1.00  (0.48-1.05 µs a record, with the load)
    NamedTuple (kind first)             1.40-1.60
    frozen slotted dataclass            1.77-1.89
    slotted dataclass, add(kind, ...)   0.87-1.08
    slotted dataclass, emit(record)     0.73-0.78  (the caller builds the record)
    size of a view record: tuple 96 B, NamedTuple 96 B, slotted dataclass 80 B

A NamedTuple costs more on both sides in Python 3.11: its generated ``__new__`` builds the
tuple in Python, and its field getters are descriptors the interpreter does not specialise,
whereas slot reads are. So the history kept slotted (not frozen) dataclasses; since
4 December the records are plain classes compiled with the core (observe/records.py), and
the last two rows time them (compiled when the build is, from source otherwise).

On a whole run (bench/reference.py's scenario, 20 users x 30 days, the checkers reading
fewer fields than they used to unpack), CPU seconds of one run, three interleaved pairs:
plain tuples 15.99, 15.76, 14.81; records 15.06, 15.01, 13.80. With the history kept
(681,346 records) peak memory went from 276 MB to 267 MB.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, NamedTuple

from simulator.observe.history import RECORDS, History

INBOX = ("INBOX", frozenset())
MIX: list[tuple[str, tuple[Any, ...], int]] = [
    ("view", (1.0, "u1/laptop", "m1@u1", INBOX, 1, 1), 22),
    ("traffic", (1.0, "u1/laptop", 3, 120, 80_000), 17),
    ("device_bytes", (1.0, "u1/laptop", 1_200_000), 15),
    ("store", (1.0, "u1", "add", "INBOX", 1000, 17, "m1@u1", "deliver"), 13),
    ("intent", (1.0, "u1", "m1@u1", INBOX, "", "deliver"), 12),
    ("server_bytes", (1.0, "u1", 2_000_000), 8),
    ("deliver", (1.0, "u1", "m1@u1", 75_000), 4),
    ("read", (1.0, "u1/laptop", "m1@u1", True, False, True, 0.2), 4),
    ("expunged_by", (1.0, "u1", "m1@u1", "u1/home", "INBOX", "pop3-quit"), 2),
    ("session", (1.0, "u1/laptop", "imap", False), 2),
    ("sent", (1.0, "u1", "s1@u1", 50_000, "u1/laptop"), 1),
]
"""(kind, fields, share in percent) of the records the bench appends."""


class Sink:
    """What the subscribers accumulate, so their reads are not optimised away."""

    def __init__(self) -> None:
        self.n = 0
        self.t = 0.0
        self.by: defaultdict[str, int] = defaultdict(int)


def by_position(sink: Sink) -> dict[str, list[Callable[[Any], None]]]:
    """Subscribers reading plain tuples by position, as the checkers did before."""
    by = sink.by

    def view(e: Any) -> None:
        _, t, device, mid, _state, shown, bodies = e
        sink.t += t
        by[device] += shown + bodies
        by[mid] += 1

    def intent(e: Any) -> None:
        _, t, user, mid, state, _device, cause = e
        sink.t += t
        by[user] += state is None
        by[mid] += cause == "delete"

    def store(e: Any) -> None:
        _, _t, _user, kind, _mailbox, uv, uid, mid, cause = e
        by[mid] += (kind == "add") + (cause == "deliver")
        sink.n += uid + uv

    def amount(e: Any) -> None:
        _, _t, who, used = e
        by[who] = used

    def traffic(e: Any) -> None:
        _, _t, device, round_trips, up, down = e
        by[device] += round_trips + up + down

    def message(e: Any) -> None:
        by[e[3]] += 1

    def read(e: Any) -> None:
        _, _t, device, _mid, ok, offline, shown, wait = e
        by[device] += ok + offline + shown
        sink.t += wait

    def session(e: Any) -> None:
        _, _t, device, _protocol, plaintext = e
        by[device] += plaintext

    def expunged(e: Any) -> None:
        _, _t, _user, mid, device, _mailbox, cause = e
        by[device] += cause == "move"
        by[mid] += 1

    return _subscribers(view, intent, store, amount, amount, traffic, message, read, session,
                        expunged)


def by_name(sink: Sink) -> dict[str, list[Callable[[Any], None]]]:
    """Subscribers reading records by field name, as the checkers do now."""
    by = sink.by

    def view(e: Any) -> None:
        sink.t += e.t
        by[e.device] += e.shown + e.bodies
        by[e.mid] += 1

    def intent(e: Any) -> None:
        sink.t += e.t
        by[e.user] += e.state is None
        by[e.mid] += e.cause == "delete"

    def store(e: Any) -> None:
        by[e.mid] += (e.change == "add") + (e.cause == "deliver")
        sink.n += e.uid + e.uidvalidity

    def server_bytes(e: Any) -> None:
        by[e.user] = e.used

    def device_bytes(e: Any) -> None:
        by[e.device] = e.used

    def traffic(e: Any) -> None:
        by[e.device] += e.round_trips + e.up + e.down

    def message(e: Any) -> None:
        by[e.mid] += 1

    def read(e: Any) -> None:
        by[e.device] += e.ok + e.offline + e.shown
        sink.t += e.wait_s

    def session(e: Any) -> None:
        by[e.device] += e.plaintext

    def expunged(e: Any) -> None:
        by[e.device] += e.cause == "move"
        by[e.mid] += 1

    return _subscribers(view, intent, store, server_bytes, device_bytes, traffic, message, read,
                        session, expunged)


def _subscribers(view: Any, intent: Any, store: Any, server_bytes: Any, device_bytes: Any,
                 traffic: Any, message: Any, read: Any, session: Any,
                 expunged: Any) -> dict[str, list[Any]]:
    """Per kind, as many subscribers as the observer has (views feed three checkers...)."""
    return {
        "view": [view, view, view], "intent": [intent, intent, intent], "store": [store, store],
        "server_bytes": [server_bytes], "device_bytes": [device_bytes], "traffic": [traffic],
        "deliver": [message], "sent": [message], "read": [read], "session": [session],
        "expunged_by": [expunged],
    }


class TupleHistory(History):
    """The history before typed records: ``(kind, *fields)``."""

    def add(self, kind: str, *fields: Any) -> None:
        event = (kind, *fields)
        if self.keep:
            self.events.append(event)  # type: ignore[arg-type]
        for handler in self.handlers(kind):
            handler(event)


def named_tuple(kind: str) -> type[Any]:
    """A NamedTuple with ``kind`` first, then the fields of ``kind``'s record."""
    fields = [("kind", str), *((name, Any) for name in RECORDS[kind].FIELDS)]
    return NamedTuple(RECORDS[kind].__name__, fields)  # type: ignore[misc]


NAMED = {kind: named_tuple(kind) for kind, _, _ in MIX}


class NamedTupleHistory(History):
    """Records as NamedTuples whose first field is the kind."""

    def add(self, kind: str, *fields: Any) -> None:
        record = NAMED[kind](kind, *fields)
        if self.keep:
            self.events.append(record)
        for handler in self.handlers(kind):
            handler(record)


def frozen(kind: str) -> type[Any]:
    """A frozen slotted dataclass with the fields of ``kind``'s record."""
    fields = list(RECORDS[kind].FIELDS)
    cls = dataclasses.make_dataclass(RECORDS[kind].__name__, fields, slots=True, frozen=True)
    cls.kind = kind
    return cls


FROZEN = {kind: frozen(kind) for kind, _, _ in MIX}


class FrozenHistory(History):
    """Records as frozen slotted dataclasses."""

    def add(self, kind: str, *fields: Any) -> None:
        record = FROZEN[kind](*fields)
        if self.keep:
            self.events.append(record)
        for handler in self.handlers(kind):
            handler(record)


class NoOpHistory(History):
    """Does nothing: the cost of the driving loop alone."""

    def add(self, kind: str, *fields: Any) -> None:
        pass


def workload(n: int) -> list[tuple[str, tuple[Any, ...]]]:
    """``n`` (kind, fields) pairs in MIX's proportions, interleaved."""
    pattern = [(kind, fields) for kind, fields, share in MIX for _ in range(share)]
    step = 37  # coprime with len(pattern): kinds interleave rather than come in blocks
    pattern = [pattern[(i * step) % len(pattern)] for i in range(len(pattern))]
    return (pattern * (n // len(pattern) + 1))[:n]


def timed(history: History, subscribers: dict[str, list[Any]],
          records: list[tuple[str, tuple[Any, ...]]], emit: bool = False) -> float:
    """Seconds to feed ``records`` to ``history`` (by add, or by emit of built records)."""
    for kind, handlers in subscribers.items():
        history.handlers(kind).extend(handlers)
    before = gc.get_threshold()
    gc.collect()
    gc.set_threshold(50_000, 20, 100)  # as simulator.runs does during a run
    try:
        if emit:  # the caller builds the record from its class, as the world would
            typed = [(RECORDS[kind], fields) for kind, fields in records]
            put = history.emit
            start = time.perf_counter()
            for cls, fields in typed:
                put(cls(*fields))
            return time.perf_counter() - start
        add = history.add
        start = time.perf_counter()
        for kind, fields in records:
            add(kind, *fields)
        return time.perf_counter() - start
    finally:
        gc.set_threshold(*before)


OPTIONS: dict[str, Callable[[list[Any]], float]] = {
    "tuple, read by position": lambda r: timed(TupleHistory(), by_position(Sink()), r),
    "NamedTuple (kind first)": lambda r: timed(NamedTupleHistory(), by_name(Sink()), r),
    "frozen slotted dataclass": lambda r: timed(FrozenHistory(), by_name(Sink()), r),
    "the records, add(kind, ...)": lambda r: timed(History(), by_name(Sink()), r),
    "the records, emit(record)": (
        lambda r: timed(History(), by_name(Sink()), r, emit=True)),
}


def main() -> None:
    """Time every option several times, interleaved; print medians as ratios to tuples."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    records = workload(args.records)
    seconds: dict[str, list[float]] = {name: [] for name in OPTIONS}
    loop: list[float] = []
    for _ in range(args.repeat):
        loop.append(timed(NoOpHistory(), {}, records))
        for name, option in OPTIONS.items():
            seconds[name].append(option(records))
    overhead = statistics.median(loop)
    net = {name: statistics.median(s) - overhead for name, s in seconds.items()}
    base = net["tuple, read by position"]
    print(f"{args.records} records, median of {args.repeat} runs, driving loop "
          f"{overhead / args.records * 1e6:.2f} µs a record subtracted")
    for name, value in net.items():
        print(f"  {name:<34} {value / base:5.2f}  ({value / args.records * 1e6:.2f} µs a record)")
    view = MIX[0][1]
    sizes = {"tuple": sys.getsizeof(("view", *view)),
             "NamedTuple": sys.getsizeof(NAMED["view"]("view", *view)),
             "the record": sys.getsizeof(RECORDS["view"](*view))}
    print("  size of a view record: " + ", ".join(f"{k} {v} B" for k, v in sizes.items()))


if __name__ == "__main__":
    main()
