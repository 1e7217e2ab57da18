"""Hand-made comparisons: chosen means per metric and variant, so the decision guide and
the recommendation can be tested on numbers whose right answer is obvious."""

from __future__ import annotations

from typing import Any

from simulator.analysis.comparison import Comparison, MetricRow, best_of
from simulator.analysis.metrics import METRICS
from simulator.analysis.stats import Stat

CONTEXT = {
    "accounts": 4, "devices": 8, "single_device_accounts": 0, "multi_device_accounts": 4,
    "quota_bytes": 1_000_000_000, "retention_s": None, "tls": "implicit",
    "smallest_device_storage_bytes": 16_000_000_000, "device_losses": 0, "offline_events": 0,
    "duration_s": 86_400.0,
}


def fake(means: dict[str, dict[str, float]], context: dict[str, Any] | None = None,
         protocols: dict[str, str] | None = None, ci: float | None = None) -> Comparison:
    """A comparison of pop3 and imap (or ``protocols``' variants) where every metric is 0
    unless ``means`` sets it: {metric key: {variant: mean}}."""
    protocols = protocols or {"pop3": "pop3", "imap": "imap"}
    variants = list(protocols)
    rows = []
    for metric in METRICS:
        given = means.get(metric.key, {})
        stats = {v: Stat(given.get(v, 0.0), ci, 3) for v in variants}
        values: dict[str, list[float | None]] = {v: [stats[v].mean] * 3 for v in variants}
        rows.append(MetricRow(metric, values, stats, best_of(metric, stats)))
    return Comparison(
        scenario={"name": "fake", "source": "<fake>", "sha256": "0" * 64, "seed": 1,
                  "duration_s": 86_400.0},
        context={**CONTEXT, **(context or {})},
        variants=variants,
        protocols={v: [p] for v, p in protocols.items()},
        seeds=[1, 2, 3],
        rows=rows,
        verdicts={v: [True] * 3 for v in variants},
        violations={v: [] for v in variants},
        summaries={v: {} for v in variants},
        timeseries={v: [] for v in variants},
    )
