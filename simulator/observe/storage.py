"""Storage checkers: bytes held on the server per account (with quota pressure, bounces and
deferrals) and bytes held on each device."""

from __future__ import annotations

import math

from simulator.observe.blocks import (
    AccountStorage,
    DeviceStorageBlock,
    DeviceStored,
    ServerStorageBlock,
)
from simulator.observe.history import (
    AccountAdded,
    Bounced,
    Deferred,
    DeviceBytes,
    History,
    NewDevice,
    ServerBytes,
)
from simulator.observe.stats import TimeAverage, rounded


class ServerStorage:
    """Server bytes per account and in total, over time (DESIGN: server storage)."""

    def __init__(self, history: History, quota: int | None, full_margin: dict[str, int]) -> None:
        self.quota = quota
        self.full_margin = full_margin  # per user: a typical message; less room = full
        self.total = TimeAverage()
        self.peak = 0  # of the total at the end of each instant (see _bytes)
        self.instant = 0.0
        self.per_user: dict[str, TimeAverage] = {}
        self.full_since: dict[str, float] = {}
        self.full_spans: list[float] = []  # summed exactly: their order does not matter
        self.bounced: dict[str, int] = {}
        self.deferred: dict[str, int] = {}
        self.over: list[tuple[float, str]] = []  # (when, what): verdict violations
        self.quotas: dict[str, int | None] = {}  # further accounts, on their own servers
        history.subscribe(AccountAdded, self._account)
        history.subscribe(ServerBytes, self._bytes)
        history.subscribe(Bounced, self._bounced)
        history.subscribe(Deferred, self._deferred)

    def _account(self, e: AccountAdded) -> None:
        self.quotas[e.account] = e.quota

    def _bounced(self, e: Bounced) -> None:
        self.bounced[e.user] = self.bounced.get(e.user, 0) + 1

    def _deferred(self, e: Deferred) -> None:
        self.deferred[e.user] = self.deferred.get(e.user, 0) + 1

    def _bytes(self, e: ServerBytes) -> None:
        """An account's bytes changed. The total's peak is taken at the end of each instant:
        within one instant, different accounts' changes come in an order that is SimPy's
        (a sharded run merges them in another), and a peak between them is not real."""
        t, user, used = e.t, e.user, e.used
        if t != self.instant:
            self.peak = max(self.peak, int(self.total.value))
            self.instant = t
        series = self.per_user.setdefault(user, TimeAverage(t, 0.0))
        self.total.set(t, self.total.value - series.value + used)
        series.set(t, used)
        quota = self.quotas.get(user, self.quota)
        if quota is None:
            return
        if used > quota:
            self.over.append((t, f"{user}: {used} bytes stored over a quota of {quota}"))
        full = quota - used < self.full_margin.get(user, 0)
        if full and user not in self.full_since:
            self.full_since[user] = t
        elif not full and user in self.full_since:
            self.full_spans.append(t - self.full_since.pop(user))

    def summary(self, end: float) -> ServerStorageBlock:
        """The ``server_storage`` block of summary.json."""
        full = math.fsum([*self.full_spans, *(end - t for t in self.full_since.values())])
        return {
            "peak_bytes": max(self.peak, int(self.total.value)),
            "mean_bytes": int(self.total.mean(end)),
            "final_bytes": int(self.total.value),
            "quota_bytes": self.quota,
            "bounced": sum(self.bounced.values()),
            "deferred": sum(self.deferred.values()),
            "time_over_quota_s": rounded(full, 3),
        }

    def per_user_summary(self, user: str, end: float) -> AccountStorage:
        """Server figures for one account."""
        series = self.per_user.get(user, TimeAverage())
        return {
            "server_peak_bytes": int(series.peak),
            "server_mean_bytes": int(series.mean(end)),
            "server_final_bytes": int(series.value),
            "bounced": self.bounced.get(user, 0),
            "deferred": self.deferred.get(user, 0),
        }


class DeviceStorage:
    """Bytes each device keeps (bodies, and headers for caching clients)."""

    def __init__(self, history: History) -> None:
        self.series: dict[str, TimeAverage] = {}
        history.subscribe(NewDevice, self._device)
        history.subscribe(DeviceBytes, self._bytes)

    def _device(self, e: NewDevice) -> None:
        self.series[e.device] = TimeAverage(e.t, 0.0)

    def _bytes(self, e: DeviceBytes) -> None:
        self.series[e.device].set(e.t, e.used)

    def total_now(self) -> int:
        """Bytes on all devices now (for the time series)."""
        return int(sum(s.value for s in self.series.values()))

    def summary(self) -> DeviceStorageBlock:
        """The ``device_storage`` block of summary.json."""
        per: dict[str, DeviceStored] = {
            d: {"peak_bytes": int(s.peak), "final_bytes": int(s.value)}
            for d, s in sorted(self.series.items())
        }
        peak = max((v["peak_bytes"] for v in per.values()), default=0)
        return {"peak_bytes": peak, "per_device": per}
