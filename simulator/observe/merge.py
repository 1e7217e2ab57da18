"""The whole run's summary.json blocks and time series from its shards' partial results
(``observe/partial.py``), the same, byte for byte, as the unsharded run's.

How each figure merges exactly (DESIGN: sharded runs): counts are summed; per-device and
per-person blocks are taken whole from their shard; figures the whole run sums as floats
in a fixed order (the agreement over sorted devices) are summed here in that order from
the same values, and those it sums with ``math.fsum`` from exact integer sums
(``exactsum``); quantiles come from the merged samples; witnesses and violations are the
earliest by the same key as unsharded; the shared world (outages, links, partitions,
resets) is the same in every shard and taken from the first. The server total over every
account is rebuilt instant by instant from each shard's changes, for its peak and mean.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Sequence
from dataclasses import replace
from functools import reduce
from itertools import chain
from pathlib import Path
from typing import Any

from simulator.observe.blocks import (
    AccountsBlock,
    ConsistencyBlock,
    DurabilityBlock,
    FaultsBlock,
    Metrics,
    ServerStorageBlock,
    VerdictBlock,
    Witness,
)
from simulator.observe.consistency import (
    ANOMALIES,
    DELAY_QUANTILES,
    MAX_WITNESSES,
    delay_quantiles,
)
from simulator.observe.durability import examples
from simulator.observe.exactsum import compact, expand, to_float
from simulator.observe.partial import Partial, TickParts
from simulator.observe.servertotal import server_total
from simulator.observe.spill import spill
from simulator.observe.stats import Picked, TimeAverage, interpolate, rounded
from simulator.observe.verdict import MAX_VIOLATIONS


def merge(parts: Sequence[Partial], hours: Sequence[TickParts] | None = None
          ) -> tuple[Metrics, list[tuple[Any, ...]]]:
    """Every metric block of summary.json and the time series' rows, from the shards (their
    hourly components already summed into ``hours`` by :class:`Gathered`, if given)."""
    end = parts[0].end
    offline, reads = _reads(parts)
    first = parts[0]
    metrics: Metrics = {
        "verdict": _verdict(parts),
        "consistency": _consistency(parts),
        "server_storage": _server(parts, end),
        "offline_availability": offline,
        "reads": reads,
        "device_storage": {
            "peak_bytes": max((v["peak_bytes"] for p in parts for v in p.stored.values()),
                              default=0),
            "per_device": dict(sorted(chain.from_iterable(p.stored.items() for p in parts))),
        },
        "durability": _durability(parts),
        "traffic": {k: sum(p.traffic[k] for p in parts)  # type: ignore[literal-required]
                    for k in first.traffic},
        "security": {"plaintext_logins": sum(p.plaintext for p in parts)},
        "faults": _faults(parts),
        "devices": dict(sorted(chain.from_iterable(p.devices.items() for p in parts))),
        "users": dict(sorted(chain.from_iterable(p.users.items() for p in parts))),
    }
    accounts = _accounts(parts)
    if accounts is not None:
        metrics["accounts"] = accounts
    if hours is None:
        hours = reduce(fold, (p.ticks for p in parts))
    return metrics, [_row(hour) for hour in hours]


SUMMED = (2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 17)
"""The hourly components (partial.TickParts) that add up over shards; the agreement (1)
adds up as an exact sum, the networks (13) name by name, and the rest are the shared
world's (the hour, the server up, links down, partitions), the same in every shard."""


def fold(a: Sequence[TickParts], b: Sequence[TickParts]) -> list[TickParts]:
    """Two shards' hourly components (or sums of shards') as one's, exactly: integers and
    exact sums add up in any order, so shards can be folded in as they finish."""
    return [_fold(x, y) for x, y in zip(a, b, strict=True)]


def _fold(x: TickParts, y: TickParts) -> TickParts:
    hour = list(x)
    for i in SUMMED:
        hour[i] = x[i] + y[i]
    hour[1] = compact(expand(x[1]) + expand(y[1]))
    networks = dict(x[13])
    for name, n in y[13].items():
        networks[name] = networks.get(name, 0) + n
    hour[13] = networks
    return tuple(hour)


