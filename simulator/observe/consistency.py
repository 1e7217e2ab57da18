"""Consistency checker: agreement of each device's view with the person's intent,
propagation delays, and anomalies with witnesses (DESIGN: metric definitions)."""

from __future__ import annotations

import math
from array import array
from bisect import insort
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.observe.blocks import ConsistencyBlock, DeviceConsistency, Witness
from simulator.observe.history import History, Intent, NewDevice, ViewChange
from simulator.observe.stats import TimeAverage, percentile, rounded

if TYPE_CHECKING:
    from simulator.clients.local import State

ANOMALIES = ("duplicate", "resurrected", "lost_flag_change", "local_only")
MAX_WITNESSES = 5
PERSIST_S = 60.0
"""An anomaly counts once it has lasted this long: a message shown twice for a moment while
a sync moves it between folders is nothing a person would see."""
DELAY_QUANTILES = (0, 1, 2, *range(5, 100, 5), 98, 99, 100)
"""Percentiles of the propagation delays kept in summary.json, enough to draw their CDF."""


@dataclass
class DeviceAgreement:
    """Incremental |matching| / |view ∪ intent| for one device, and its time average."""

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
        self.intent: defaultdict[str, dict[str, State]] = defaultdict(dict)
        self.view: defaultdict[str, dict[str, tuple[State | None, int]]] = defaultdict(dict)
        self.agree: dict[str, DeviceAgreement] = {}
        self.pending: dict[tuple[str, str], list[float]] = {}
        self.unpropagated = 0  # changes in ``pending``, kept as a count for the time series
        self.delays = array("d")  # one 8-byte float per propagation, not a Python object
        self.deleted: defaultdict[str, set[str]] = defaultdict(set)
        self.counts = dict.fromkeys(ANOMALIES, 0)
        self.witnesses: dict[str, list[Witness]] = {k: [] for k in ANOMALIES}
        self._seen: set[tuple[str, str, str]] = set()
        self._flags_reflected: dict[tuple[str, str], frozenset[str]] = {}
        self._missing: dict[tuple[str, str], frozenset[str]] = {}
        self._open: dict[tuple[str, str, str], tuple[float, str]] = {}
        history.subscribe(NewDevice, self._device)
        history.subscribe(Intent, self._intent)
        history.subscribe(ViewChange, self._view)

    # -- feeding -------------------------------------------------------------------------
    def _device(self, e: NewDevice) -> None:
        t, device, user = e.t, e.device, e.user
        self.user_of[device] = user
        self.devices_of[user].append(device)
        self.agree[device] = DeviceAgreement(avg=TimeAverage(t, 1.0))
        for mid in self.intent[user]:
            self._update(t, device, mid, (0, 0))
            self._wait((device, mid), t)

    def _intent(self, e: Intent) -> None:
        t, user, mid, state = e.t, e.user, e.mid, e.state
        devices = self.devices_of[user]
        before = [self._contribution(d, mid) for d in devices]
        if state is None:
            self.intent[user].pop(mid, None)
        else:
            self.intent[user][mid] = state
        for device, old in zip(devices, before, strict=True):
            self._update(t, device, mid, old)
            if self._matches(device, mid):
                self._settle((device, mid))
            else:
                self._wait((device, mid), t)
        if state is None and e.cause == "delete":
            self.deleted[user].add(mid)

    def _view(self, e: ViewChange) -> None:
        t, device, mid, state, shown = e.t, e.device, e.mid, e.state, e.shown
        user = self.user_of[device]
        views = self.view[device]
        before = views.get(mid)
        old = self._contribution(device, mid)
        if shown:
            views[mid] = (state, shown)
        else:
            views.pop(mid, None)
        self._update(t, device, mid, old)
        self._anomalies(t, device, user, mid, before, state, shown)
        if (device, mid) in self.pending and self._matches(device, mid):
            self.delays.extend(t - t0 for t0 in self._settle((device, mid)))

    # -- bookkeeping ---------------------------------------------------------------------
    def _wait(self, key: tuple[str, str], t: float) -> None:
        """A change at ``t`` has yet to reach this (device, message)."""
        self.pending.setdefault(key, []).append(t)
        self.unpropagated += 1

    def _settle(self, key: tuple[str, str]) -> list[float]:
        """The device now shows what is intended: the times of the changes it was awaiting."""
        waiting = self.pending.pop(key, [])
        self.unpropagated -= len(waiting)
        return waiting

    def _matches(self, device: str, mid: str) -> bool:
        want = self.intent[self.user_of[device]].get(mid)
        have = self.view[device].get(mid)
        return (want is None and have is None) or (
            want is not None and have is not None and have[0] == want
        )

    def _contribution(self, device: str, mid: str) -> tuple[int, int]:
        want = self.intent[self.user_of[device]].get(mid)
        have = self.view[device].get(mid)
        union = int(want is not None or have is not None)
        return union, int(want is not None and have is not None and have[0] == want)

    def _update(self, t: float, device: str, mid: str, old: tuple[int, int]) -> None:
        """Move ``device``'s counters from ``mid``'s old contribution to its current one."""
        new = self._contribution(device, mid)
        if new != old:
            agree = self.agree[device]
            agree.union += new[0] - old[0]
            agree.matching += new[1] - old[1]
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
        insort(kept, {"mid": mid, "device": device, "t": t, "what": text}, key=_order)
        del kept[MAX_WITNESSES:]

    def _anomalies(self, t: float, device: str, user: str, mid: str,
                   before: tuple[State | None, int] | None, state: State | None,
                   shown: int) -> None:
        self._suspect("duplicate", t, device, mid, shown >= 2, f"shown {shown} times")
        back = before is None or ("resurrected", device, mid) in self._open
        self._suspect("resurrected", t, device, mid,
                      bool(shown) and mid in self.deleted[user] and back,
                      "deleted by the user, shown again")
        want = self.intent[user].get(mid)
        key = (device, mid)
        if want is None:
            self._missing.pop(key, None)
            self._suspect("lost_flag_change", t, device, mid, False, "")
            return
        if not shown:  # a copy that vanishes and comes back without the flag also reverted it
            return
        had = self._flags_reflected.get(key, frozenset())
        now_flags = state[1] if state else frozenset()
        missing = ((self._missing.get(key, frozenset()) | (had - now_flags)) & want[1]) - now_flags
        if missing:
            self._missing[key] = missing
        else:
            self._missing.pop(key, None)
        self._suspect("lost_flag_change", t, device, mid, bool(missing),
                      f"{', '.join(sorted(missing))} set by the user, reverted")
        self._flags_reflected[key] = now_flags  # all shown: the intent may follow the view

    def _suspect(self, kind: str, t: float, device: str, mid: str, holds: bool,
                 text: str) -> None:
        """Open an anomaly while its condition holds; count it once it lasted PERSIST_S."""
        key = (kind, device, mid)
        if holds:
            self._open.setdefault(key, (t, text))
        elif key in self._open:
            start, what = self._open.pop(key)
            if t - start >= PERSIST_S:
                self.witness(kind, start, device, mid, what)

    def close(self, end: float) -> None:
        """At the end of the run: anomalies still open count if they lasted PERSIST_S."""
        for (kind, device, mid), (start, what) in list(self._open.items()):
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
        return {
            "agreement": rounded(agreement),
            "final_agreement": rounded(final),
            "divergent_messages": sum(self.divergent(d) for d in devices),
            "missing_reads": 0,
            "propagation_s": {
                "p50": rounded(percentile(self.delays, 50), 3),
                "p95": rounded(percentile(self.delays, 95), 3),
                "max": rounded(max(self.delays), 3) if self.delays else None,
                "count": len(self.delays),
                "quantiles": delay_quantiles(self.delays),
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


def _order(w: Witness) -> tuple[float, str, str]:
    """Witnesses are kept earliest first, then by device and message."""
    return (w["t"], w["device"], w["mid"])


def delay_quantiles(delays: Sequence[float]) -> list[list[float | None]]:
    """[[percent, seconds], ...] at DELAY_QUANTILES ([] without delays): the report's CDF."""
    if not delays:
        return []
    ordered = sorted(delays)
    return [[q, rounded(percentile(ordered, q), 3)] for q in DELAY_QUANTILES]
