"""Consistency checker: agreement of each device's view with the person's intent,
propagation delays, and anomalies with witnesses (DESIGN: metric definitions)."""

from __future__ import annotations

import math
import struct
from array import array
from bisect import insort
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from simulator.observe.blocks import ConsistencyBlock, DeviceConsistency, Witness
from simulator.observe.history import History, Intent, NewDevice, ViewChange
from simulator.observe.stats import TimeAverage, interpolate, rounded

if TYPE_CHECKING:
    from simulator.clients.local import State

ANOMALIES: Final = ("duplicate", "resurrected", "lost_flag_change", "local_only")
MAX_WITNESSES: Final = 5
PERSIST_S: Final = 60.0
"""An anomaly counts once it has lasted this long: a message shown twice for a moment while
a sync moves it between folders is nothing a person would see."""
DELAY_QUANTILES: Final = (0, 1, 2, *range(5, 100, 5), 98, 99, 100)
"""Percentiles of the propagation delays kept in summary.json, enough to draw their CDF."""

_NO_FLAGS: Final[frozenset[str]] = frozenset()
_TIME: Final = struct.Struct("d")  # a time awaited, when a message awaits several (see pending)
_TWO: Final = struct.Struct("2d")  # the first two of them
_NONE_OPEN: Final[dict[str, tuple[float, str]]] = {}
"""No anomaly open on a (device, message): read, never written."""


class View(NamedTuple):
    """What a device shows of a message: its state, the copies shown, and the flags it
    showed last while the message was intended (what a flag lost since is measured against).
    A device that shows none of an intended message but showed flags of it keeps
    ``View(None, 0, flags)``. A named tuple: compiled code would box a bare tuple type anew
    wherever it is stored, undoing the sharing of :func:`_shared`."""

    state: State | None
    shown: int
    flags: frozenset[str]


_VIEWS: Final[dict[tuple[State | None, int, frozenset[str]], View]] = {}
"""One view per distinct value: every device keeps one per message it shows, but a run has
only a handful of distinct triples (the states and flag sets are shared already)."""

Row = tuple[View | None, ...]
"""A person's devices' views of one message, in the order the devices came (a device past
the end has none): one shared tuple per (person, message), not a map slot per device."""

_ROWS: Final[dict[Row, Row]] = {}
"""One row per distinct value: a run has few (a handful of views, a few devices each)."""


@dataclass
class DeviceAgreement:
    """Incremental |matching| / |view ∪ intent| for one device, and its time average. A
    message is in the union when it is intended or shown, and matches when it is intended
    and shown in the intended state."""

    union: int = 0
    matching: int = 0
    avg: TimeAverage = field(default_factory=TimeAverage)

    @property
    def ratio(self) -> float:
        return 1.0 if self.union == 0 else self.matching / self.union


