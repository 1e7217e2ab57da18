"""Hand-made comparisons: chosen means per metric and variant, so the decision guide and
the decision can be tested on numbers whose right answer is obvious."""

from __future__ import annotations

from typing import Any

from simulator.analysis.comparison import Comparison, metric_rows
from simulator.analysis.decision import decide
from simulator.analysis.metrics import METRICS

CONTEXT = {
    "accounts": 4, "devices": 8, "single_device_accounts": 0, "multi_device_accounts": 4,
    "quota_bytes": 1_000_000_000, "retention_s": None, "tls": "implicit",
    "smallest_device_storage_bytes": 16_000_000_000, "device_losses": 0, "offline_events": 0,
    "duration_s": 86_400.0,
}
SEEDS = [1, 2, 3]


def put(summary: dict[str, Any], key: str, value: float) -> None:
    """Set a dotted key in a nested summary."""
    *path, last = key.split(".")
    node = summary
    for part in path:
        node = node.setdefault(part, {})
    node[last] = value


def summary_of(means: dict[str, dict[str, float]], variant: str, seed: int, wobble: float,
               devices: int) -> dict[str, Any]:
    """One replication's summary: every metric 0 unless ``means`` sets it, plus
    ``wobble`` (the same in every variant on this seed, as common random numbers give)."""
    out: dict[str, Any] = {"scenario": {"seed": seed}, "verdict": {"valid": True,
                                                                  "violations": []}}
    for metric in METRICS:
        given = means.get(metric.key, {})
        put(out, metric.key, given.get(variant, 0.0) + (wobble if variant in given else 0.0))
    agreement = out["consistency"]["agreement"]
    peak = out["server_storage"]["fullest_account_peak_bytes"]
    out["users"] = {"ann": {"agreement": agreement, "server_peak_bytes": peak,
                            "devices": [f"ann/d{i}" for i in range(devices)]}}
    return out


def fake(means: dict[str, dict[str, float]], context: dict[str, Any] | None = None,
         protocols: dict[str, str] | None = None,
         wobble: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> Comparison:
    """A comparison of pop3 and imap (or ``protocols``' variants) over three replications
    where every metric is 0 unless ``means`` sets it ({metric key: {variant: mean}});
    ``wobble`` shifts every given figure per replication, alike in every variant."""
    protocols = protocols or {"pop3": "pop3", "imap": "imap"}
    variants = list(protocols)
    ctx = {**CONTEXT, **(context or {})}
    devices = 1 if ctx["single_device_accounts"] else 2
    runs = {v: [summary_of(means, v, s, w, devices) for s, w in zip(SEEDS, wobble, strict=True)]
            for v in variants}
    protos = {v: [p] for v, p in protocols.items()}
    return Comparison(
        scenario={"name": "fake", "source": "<fake>", "sha256": "0" * 64, "seed": 1,
                  "duration_s": 86_400.0},
        context=ctx,
        variants=variants,
        protocols=protos,
        seeds=SEEDS,
        rows=metric_rows(variants, runs),
        verdicts={v: [True] * 3 for v in variants},
        violations={v: [] for v in variants},
        summaries={v: runs[v][0] for v in variants},
        timeseries={v: [] for v in variants},
        decision=decide(runs, context=ctx, protocols=protos),
        replicated=runs,
    )