def _row(hour: TickParts) -> tuple[Any, ...]:
    """One time-series row from the components of that hour summed over every shard."""
    devices, offline = hour[2], hour[10]
    return (
        hour[0],
        round(to_float(expand(hour[1])) / devices if devices else 1.0, 6),
        hour[3], hour[4], hour[5], hour[6], hour[7], hour[8],
        None if not offline else round(hour[9] / offline, 6),
        hour[11], hour[12],
        " ".join(f"{name}={n}" for name, n in sorted(hour[13].items())),
        hour[14], hour[15], hour[16], hour[17],
    )


class Gathered:
    """A sharded run's partial results as they arrive, by shard. Each one's hourly
    components are folded into running sums at once and its samples (delays, waits, server
    totals) written to a scratch folder (in ``folder``, else the system's), so the merging
    process holds one set of hours and no sample, however many shards and however long the
    run; the rest of each partial result is kept for the merge."""

    def __init__(self, folder: Path | None = None) -> None:
        self.parts: dict[int, Partial] = {}
        self.hours: list[TickParts] | None = None
        self._folder = folder
        self._scratch: Path | None = None
        self._cleanup: weakref.finalize[..., Any] | None = None

    def __len__(self) -> int:
        return len(self.parts)

    def add(self, shard: int, part: Partial) -> None:
        """Shard ``shard``'s partial result (``part`` itself is left whole)."""
        self.hours = list(part.ticks) if self.hours is None else fold(self.hours, part.ticks)
        if self._scratch is None:  # removed by merge, or when this is dropped unmerged
            self._scratch = Path(tempfile.mkdtemp(prefix=".mailsim-samples-", dir=self._folder))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._scratch, True)
        samples = {name: spill(getattr(part, name), self._scratch / f"{shard}.{name}")
                   for name in SAMPLES}
        self.parts[shard] = replace(part, ticks=[], **samples)

    def in_order(self) -> list[Partial]:
        """The partial results in shard order."""
        return [self.parts[k] for k in sorted(self.parts)]

    def merge(self) -> tuple[Metrics, list[tuple[Any, ...]]]:
        """:func:`merge` of every shard's partial result, in shard order; the samples'
        scratch files go once it is done."""
        try:
            return merge(self.in_order(), self.hours)
        finally:
            if self._cleanup is not None:
                self._cleanup()


SAMPLES = ("delays", "waits", "instants", "totals")
"""The fields of a partial result that grow with the run: on disk while gathering."""


def _verdict(parts: Sequence[Partial]) -> VerdictBlock:
    """The earliest violations of all shards, then the end's accounting (verdict.py)."""
    timed = sorted(chain.from_iterable(p.verdict.timed for p in parts))[:MAX_VIOLATIONS]
    count = sum(p.verdict.count for p in parts)
    unaccounted = sorted(chain.from_iterable(p.verdict.unaccounted for p in parts))[:5]
    bounced = sorted(chain.from_iterable(p.verdict.bounced for p in parts))[:5]
    at_end = [f"{mid} is neither in the intent, nor deleted, nor bounced" for mid in unaccounted]
    at_end += [f"{mid} bounced but is expected in a mailbox" for mid in bounced]
    count += len(at_end) + max(0, sum(p.verdict.unaccounted_count for p in parts) - 5)
    violations = [text for _, text in timed]
    violations += at_end[:MAX_VIOLATIONS - len(violations)]
    return {"valid": count == 0, "violations": violations, "violation_count": count}


def _consistency(parts: Sequence[Partial]) -> ConsistencyBlock:
    """Agreement summed over sorted devices as the whole run sums it; the rest added up."""
    agreement = dict(sorted(chain.from_iterable(p.agreement.items() for p in parts)))
    n = len(agreement) or 1
    delays = Picked([p.delays for p in parts], (50, 95, *DELAY_QUANTILES))
    return {
        "agreement": rounded(sum(mean for mean, _ in agreement.values()) / n),
        "final_agreement": rounded(sum(ratio for _, ratio in agreement.values()) / n),
        "divergent_messages": sum(p.divergent for p in parts),
        "missing_reads": sum(p.missing_reads for p in parts),
        "propagation_s": {
            "p50": rounded(interpolate(delays, 50), 3),
            "p95": rounded(interpolate(delays, 95), 3),
            "max": rounded(delays[-1], 3) if delays else None,
            "count": len(delays),
            "quantiles": delay_quantiles(delays),
        },
        "unpropagated": sum(p.unpropagated for p in parts),
        "anomalies": {k: sum(p.anomalies[k] for p in parts) for k in ANOMALIES},
        "anomaly_witnesses": {k: _earliest([w for p in parts for w in p.witnesses[k]])
                              for k in ANOMALIES},
    }