class Consistency:
    """Feeds on intent and view events; answers agreement, propagation and anomalies."""

    def __init__(self, history: History) -> None:
        self.user_of: dict[str, str] = {}
        self.devices_of: defaultdict[str, list[str]] = defaultdict(list)
        self.slot: dict[str, int] = {}  # a device's place in its person's rows
        self.intent: defaultdict[str, dict[str, State]] = defaultdict(dict)
        self.rows: defaultdict[str, dict[str, Row]] = defaultdict(dict)
        """Per person, per message their devices show or showed flags of: the devices'
        views (:class:`View`)."""
        self.agree: dict[str, DeviceAgreement] = {}
        self.pending: dict[str, dict[str, float | bytes]] = {}
        """Per device, per message: when the changes it has yet to show were made. One time
        bare, as a message mostly awaits one change (a float: no tuple, and no (device,
        message) key, as the device's copies of it grow with the mail it keeps); several
        packed as 8-byte doubles (a device that cannot show flags, as POP3's, awaits each
        flag change of each message it holds for the rest of the run: a float object and a
        tuple slot each would cost four times as much)."""
        self.unpropagated = 0  # changes in ``pending``, kept as a count for the time series
        self.delays = array("d")  # one 8-byte float per propagation, not a Python object
        self.deleted: defaultdict[str, set[str]] = defaultdict(set)
        self.counts = dict.fromkeys(ANOMALIES, 0)
        self.witnesses: dict[str, list[Witness]] = {k: [] for k in ANOMALIES}
        self._seen: set[tuple[str, str, str]] = set()
        self._missing: dict[tuple[str, str], frozenset[str]] = {}
        self._open: dict[tuple[str, str], dict[str, tuple[float, str]]] = {}
        """Anomalies open per (device, message): kind -> (since, text)."""
        history.subscribe(NewDevice, self._device)
        history.subscribe(Intent, self._intent)
        history.subscribe(ViewChange, self._view)

    # -- feeding -------------------------------------------------------------------------
    def _device(self, e: NewDevice) -> None:
        t, device, user = e.t, e.device, e.user
        self.user_of[device] = user
        self.slot[device] = len(self.devices_of[user])
        self.devices_of[user].append(device)
        self.agree[device] = DeviceAgreement(avg=TimeAverage(t, 1.0))
        self.pending[device] = {}
        at: Any = e.t  # one float object for all of them (see _wait)
        for mid in self.intent[user]:
            self._shift(t, device, 1, 0)  # intended, not shown yet
            self._wait(device, mid, at)

    def _intent(self, e: Intent) -> None:
        t, user, mid, state = e.t, e.user, e.mid, e.state
        at: Any = e.t  # one float object for every device (see _wait)
        wants = self.intent[user]
        old = wants.get(mid)
        if state is None:
            wants.pop(mid, None)
        else:
            wants[mid] = state
        devices = self.devices_of[user]
        rows = self.rows[user]
        row = rows.get(mid, ())
        for i, device in enumerate(devices):  # union, matching and _agrees worked out here
            have = _shown(row, i)
            if have is None:
                union = (state is not None) - (old is not None)
                matching = 0
                agrees = state is None
            else:
                union = 0
                now, was = have[0] == state, have[0] == old
                matching = (state is not None and now) - (old is not None and was)
                agrees = state is not None and now
            if union or matching:
                self._shift(t, device, union, matching)
            if agrees:
                self._settle(device, mid)
            else:
                self._wait(device, mid, at)
        if state is None:
            if e.cause == "delete":
                self.deleted[user].add(mid)
            if row:  # flags shown last are read only while intended, and a mid is never again
                _store(rows, mid, tuple(None if v is None or not v[1] else
                                        _shared(v[0], v[1], _NO_FLAGS) for v in row))

    def _view(self, e: ViewChange) -> None:
        t, device, mid, state, shown = e.t, e.device, e.mid, e.state, e.shown
        user, i = self.user_of[device], self.slot[device]
        rows = self.rows[user]
        row = rows.get(mid, ())
        was = row[i] if i < len(row) else None
        before = was if was is not None and was[1] else None
        had = _NO_FLAGS if was is None else was[2]
        want = self.intent[user].get(mid)
        have: View | None = None
        put: View | None = None
        if shown:  # intended, the flags it shows now are the ones shown last
            now = had if want is None else state[1] if state else _NO_FLAGS
            have = _shared(state, shown, now)
            put = have
        else:  # none shown: only the flags shown last, if any, are kept
            put = _shared(None, 0, had) if had else None
        if put is not was:
            _store(rows, mid, (*row[:i], *(None,) * (i - len(row)), put, *row[i + 1:]))
        if want is None:  # one view changes: only the union can move, or only the matching
            union = (have is not None) - (before is not None)  # not intended: shown or not
            if union:
                self._shift(t, device, union, 0)
        else:  # intended: matches when shown in the intended state
            matching = (have is not None and have[0] == want) - (
                before is not None and before[0] == want)
            if matching:
                self._shift(t, device, 0, matching)
        self._anomalies(t, device, user, mid, before, state, shown, want, had)
        if mid in self.pending[device] and _agrees(want, have):
            self.delays.extend(t - t0 for t0 in self._settle(device, mid))

    # -- bookkeeping ---------------------------------------------------------------------
    def _wait(self, device: str, mid: str, t: Any) -> None:
        """A change at ``t`` has yet to reach this (device, message). ``t`` is typed Any: a
        change awaited by several devices is kept as one float object (compiled code would
        box a ``float`` anew for each)."""
        waits = self.pending[device]
        had = waits.get(mid)
        if had is None:
            waits[mid] = t
        elif isinstance(had, bytes):
            waits[mid] = had + _TIME.pack(t)
        else:
            waits[mid] = _TWO.pack(had, t)
        self.unpropagated += 1

    def _settle(self, device: str, mid: str) -> tuple[float, ...]:
        """The device now shows what is intended: the times of the changes it was awaiting."""
        waiting = _times(self.pending[device].pop(mid, None))
        self.unpropagated -= len(waiting)
        return waiting

    def shown_last(self, device: str, mid: str) -> frozenset[str]:
        """The flags ``device`` showed last of ``mid`` while the person intended it (what a
        lost flag change is measured against)."""
        row = self.rows[self.user_of[device]].get(mid, ())
        i = self.slot[device]
        view = row[i] if i < len(row) else None
        return _NO_FLAGS if view is None else view[2]

    def views(self, device: str) -> dict[str, View]:
        """What ``device`` shows: its view of each message it shows."""
        i = self.slot[device]
        rows = self.rows[self.user_of[device]].items()
        return {mid: have for mid, row in rows if (have := _shown(row, i)) is not None}

    def awaited(self, device: str, mid: str) -> tuple[float, ...]:
        """When the changes were made that ``device`` has yet to show of ``mid``, oldest first."""
        return _times(self.pending[device].get(mid))

    def _shift(self, t: float, device: str, union: int, matching: int) -> None:
        """Move ``device``'s counters by a message's change of contribution (if any)."""
        if union or matching:
            agree = self.agree[device]
            agree.union += union
            agree.matching += matching
            agree.avg.set(t, agree.ratio)

    def witness(self, kind: str, t: float, device: str, mid: str, text: str) -> None:
        """Count an anomaly once per (device, message); keep the MAX_WITNESSES earliest by
        (start, device, message), so the choice does not depend on the order of different
        people's records within an instant (a sharded run merges them in another order)."""
        key = (kind, device, mid)
        if key in self._seen:
            return
        self._seen.add(key)
        self.counts[kind] += 1
        kept = self.witnesses[kind]
        order = (t, device, mid)
        if len(kept) == MAX_WITNESSES and order >= _order(kept[-1]):
            return
        insort(kept, {"mid": mid, "device": device, "t": t, "what": text}, key=_order)  # type: ignore[misc]
        del kept[MAX_WITNESSES:]

    def _anomalies(self, t: float, device: str, user: str, mid: str,
                   before: View | None, state: State | None, shown: int,
                   want: State | None, had: frozenset[str]) -> None:
        """Open or close the anomalies of a view change; ``had`` is the flags the device
        showed last while the message was intended."""
        key = (device, mid)
        opened = self._open.get(key, _NONE_OPEN)  # each test below reads only its own kind,
        if shown >= 2:  # which only that test changes: the look-up up front stays right
            if "duplicate" not in opened:  # (a text is built only when an anomaly opens)
                self._hold("duplicate", t, key, f"shown {shown} times")
        elif "duplicate" in opened:
            self._release("duplicate", t, key)
        if shown and mid in self.deleted[user] and (before is None or "resurrected" in opened):
            self._hold("resurrected", t, key, "deleted by the user, shown again")
        elif "resurrected" in opened:
            self._release("resurrected", t, key)
        if want is None:
            self._missing.pop(key, None)
            if "lost_flag_change" in opened:
                self._release("lost_flag_change", t, key)
            return
        if not shown:  # a copy that vanishes and comes back without the flag also reverted it
            return
        now_flags = state[1] if state else _NO_FLAGS
        lost = _NO_FLAGS if had is now_flags else had - now_flags  # flag sets are shared
        before_missing = self._missing.get(key)
        if before_missing:
            lost = lost | before_missing
        missing = (lost & want[1]) - now_flags if lost else _NO_FLAGS
        if missing:
            self._missing[key] = missing
            if "lost_flag_change" not in opened:
                self._hold("lost_flag_change", t, key,
                           f"{', '.join(sorted(missing))} set by the user, reverted")
        else:
            if before_missing is not None:
                del self._missing[key]
            if "lost_flag_change" in opened:
                self._release("lost_flag_change", t, key)

    def _hold(self, kind: str, t: float, key: tuple[str, str], text: str) -> None:
        """An anomaly's condition holds: open it (from now, if it was not open)."""
        self._open.setdefault(key, {}).setdefault(kind, (t, text))

    def _release(self, kind: str, t: float, key: tuple[str, str]) -> None:
        """An anomaly's condition no longer holds: count it if it lasted PERSIST_S."""
        kinds = self._open.get(key)
        if kinds is None or kind not in kinds:
            return
        start, text = kinds.pop(kind)
        if not kinds:
            del self._open[key]
        if t - start >= PERSIST_S:
            self.witness(kind, start, key[0], key[1], text)

    def close(self, end: float) -> None:
        """At the end of the run: anomalies still open count if they lasted PERSIST_S (in
        any order: a witness is kept by its own (start, device, message), see witness)."""
        for (device, mid), kinds in list(self._open.items()):
            for kind, (start, what) in kinds.items():
                if end - start >= PERSIST_S:
                    self.witness(kind, start, device, mid, what)
        self._open.clear()

    # -- answers -------------------------------------------------------------------------
    def agreement_now(self) -> float:
        """Mean current agreement over devices (for the time series; an exact sum, so the
        order the devices came in does not matter)."""
        if not self.agree:
            return 1.0
        return math.fsum(a.ratio for a in self.agree.values()) / len(self.agree)

    def divergent(self, device: str) -> int:
        """Messages in view ∪ intent that do not match on ``device``."""
        a = self.agree[device]
        return a.union - a.matching

    def summary(self, end: float) -> ConsistencyBlock:
        """The ``consistency`` block of summary.json."""
        self.close(end)
        devices = sorted(self.agree)
        n = len(devices) or 1
        agreement = sum(self.agree[d].avg.mean(end) for d in devices) / n
        final = sum(self.agree[d].ratio for d in devices) / n
        ordered = sorted(self.delays)  # once, for every quantile below
        return {
            "agreement": rounded(agreement),
            "final_agreement": rounded(final),
            "divergent_messages": sum(self.divergent(d) for d in devices),
            "missing_reads": 0,
            "propagation_s": {
                "p50": rounded(interpolate(ordered, 50), 3),
                "p95": rounded(interpolate(ordered, 95), 3),
                "max": rounded(ordered[-1], 3) if ordered else None,
                "count": len(ordered),
                "quantiles": delay_quantiles(ordered),
            },
            "unpropagated": self.unpropagated,
            "anomalies": dict(self.counts),
            "anomaly_witnesses": {k: list(v) for k, v in self.witnesses.items()},
        }

    def per_device(self, device: str, end: float) -> DeviceConsistency:
        """Agreement figures for one device."""
        a = self.agree[device]
        return {
            "agreement": rounded(a.avg.mean(end)),
            "final_agreement": rounded(a.ratio),
            "divergent_messages": a.union - a.matching,
        }


