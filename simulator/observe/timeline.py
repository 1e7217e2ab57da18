"""Network and fault timeline: which devices are online on which network, which links are
down, which partitions are in force, and how many connections dropped — read from the
history for timeseries.csv's extra columns and summary.json's ``faults`` block."""

from __future__ import annotations

from typing import Any, Final

from simulator.observe.blocks import FaultsBlock
from simulator.observe.history import (
    DeviceLost,
    Drop,
    History,
    LinkChange,
    NewDevice,
    Online,
    OtherServerDown,
    Partition,
    Route,
    ServerDown,
    UidvalidityReset,
)
from simulator.observe.stats import rounded

TIMELINE_COLUMNS: Final = (
    "online_by_network",
    "unreachable_devices",
    "networks_down",
    "partitions_active",
    "connection_drops",
)
DROP_KEYS: Final = ("before", "after", "between", "random", "scripted", "roam")


class Spans:
    """Total time a thing was in a state, counting overlapping reasons once."""

    def __init__(self) -> None:
        self.active = 0
        self.since = 0.0
        self.total = 0.0
        self.count = 0

    def set(self, t: float, on: bool) -> None:
        """One reason starts (``on``) or stops."""
        if on:
            if self.active == 0:
                self.since = t
            self.active += 1
            self.count += 1
        elif self.active > 0:
            self.active -= 1
            if self.active == 0:
                self.total += t - self.since

    def seconds(self, end: float) -> float:
        """Total time in the state up to ``end``."""
        return self.total + (end - self.since if self.active else 0.0)


class Timeline:
    """Feeds on device, online, route, link, partition, drop, outage, lost and
    uidvalidity_reset events."""

    def __init__(self, history: History) -> None:
        self.online: dict[str, bool] = {}
        self.network: dict[str, str | None] = {}
        self.per_network: dict[str, int] = {}  # devices online now, per network in use
        self.unrouted = 0  # devices without a path now
        self.unreachable: dict[str, Spans] = {}
        self.links: dict[str, Spans] = {}
        self.partitions = Spans()
        self.outages = Spans()
        self.other_outages: dict[str, Spans] = {}  # further servers (claim P8), by name
        self.drops = dict.fromkeys(DROP_KEYS, 0)
        self.dropped = 0
        self.lost = 0
        self.resets = 0
        history.subscribe(NewDevice, self._device)
        history.subscribe(Online, self._online)
        history.subscribe(Route, self._route)
        history.subscribe(LinkChange, self._link)
        history.subscribe(Partition, self._partition)
        history.subscribe(Drop, self._drop)
        history.subscribe(ServerDown, self._outage)
        history.subscribe(OtherServerDown, self._other_outage)
        history.subscribe(DeviceLost, self._lost)
        history.subscribe(UidvalidityReset, self._reset)

    # -- feeding -------------------------------------------------------------------------
    def _device(self, e: NewDevice) -> None:
        """A new device: online until told otherwise, without a path until routed."""
        self.online[e.device] = True
        self.network[e.device] = None
        self.unrouted += 1
        self.unreachable[e.device] = Spans()

    def _count(self, device: str, sign: int) -> None:
        """Add (+1) or remove (-1) ``device``'s share of the per-network counts."""
        network = self.network.get(device)
        if network is None:
            self.unrouted += sign
        else:
            self.per_network[network] = self.per_network.get(network, 0) + sign * int(
                self.online.get(device, False)
            )

    def _online(self, e: Online) -> None:
        """A device went online or offline."""
        self._count(e.device, -1)
        self.online[e.device] = bool(e.online)
        self._count(e.device, +1)

    def _route(self, e: Route) -> None:
        """A device moved to another network, or lost its path."""
        t, device, network = e.t, e.device, e.network
        self._count(device, -1)
        self.network[device] = network
        self._count(device, +1)
        spans = self.unreachable.setdefault(device, Spans())
        if (network is None) != bool(spans.active):
            spans.set(t, network is None)

    def _link(self, e: LinkChange) -> None:
        """A network's link went down or came back."""
        self.links.setdefault(e.network, Spans()).set(e.t, not e.up)

    def _partition(self, e: Partition) -> None:
        """A partition started or ended."""
        self.partitions.set(e.t, bool(e.active))

    def _drop(self, e: Drop) -> None:
        """A connection broke: count it by moment and by cause."""
        self.dropped += 1
        self.drops[e.when] += 1
        self.drops[e.cause] += 1

    def _outage(self, e: ServerDown) -> None:
        """The server went down or came back."""
        self.outages.set(e.t, bool(e.down))

    def _other_outage(self, e: OtherServerDown) -> None:
        """Another server (of `servers:`) went down or came back."""
        self.other_outages.setdefault(e.server, Spans()).set(e.t, bool(e.down))

    def _lost(self, _e: DeviceLost) -> None:
        """A device was lost."""
        self.lost += 1

    def _reset(self, _e: UidvalidityReset) -> None:
        """The server reset UIDVALIDITY."""
        self.resets += 1

    # -- answers -------------------------------------------------------------------------
    def online_by_network(self) -> str:
        """Devices online now per network, e.g. "cellular=3 office=8" (by network name)."""
        return " ".join(f"{name}={n}" for name, n in sorted(self.per_network.items()))

    def row(self) -> tuple[Any, ...]:
        """This moment's values for TIMELINE_COLUMNS."""
        return (
            self.online_by_network(),
            self.unrouted,
            sum(1 for s in self.links.values() if s.active),
            self.partitions.active,
            self.dropped,
        )

    def summary(self, end: float) -> FaultsBlock:
        """The ``faults`` block of summary.json: what went wrong, how often, how long."""
        block: FaultsBlock = {
            "outages": {
                "count": self.outages.count,
                "down_s": rounded(self.outages.seconds(end), 3),
            },
            "partitions": {
                "count": self.partitions.count,
                "active_s": rounded(self.partitions.seconds(end), 3),
            },
            "links": {
                name: {"times_down": s.count, "down_s": rounded(s.seconds(end), 3)}
                for name, s in sorted(self.links.items())
            },
            "connection_drops": {"total": self.dropped, **self.drops},
            "unreachable_s": {
                device: rounded(s.seconds(end), 3)
                for device, s in sorted(self.unreachable.items())
                if s.count
            },
            "devices_lost": self.lost,
            "uidvalidity_resets": self.resets,
        }
        if self.other_outages:
            block["other_servers"] = {
                name: {"outages": s.count, "down_s": rounded(s.seconds(end), 3)}
                for name, s in sorted(self.other_outages.items())
            }
        return block
