"""The criteria a decision between variants weighs, in the order of concerns, with the
indifference zone of each metric and when a criterion bears on an organisation.

Order of concerns (lexicographic): (1) the scenario's limits, (2) hard failures a person
notices (a broken verdict, mail lost for good, mail bounced, reads that found nothing),
(3) the decision guide's criteria G1-G7 that bear on this organisation, in the scenario's
order or weights or in DEFAULT_ORDER, (4) cost (traffic, server and device storage).

The notions are those of the decision guide (analysis/guide: which criterion applies, when
a limit bites) and the keys, units and directions those of the metric registry
(analysis/metrics), which also holds each metric's indifference zone, the smallest
difference that matters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator.analysis.metrics import BY_KEY

Concern = Literal["hard failure", "organisation", "cost"]
Unit = Literal["ratio", "count", "bytes", "s"]
Summary = Mapping[str, Any]

BITES = 0.5
"""A storage limit bites once usage reaches this share of it (as in analysis/guide)."""


def lookup(summary: Summary, key: str) -> float | None:
    """A dotted key's number in one summary (None when absent or null)."""
    node: Any = summary
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return None if node is None or isinstance(node, Mapping | list) else float(node)


def broken(summary: Summary) -> float:
    """1 when the run broke a simulator invariant (verdict not valid), else 0."""
    return 0.0 if summary.get("verdict", {}).get("valid", True) else 1.0


def single_device_agreement(summary: Summary) -> float | None:
    """Mean agreement of the accounts used from one device only."""
    values = [u["agreement"] for u in summary.get("users", {}).values()
              if len(u.get("devices", [])) == 1 and u.get("agreement") is not None]
    return sum(values) / len(values) if values else None


def fullest_account(summary: Summary) -> float | None:
    """The highest server peak of any person's own account (what meets the quota)."""
    peaks = [u.get("server_peak_bytes") for u in summary.get("users", {}).values()]
    present = [p for p in peaks if p is not None]
    return float(max(present)) if present else None


def traffic(summary: Summary) -> float | None:
    """Bytes down plus bytes up over the whole run."""
    down, up = lookup(summary, "traffic.bytes_down"), lookup(summary, "traffic.bytes_up")
    return None if down is None or up is None else down + up


@dataclass(frozen=True)
class Criterion:
    """One thing the decision weighs: a metric, its better direction, its concern."""

    name: str
    code: str
    concern: Concern
    label: str
    key: str
    unit: Unit
    better: Literal["higher", "lower"]
    read: Callable[[Summary], float | None] | None = None

    @property
    def zone(self) -> float:
        """The smallest difference that matters on this criterion's metric."""
        zone = BY_KEY[self.key].zone
        if zone is None:
            raise KeyError(f"metric {self.key} has no indifference zone in analysis/metrics")
        return zone

    def value(self, summary: Summary) -> float | None:
        """This criterion's figure in one run's summary."""
        return self.read(summary) if self.read else lookup(summary, self.key)


HARD_FAILURES: tuple[Criterion, ...] = (
    Criterion("broken_verdict", "H1", "hard failure", "runs that broke a simulator invariant",
              "verdict.broken", "count", "lower", broken),
    Criterion("lost", "H2", "hard failure", "messages lost for good", "durability.lost",
              "count", "lower"),
    Criterion("bounced", "H3", "hard failure", "messages bounced for lack of room",
              "server_storage.bounced", "count", "lower"),
    Criterion("missing_reads", "H4", "hard failure", "reads that found nothing",
              "consistency.missing_reads", "count", "lower"),
)
"""Failures a person notices, most severe first."""

GUIDE: tuple[Criterion, ...] = (
    Criterion("offline_reading", "G2", "organisation", "offline reading",
              "offline_availability.ratio", "ratio", "higher"),
    Criterion("several_devices", "G4", "organisation", "several devices",
              "consistency.agreement", "ratio", "higher"),
    Criterion("synchronised_changes", "G5", "organisation", "synchronised changes",
              "consistency.unpropagated", "count", "lower"),
    Criterion("single_device", "G1", "organisation", "single device",
              "consistency.agreement", "ratio", "higher", single_device_agreement),
    Criterion("device_failure", "G7", "organisation", "surviving a device failure",
              "consistency.anomalies.local_only", "count", "lower"),
    Criterion("server_storage", "G3", "organisation", "server storage",
              "server_storage.fullest_account_peak_bytes", "bytes", "lower", fullest_account),
    Criterion("device_storage", "G6", "organisation", "device storage",
              "device_storage.peak_bytes", "bytes", "lower"),
)
"""The decision guide's criteria in the default order: reading mail when it is needed,
then keeping devices in step, then surviving a failure, then storage that is tight."""