def _shared(state: State | None, shown: int, flags: frozenset[str]) -> View:
    """The one object of this view's value."""
    view = _VIEWS.get((state, shown, flags))
    if view is None:
        view = _VIEWS[(state, shown, flags)] = View(state, shown, flags)
    return view


def _shown(row: Row, i: int) -> View | None:
    """Device ``i``'s view in ``row`` if it shows the message."""
    view = row[i] if i < len(row) else None
    return view if view is not None and view[1] else None


def _store(rows: dict[str, Row], mid: str, row: Row) -> None:
    """Keep ``row`` as ``mid``'s, shared, without trailing gaps (none at all: no entry)."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    if not end:
        rows.pop(mid, None)
        return
    key = row[:end]
    shared = _ROWS.get(key)
    if shared is None:
        shared = _ROWS[key] = key
    rows[mid] = shared


def _times(had: float | bytes | None) -> tuple[float, ...]:
    """The times of a ``pending`` entry, oldest first."""
    if had is None:
        return ()
    if isinstance(had, bytes):
        return tuple(memoryview(had).cast("d"))
    return (had,)


def _agrees(want: State | None, have: View | None) -> bool:
    """A device agrees on a message when it shows it as intended, or neither shows nor
    intends it."""
    return have is None if want is None else (have is not None and have[0] == want)


def _order(w: Witness) -> tuple[float, str, str]:
    """Witnesses are kept earliest first, then by device and message."""
    return (w["t"], w["device"], w["mid"])


def delay_quantiles(ordered: Sequence[float]) -> list[list[float | None]]:
    """[[percent, seconds], ...] at DELAY_QUANTILES of delays already sorted ([] without
    delays): the report's CDF."""
    if not ordered:
        return []
    return [[q, rounded(interpolate(ordered, q), 3)] for q in DELAY_QUANTILES]
