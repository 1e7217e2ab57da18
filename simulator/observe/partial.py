"""A shard's partial result: what one shard's checkers know at the end of its run, small
enough to send back from a worker, from which ``observe/merge.py`` makes the whole run's
summary.json and time series exactly (DESIGN: sharded runs).

Most of a run's figures belong to one person's devices and accounts, and a shard holds
them whole (device and user blocks, witnesses with their stories). What people share is
kept as parts that add up exactly: integer counts, exact float sums (``exactsum``), the
samples quantiles are taken from, each hour's components of the time series, and the
shard's server total at the end of each instant it recorded one (for the peak and mean of
the total over everyone's accounts).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from simulator.observe.blocks import (
    AccountsBlock,
    DeviceBlock,
    DeviceStored,
    FaultsBlock,
    LostExample,
    TrafficBlock,
    UserBlock,
    Witness,
)
from simulator.observe.durability import MAX_EXAMPLES
from simulator.observe.exactsum import compact, exact
from simulator.observe.history import History, ServerBytes, Tick
from simulator.observe.spill import OnDisk

if TYPE_CHECKING:
    from simulator.observe.accounts import Accounts
    from simulator.observe.observer import Observer
    from simulator.observe.verdict import Verdict

MAX_AT_END = 5
"""Message ids the verdict names for each finding of the end's accounting (verdict.py)."""

TickParts = tuple[Any, ...]
"""One hour's components: (t, agreement ratios' exact sum (compacted), devices, server bytes, device
bytes, online devices, server up, unpropagated, read attempts, offline reads ok, offline
reads, bounced, deferred, {network: online devices}, unrouted, links down, partitions in
force, connection drops)."""


@dataclass
class VerdictPart:
    """A shard's verdict: its earliest violations, their count, and the end's accounting."""

    timed: list[tuple[float, str]]  # the earliest (when, what), quota overruns among them
    count: int  # violations recorded during the run (before the end's accounting)
    unaccounted: list[str]  # the first few message ids, sorted
    unaccounted_count: int
    bounced: list[str]  # bounced yet expected in a mailbox: the first few, sorted
    bounced_count: int


@dataclass
class Partial:
    """Everything the merge needs from one shard (picklable: it crosses processes)."""

    end: float
    ticks: list[TickParts]
    instants: array[float] | OnDisk  # when this shard's server total changed (each instant
    # once); these and the other samples are on disk once gathered (merge.Gathered)
    totals: array[int] | OnDisk  # the shard's server total at the end of each of those instants
    # consistency
    agreement: dict[str, tuple[float, float]]  # device -> (time average, final ratio)
    divergent: int
    unpropagated: int
    delays: array[float] | OnDisk  # sorted
    anomalies: dict[str, int]
    witnesses: dict[str, list[Witness]]  # the earliest few of each kind, stories told
    missing_reads: int
    # server storage
    quota: int | None
    server_final: int
    bounced: int
    deferred: int
    over_quota: int  # exact sum (exactsum) of the spans accounts spent full
    # reads
    reads: tuple[int, int, int, int]  # attempts, succeeded, offline attempts, offline ok
    waits: array[float] | OnDisk  # sorted
    # per device and per user, whole
    devices: dict[str, DeviceBlock]
    users: dict[str, UserBlock]
    stored: dict[str, DeviceStored]
    # durability: lost per person, and the first few lost of each cause with their order
    lost_per_user: dict[str, int]
    lost_by_cause: dict[str, int]
    lost_candidates: list[tuple[tuple[str, int], LostExample]]
    traffic: TrafficBlock
    plaintext: int
    faults: FaultsBlock
    verdict: VerdictPart
    accounts: AccountsBlock | None = None
    filed: tuple[int, int] = (0, 0)  # new messages filed, and filed into the busiest Inbox
    history: list[tuple[Any, ...]] | None = field(default=None)  # packed, when kept


class ShardTap:
    """Records, as a shard runs, what the merge needs beyond the checkers' end state: each
    hour's time-series components and the server total at the end of each instant."""

    def __init__(self, history: History, observer: Observer) -> None:
        """Subscribe after the observer's checkers (so they are up to date when called)."""
        self.observer = observer
        self.ticks: list[TickParts] = []
        self.instants: array[float] = array("d")
        self.totals: array[int] = array("q")
        self._instant: float | None = None
        self._total = 0
        history.subscribe(Tick, self._tick)
        history.subscribe(ServerBytes, self._bytes)

    def _bytes(self, e: ServerBytes) -> None:
        """The server total changed: keep its value at the end of each instant."""
        if e.t != self._instant:
            self._close_instant()
            self._instant = e.t
        self._total = int(self.observer.server.total.value)

    def _close_instant(self) -> None:
        if self._instant is not None:
            self.instants.append(self._instant)
            self.totals.append(self._total)

    def finish(self) -> None:
        """The run ended: keep the last instant."""
        self._close_instant()
        self._instant = None

    def _tick(self, e: Tick) -> None:
        """This hour's components of every time-series column."""
        o = self.observer
        agree = o.consistency.agree
        reads, server, timeline = o.reads, o.server, o.timeline
        self.ticks.append((
            round(e.t, 3),
            compact(exact(a.ratio for a in agree.values())),
            len(agree),
            int(server.total.value),
            o.devices.total_now(),
            e.online_devices,
            int(e.server_up),
            o.consistency.unpropagated,
            reads.attempts,
            reads.offline_ok,
            reads.offline_attempts,
            sum(server.bounced.values()),
            sum(server.deferred.values()),
            dict(timeline.per_network),
            *timeline.row()[1:],
        ))


def verdict_part(verdict: Verdict, over: list[tuple[float, str]]) -> VerdictPart:
    """The verdict's parts: violations so far (quota overruns added) and what the end's
    accounting finds, with the first few of each in the order the verdict names them."""
    for t, text in over:
        verdict.fail(t, text)
    in_intent = verdict.in_intent()
    unaccounted = sorted(verdict.unaccounted(in_intent))
    bounced = sorted(in_intent & verdict.bounced)
    return VerdictPart(list(verdict.timed), verdict.count, unaccounted[:MAX_AT_END],
                       len(unaccounted), bounced[:MAX_AT_END], len(bounced))


def lost_candidates(lost: list[LostExample]) -> list[tuple[tuple[str, int], LostExample]]:
    """The first MAX_EXAMPLES lost messages of each cause, each with its place in the run's
    order (person, then intent order): the examples are always picked among these."""
    taken: dict[str, int] = {}
    picked: list[tuple[tuple[str, int], LostExample]] = []
    for i, x in enumerate(lost):
        cause = str(x["removed_by"])
        if taken.get(cause, 0) < MAX_EXAMPLES:
            taken[cause] = taken.get(cause, 0) + 1
            picked.append(((x["user"], i), x))
    return picked


def by_cause(lost: list[LostExample]) -> dict[str, int]:
    """Lost messages per cause."""
    counts: dict[str, int] = {}
    for x in lost:
        counts[str(x["removed_by"])] = counts.get(str(x["removed_by"]), 0) + 1
    return counts


def filed(accounts: Accounts) -> tuple[int, int]:
    """New messages filed on multi-account devices, and those of each device's busiest
    Inbox (the merged share's numerator)."""
    trees = accounts.filed.values()
    return sum(sum(t.values()) for t in trees), sum(max(t.values()) for t in trees)