def _earliest(witnesses: list[Witness]) -> list[Witness]:
    """The MAX_WITNESSES earliest witnesses, by (start, device, message) as consistency.py."""
    return sorted(witnesses, key=lambda w: (w["t"], w["device"], w["mid"]))[:MAX_WITNESSES]


def _server(parts: Sequence[Partial], end: float) -> ServerStorageBlock:
    """Server storage: the total's mean and peak rebuilt instant by instant. The whole run
    steps its time average at every change, but changes within one instant add nothing
    to its area (a zero span), so stepping once per instant gives the same floats."""
    series, peak = TimeAverage(), 0
    for t, total in server_total(parts):
        series.set(t, total)
        peak = max(peak, total)
    final = sum(p.server_final for p in parts)
    return {
        "peak_bytes": max(peak, final),
        "mean_bytes": int(series.mean(end)),
        "final_bytes": final,
        "quota_bytes": parts[0].quota,
        "bounced": sum(p.bounced for p in parts),
        "deferred": sum(p.deferred for p in parts),
        "time_over_quota_s": rounded(to_float(sum(p.over_quota for p in parts)), 3),
    }


def _reads(parts: Sequence[Partial]) -> tuple[Any, Any]:
    """The ``offline_availability`` and ``reads`` blocks (latencies from merged samples)."""
    attempts, ok, off, off_ok = (sum(p.reads[i] for p in parts) for i in range(4))
    waits = Picked([p.waits for p in parts], (50, 95))
    offline = {"attempts": off, "succeeded": off_ok,
               "ratio": rounded(off_ok / off) if off else None}
    reads = {
        "attempts": attempts,
        "succeeded": ok,
        "ratio": rounded(ok / attempts) if attempts else None,
        "fetch_latency_s": {"p50": rounded(interpolate(waits, 50), 4),
                            "p95": rounded(interpolate(waits, 95), 4)},
    }
    return offline, reads


def _durability(parts: Sequence[Partial]) -> DurabilityBlock:
    """Lost mail: counts added up, examples picked as durability.py picks them, from the
    candidates of every shard put back in the whole run's order."""
    candidates = sorted(chain.from_iterable(p.lost_candidates for p in parts),
                        key=lambda c: c[0])
    causes: dict[str, int] = {}
    for p in parts:
        for cause, n in p.lost_by_cause.items():
            causes[cause] = causes.get(cause, 0) + n
    per_user = dict(sorted(chain.from_iterable(p.lost_per_user.items() for p in parts)))
    return {
        "lost": sum(per_user.values()),
        "lost_examples": examples([x for _, x in candidates]),
        "per_user": per_user,
        "lost_by_cause": dict(sorted(causes.items())),
    }


def _faults(parts: Sequence[Partial]) -> FaultsBlock:
    """The shared world's faults from the first shard; each person's added up."""
    first = parts[0].faults
    drops = {k: sum(p.faults["connection_drops"][k] for p in parts)
             for k in first["connection_drops"]}
    unreachable = dict(sorted(chain.from_iterable(p.faults["unreachable_s"].items()
                                                  for p in parts)))
    return {**first, "connection_drops": drops, "unreachable_s": unreachable,
            "devices_lost": sum(p.faults["devices_lost"] for p in parts)}


def _accounts(parts: Sequence[Partial]) -> AccountsBlock | None:
    """Further accounts (claim P8), or None when nobody has any."""
    blocks = [p.accounts for p in parts if p.accounts is not None]
    if not blocks:
        return None
    per_device = dict(sorted(chain.from_iterable(b["per_device"].items() for b in blocks)))
    filed = sum(p.filed[0] for p in parts)
    merged = sum(p.filed[1] for p in parts)
    inboxes = [block["inboxes"] for block in per_device.values()]
    return {
        "merged_inbox_share": round(merged / filed, 6) if filed else None,
        "inboxes_per_device": round(sum(inboxes) / len(inboxes), 6) if inboxes else None,
        "per_account": dict(sorted(chain.from_iterable(b["per_account"].items()
                                                       for b in blocks))),
        "per_device": per_device,
    }
