"""The observer: every checker subscribed to one history, an hourly time series, and the
assembly of summary.json's blocks (DESIGN: results contract)."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any, Final

from simulator.observe.accounts import Accounts
from simulator.observe.blocks import DeviceBlock, DeviceStored, Metrics, UserBlock
from simulator.observe.consistency import Consistency
from simulator.observe.durability import Durability
from simulator.observe.exactsum import exact
from simulator.observe.history import End, History, NewDevice, Tick
from simulator.observe.narrative import StoryLog, add_stories
from simulator.observe.partial import (
    Partial,
    ShardTap,
    by_cause,
    filed,
    lost_candidates,
    verdict_part,
)
from simulator.observe.reads import Reads
from simulator.observe.storage import DeviceStorage, ServerStorage
from simulator.observe.timeline import TIMELINE_COLUMNS, Timeline
from simulator.observe.traffic import Traffic
from simulator.observe.verdict import Verdict

TIMESERIES_COLUMNS: Final = (
    "t_s", "agreement", "server_bytes", "device_bytes", "online_devices", "server_up",
    "unpropagated", "read_attempts", "offline_availability", "bounced", "deferred",
    *TIMELINE_COLUMNS,
)


class Observer:
    """Subscribes the checkers to ``history`` and answers the run's metrics at the end (or,
    for one shard of a sharded run, its :class:`Partial`)."""

    def __init__(self, history: History, quota: int | None = None,
                 full_margin: dict[str, int] | None = None, story_file: Path | None = None,
                 shard: bool = False, stories: bool = True) -> None:
        """The checkers; a ``shard`` keeps its time series as components to be merged;
        without ``stories``, witnesses are told no story here (runs/retell.py tells them)."""
        self.history = history
        self.stories = StoryLog(history, story_file, stories)
        self.consistency = Consistency(history)
        self.server = ServerStorage(history, quota, full_margin or {})
        self.devices = DeviceStorage(history)
        self.reads = Reads(history)
        intent = self.consistency.intent  # one map of what each person expects, shared
        self.durability = Durability(history, intent)
        self.verdict = Verdict(history, intent, self.consistency.deleted)
        self.traffic = Traffic(history)
        self.timeline = Timeline(history)
        self.accounts = Accounts(history, self.server)
        self.rows: list[tuple[Any, ...]] = []
        self.end = 0.0
        self.users: dict[str, list[str]] = {}
        self._lost: dict[str, int] = {}
        self.tap = ShardTap(history, self) if shard else None
        if not shard:
            history.subscribe(Tick, self._tick)
        history.subscribe(End, self._end)
        history.subscribe(NewDevice, self._device)

    def _device(self, e: NewDevice) -> None:
        self.users.setdefault(e.user, []).append(e.device)

    def _tick(self, e: Tick) -> None:
        self.rows.append((
            round(e.t, 3),
            round(self.consistency.agreement_now(), 6),
            int(self.server.total.value),
            self.devices.total_now(),
            e.online_devices,
            int(e.server_up),
            self.consistency.unpropagated,
            self.reads.attempts,
            _round(self.reads.offline_ratio()),
            sum(self.server.bounced.values()),
            sum(self.server.deferred.values()),
            *self.timeline.row(),
        ))

    def _end(self, e: End) -> None:
        self.end = e.t

    def summary(self) -> Metrics:
        """Every metric block of summary.json (without the scenario header)."""
        end = self.end
        consistency = self.consistency.summary(end)
        consistency["missing_reads"] = self.reads.missing
        durability, local_only = self.durability.summary()
        self._lost = durability["per_user"]
        for user, mid, device in local_only:
            self.consistency.witness("local_only", end, device, mid,
                                     f"only on {device}, not on {user}'s server")
        consistency["anomalies"] = dict(self.consistency.counts)
        consistency["anomaly_witnesses"] = {
            k: list(v) for k, v in self.consistency.witnesses.items()
        }
        if self.stories.told:
            add_stories(self.stories, consistency["anomaly_witnesses"],
                        durability["lost_examples"])
        self.stories.close()
        offline, reads = self.reads.summary()
        traffic, security = self.traffic.summary()
        stored = self.devices.summary()["per_device"]
        metrics: Metrics = {
            "verdict": self.verdict.summary(self.server.over),
            "consistency": consistency,
            "server_storage": self.server.summary(end),
            "offline_availability": offline,
            "reads": reads,
            "device_storage": self.devices.summary(),
            "durability": durability,
            "traffic": traffic,
            "security": security,
            "faults": self.timeline.summary(end),
            "devices": {d: self._device_block(d, stored.get(d))
                        for d in sorted(self.consistency.agree)},
            "users": {u: self._user_block(u) for u in sorted(self.users)},
        }
        accounts = self.accounts.summary(end)
        if accounts:
            metrics["accounts"] = accounts
        return metrics

    def partial(self) -> Partial:
        """This shard's part of every metric (``observe/merge.py`` adds them up): the
        worker side of :meth:`summary`, with the stories of every witness or lost message
        the whole run might pick told here, from this shard's story file (unless the whole
        run tells them again at its end)."""
        assert self.tap is not None, "an Observer(shard=True) has partial results"
        self.tap.finish()
        end, c, server = self.end, self.consistency, self.server
        c.close(end)
        lost, self._lost, local_only = self.durability.scan()
        for user, mid, device in local_only:
            c.witness("local_only", end, device, mid, f"only on {device}, not on {user}'s server")
        candidates = lost_candidates(lost)
        if self.stories.told:
            add_stories(self.stories, c.witnesses, [x for _, x in candidates])
        self.stories.close()
        stored = self.devices.summary()["per_device"]
        traffic, security = self.traffic.summary()
        spans = [*server.full_spans, *(end - t for t in server.full_since.values())]
        r = self.reads
        return Partial(
            end=end, ticks=self.tap.ticks, instants=self.tap.instants, totals=self.tap.totals,
            agreement={d: (a.avg.mean(end), a.ratio) for d, a in sorted(c.agree.items())},
            divergent=sum(c.divergent(d) for d in c.agree), unpropagated=c.unpropagated,
            delays=_sorted(c.delays), anomalies=dict(c.counts), witnesses=c.witnesses,
            missing_reads=r.missing, quota=server.quota,
            server_final=int(server.total.value), bounced=sum(server.bounced.values()),
            deferred=sum(server.deferred.values()), over_quota=exact(spans),
            reads=(r.attempts, r.succeeded, r.offline_attempts, r.offline_ok),
            waits=_sorted(r.waits),
            devices={d: self._device_block(d, stored.get(d)) for d in sorted(c.agree)},
            users={u: self._user_block(u) for u in sorted(self.users)}, stored=stored,
            lost_per_user=self._lost, lost_by_cause=by_cause(lost), lost_candidates=candidates,
            traffic=traffic, plaintext=security["plaintext_logins"],
            faults=self.timeline.summary(end), verdict=verdict_part(self.verdict, server.over),
            accounts=self.accounts.summary(end), filed=filed(self.accounts),
        )

    def _device_block(self, device: str, stored: DeviceStored | None) -> DeviceBlock:
        return {
            **self.consistency.per_device(device, self.end),
            **self.reads.device_summary(device),
            "storage_peak_bytes": stored["peak_bytes"] if stored else 0,
            "storage_final_bytes": stored["final_bytes"] if stored else 0,
            **self.traffic.device_summary(device),
        }

    def _user_block(self, user: str) -> UserBlock:
        devices = self.users[user]
        agreement = [self.consistency.agree[d].avg.mean(self.end) for d in devices]
        return {
            "devices": devices,
            "agreement": round(sum(agreement) / len(agreement), 6) if agreement else None,
            **self.server.per_user_summary(user, self.end),
            "lost": self._lost.get(user, 0),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _sorted(values: array[float]) -> array[float]:
    """A shard's samples sorted, for the merge to take exact percentiles of every shard's
    together without one list of them all (stats.Picked)."""
    return array("d", sorted(values))
