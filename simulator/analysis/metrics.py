"""The one registry of summary metrics: where each lives in summary.json (a dotted key),
its label, unit, which direction is better and its indifference zone (the smallest
difference that matters to the decision; DESIGN: results contract, metric definitions),
and the one walker that reads a dotted key. Comparisons, sweeps, the
decision guide and the claims all read numbers through it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Better = Literal["higher", "lower", "neither"]
Unit = Literal["ratio", "count", "bytes", "s"]


@dataclass(frozen=True)
class Metric:
    """One row of the comparison table: a dotted summary.json key (or a derived figure)."""

    key: str
    label: str
    unit: Unit
    better: Better
    derive: Callable[[dict[str, Any]], float | None] | None = None
    optional: bool = False  # only shown when some run has it (e.g. several accounts, P8)
    zone: float | None = None  # smallest difference that matters (analysis/decision)

    def value(self, summary: dict[str, Any]) -> float | None:
        """This metric's value in one run's summary (None when the run has no such figure)."""
        if self.derive is not None:
            return self.derive(summary)
        return lookup(summary, self.key)


def lookup(summary: dict[str, Any], key: str) -> float | None:
    """The number at dotted ``key`` in a summary (None where the summary has none)."""
    node: Any = summary
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return None if node is None else float(node)


def fullest_account(summary: dict[str, Any]) -> float | None:
    """The highest server peak of any person's own account on the organisation's server:
    what meets its per-account quota (further accounts elsewhere have their own quotas)."""
    peaks = [u.get("server_peak_bytes") for u in summary.get("users", {}).values()]
    present = [p for p in peaks if p is not None]
    return float(max(present)) if present else None


MB = 1_000_000


def _m(key: str, label: str, unit: Unit, better: Better, zone: float | None = None) -> Metric:
    """A metric read straight from its summary.json path."""
    return Metric(key, label, unit, better, zone=zone)


METRICS: tuple[Metric, ...] = (
    _m("consistency.agreement", "Agreement (time-weighted)", "ratio", "higher", 0.01),
    _m("consistency.final_agreement", "Final agreement", "ratio", "higher"),
    _m("consistency.divergent_messages", "Divergent messages at end", "count", "lower"),
    _m("consistency.missing_reads", "Missing reads", "count", "lower", 1.0),
    _m("consistency.propagation_s.p50", "Propagation delay p50", "s", "lower"),
    _m("consistency.propagation_s.p95", "Propagation delay p95", "s", "lower", 1.0),
    _m("consistency.unpropagated", "Unpropagated changes", "count", "lower", 1.0),
    _m("consistency.anomalies.duplicate", "Anomalies: duplicate", "count", "lower"),
    _m("consistency.anomalies.resurrected", "Anomalies: resurrected", "count", "lower"),
    _m("consistency.anomalies.lost_flag_change", "Anomalies: lost flag change", "count",
       "lower"),
    _m("consistency.anomalies.local_only", "Anomalies: local only", "count", "lower", 1.0),
    _m("server_storage.peak_bytes", "Server storage peak (all accounts)", "bytes", "lower",
       MB),
    _m("server_storage.mean_bytes", "Server storage mean (all accounts)", "bytes", "lower"),
    _m("server_storage.final_bytes", "Server storage final (all accounts)", "bytes", "lower"),
    Metric("server_storage.fullest_account_peak_bytes", "Fullest account's peak", "bytes",
           "lower", fullest_account, zone=MB),
    _m("server_storage.bounced", "Bounced (over quota)", "count", "lower", 1.0),
    Metric("accounts.merged_inbox_share", "New mail in the busiest Inbox (several accounts)",
           "ratio", "higher", optional=True),
    Metric("accounts.inboxes_per_device", "Inboxes per device (several accounts)", "count",
           "lower", optional=True),
    _m("server_storage.deferred", "Deferred (quota or outage)", "count", "lower"),
    _m("server_storage.time_over_quota_s", "Time accounts were full", "s", "lower", 60.0),
    _m("offline_availability.ratio", "Offline availability", "ratio", "higher", 0.01),
    _m("offline_availability.attempts", "Offline read attempts", "count", "neither"),
    _m("reads.ratio", "Reads that succeeded", "ratio", "higher", 0.01),
    _m("reads.fetch_latency_s.p50", "Fetch latency p50", "s", "lower"),
    _m("device_storage.peak_bytes", "Device storage peak (largest device)", "bytes", "lower",
       MB),
    _m("durability.lost", "Lost messages", "count", "lower", 1.0),
    _m("traffic.bytes_down", "Traffic down", "bytes", "lower"),
    _m("traffic.bytes_up", "Traffic up", "bytes", "lower"),
    _m("traffic.connections", "Connections", "count", "lower"),
    _m("traffic.round_trips", "Round trips", "count", "lower"),
    _m("security.plaintext_logins", "Plaintext logins", "count", "lower"),
)
"""Every row of the comparison table, in display order."""

DECISION_ONLY: tuple[Metric, ...] = (
    Metric("verdict.broken", "Runs that broke a simulator invariant", "count", "lower",
           zone=0.5),
    Metric("traffic.bytes", "Traffic (down and up)", "bytes", "lower", zone=MB),
)
"""Figures the decision weighs that are not rows of the table; analysis/criteria derives
them from the summary (a broken verdict, one run in two; bytes down plus up)."""

BY_KEY: dict[str, Metric] = {m.key: m for m in METRICS + DECISION_ONLY}