COST: tuple[Criterion, ...] = (
    Criterion("traffic", "C1", "cost", "network traffic", "traffic.bytes", "bytes", "lower",
              traffic),
    Criterion("server_peak", "C2", "cost", "server storage (all accounts)",
              "server_storage.peak_bytes", "bytes", "lower"),
    Criterion("device_peak", "C3", "cost", "device storage", "device_storage.peak_bytes",
              "bytes", "lower"),
)
"""What the variants cost when everything else is equal."""

DEFAULT_ORDER: tuple[str, ...] = tuple(c.name for c in GUIDE + COST)
BY_NAME: dict[str, Criterion] = {c.name: c for c in HARD_FAILURES + GUIDE + COST}


def ordered(priorities: Sequence[str] | Mapping[str, float] | None) -> list[Criterion]:
    """The guide and cost criteria in the organisation's order: those listed first (for
    weights, by descending weight), the rest in DEFAULT_ORDER."""
    if isinstance(priorities, Mapping):
        named = sorted(priorities, key=lambda n: (-priorities[n], DEFAULT_ORDER.index(n)))
    else:
        named = list(priorities or ())
    rest = [n for n in DEFAULT_ORDER if n not in named]
    return [BY_NAME[n] for n in named + rest]


@dataclass(frozen=True)
class Facts:
    """What the organisation looks like (from comparison.json's context or the summaries)."""

    accounts: int
    single_device_accounts: int
    multi_device_accounts: int
    quota_bytes: float | None
    smallest_device_storage_bytes: float | None
    device_losses: int
    offline_attempts: float


def facts_of(summaries: Mapping[str, Sequence[Summary]],
             context: Mapping[str, Any] | None = None) -> Facts:
    """The organisation's facts: the comparison's context where given, else the summaries
    (people and their devices, the quota, devices lost); device storage limits are only
    in the context."""
    ctx = dict(context or {})
    first = next(iter(summaries.values()))[0]
    users = first.get("users", {})
    single = sum(1 for u in users.values() if len(u.get("devices", [])) == 1)
    attempts = max((lookup(s, "offline_availability.attempts") or 0.0)
                   for runs in summaries.values() for s in runs)
    return Facts(
        accounts=ctx.get("accounts", len(users)),
        single_device_accounts=ctx.get("single_device_accounts", single),
        multi_device_accounts=ctx.get("multi_device_accounts", len(users) - single),
        quota_bytes=ctx.get("quota_bytes", lookup(first, "server_storage.quota_bytes")),
        smallest_device_storage_bytes=ctx.get("smallest_device_storage_bytes"),
        device_losses=ctx.get("device_losses", int(lookup(first, "faults.devices_lost") or 0)),
        offline_attempts=attempts,
    )


def bearing(c: Criterion, facts: Facts, means: Mapping[str, float | None]) -> str | None:
    """None when criterion c bears on this organisation, else the reason it does not
    (``means``: each variant's mean on c, used to see whether a storage limit bites)."""
    worst = max((m for m in means.values() if m is not None), default=0.0)
    if c.name == "offline_reading" and facts.offline_attempts == 0:
        return "nobody tried to read mail while offline"
    if c.name in ("several_devices", "synchronised_changes") and not facts.multi_device_accounts:
        return ("the only account is used from one device" if facts.accounts == 1
                else f"each of the {facts.accounts} accounts is used from one device")
    if c.name == "single_device" and not facts.single_device_accounts:
        return ("the only account is used from two or more devices" if facts.accounts == 1
                else f"all {facts.accounts} accounts are used from two or more devices")
    if c.name == "server_storage" and (facts.quota_bytes is None
                                       or worst < BITES * facts.quota_bytes):
        return ("no quota is set" if facts.quota_bytes is None
                else "no account comes near its quota")
    if c.name == "device_storage" and (facts.smallest_device_storage_bytes is None
                                       or worst < BITES * facts.smallest_device_storage_bytes):
        return ("no device has a storage limit" if facts.smallest_device_storage_bytes is None
                else "mail takes under half of the smallest device's storage")
    return None
