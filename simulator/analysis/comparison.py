"""The comparison of one scenario under several variants: per-metric means and 95%
intervals over replications, the best variant per metric, the decision between the
variants on paired differences (analysis/decision), and the first replication's full
results per variant (for the plots and the per-variant results folders).

Every variant runs with the same seeds (common random numbers): the world draws arrivals
and intentions from streams keyed by (seed, user, message), so two variants run with one
seed see the same mail and the same people, and their difference is the protocol.
Replication 0 uses the scenario's own seed, so each variant's first results are exactly
what ``mailsim run --variant V`` gives. With ``replications="auto"`` replications are added
in batches until Kim & Nelson's procedure settles every criterion that bears on the choice,
or a maximum is reached."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from simulator.analysis.decision import N0, Decision, decide, from_dict, replications_to_add
from simulator.analysis.metrics import BY_KEY, METRICS, Metric
from simulator.analysis.stats import Stat, summarize
from simulator.runs import (
    Executor,
    Output,
    Progress,
    Results,
    Task,
    mailsim_version,
    replication_seeds,
)
from simulator.runs.batch import Keeper
from simulator.runs.shards import Shards
from simulator.scenario import LoseEvent, OfflineEvent, Scenario, load_scenario, scenario_sha256

MAX_VIOLATIONS = 5
MAX_REPLICATIONS = 30
"""The default most replications ``replications="auto"`` runs."""
BATCH = 5
"""Replications added at a time by ``replications="auto"`` after the first stage."""


@dataclass
class MetricRow:
    """One metric across variants: every replication's value, the stats, the best variants."""

    metric: Metric
    values: dict[str, list[float | None]]
    stats: dict[str, Stat]
    best: list[str]

    def as_dict(self) -> dict[str, Any]:
        """JSON form of the row."""
        m = self.metric
        return {
            "key": m.key, "label": m.label, "unit": m.unit, "better": m.better,
            "best": self.best,
            "stats": {v: s.as_dict() for v, s in self.stats.items()},
            "values": self.values,
        }


def best_of(metric: Metric, stats: dict[str, Stat]) -> list[str]:
    """Variants whose mean is best for ``metric``; none when all are equal or it has no
    better direction."""
    means = {v: s.mean for v, s in stats.items() if s.mean is not None}
    if metric.better == "neither" or len(set(means.values())) < 2:
        return []
    pick = max if metric.better == "higher" else min
    top = pick(means.values())
    return [v for v, m in means.items() if m == top]


def metric_rows(variants: list[str], summaries: dict[str, list[dict[str, Any]]]
                ) -> list[MetricRow]:
    """Every metric's row from each variant's replication summaries."""
    rows = []
    for metric in METRICS:
        values = {v: [metric.value(s) for s in summaries[v]] for v in variants}
        if metric.optional and all(x is None for vs in values.values() for x in vs):
            continue
        stats = {v: summarize(values[v]) for v in variants}
        rows.append(MetricRow(metric, values, stats, best_of(metric, stats)))
    return rows


def scenario_context(scenario: Scenario) -> dict[str, Any]:
    """Facts about the organisation that the decision guide needs (not per variant)."""
    users = scenario.expand()
    per_user = {u.name: len(u.devices) for u in users}
    for event, _device in scenario.added_devices():
        per_user[event.add.user] += 1
    storages = [d.storage for u in users for d in u.devices if d.storage is not None]
    return {
        "accounts": len(users),
        "devices": sum(per_user.values()),
        "single_device_accounts": sum(1 for n in per_user.values() if n == 1),
        "multi_device_accounts": sum(1 for n in per_user.values() if n > 1),
        "quota_bytes": scenario.server.quota,
        "retention_s": scenario.server.retention,
        "tls": scenario.server.tls,
        "smallest_device_storage_bytes": min(storages) if storages else None,
        "device_losses": sum(isinstance(e, LoseEvent) for e in scenario.events),
        "offline_events": sum(isinstance(e, OfflineEvent) for e in scenario.events),
        "duration_s": scenario.duration,
    }


def variant_protocols(scenario: Scenario, variant: str) -> list[str]:
    """The protocols the devices speak under ``variant`` (sorted, usually one)."""
    resolved = scenario.with_variant(variant)
    found = {d.protocol for u in resolved.expand() for d in u.devices}
    found |= {d.protocol for _e, d in resolved.added_devices()}
    return sorted(found)


@dataclass
class Comparison:
    """A scenario compared under several variants with common random numbers."""

    scenario: dict[str, Any]
    context: dict[str, Any]
    variants: list[str]
    protocols: dict[str, list[str]]
    seeds: list[int]
    rows: list[MetricRow]
    verdicts: dict[str, list[bool]]
    violations: dict[str, list[str]]
    summaries: dict[str, dict[str, Any]]
    timeseries: dict[str, list[tuple[Any, ...]]]
    decision: Decision | None = None
    replicated: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    results: dict[str, Results] = field(default_factory=dict)
    version: str = field(default_factory=mailsim_version)

    @property
    def valid(self) -> bool:
        """Whether every run of every variant had a valid verdict."""
        return all(all(v) for v in self.verdicts.values())

    def row(self, key: str) -> MetricRow:
        """The row of the metric with this dotted key."""
        return next(r for r in self.rows if r.metric.key == key)

    def mean(self, key: str, variant: str) -> float | None:
        """A metric's mean for one variant."""
        return self.row(key).stats[variant].mean

    def to_json(self) -> str:
        """comparison.json's exact text (no timings: the same inputs give the same bytes)."""
        data = {
            "mailsim_version": self.version,
            "scenario": self.scenario,
            "context": self.context,
            "replications": len(self.seeds),
            "seeds": self.seeds,
            "variants": [
                {"name": v, "protocols": self.protocols[v], "valid": self.verdicts[v],
                 "violations": self.violations[v]}
                for v in self.variants
            ],
            "metrics": [row.as_dict() for row in self.rows],
        }
        if self.decision is not None:
            data["decision"] = self.decision.as_dict()
        return json.dumps(data, indent=2) + "\n"


def from_json(data: dict[str, Any], summaries: dict[str, dict[str, Any]],
              timeseries: dict[str, list[tuple[Any, ...]]]) -> Comparison:
    """A Comparison back from comparison.json and each variant's saved first run."""
    variants = [v["name"] for v in data["variants"]]
    rows = []
    for row in data["metrics"]:
        metric = BY_KEY.get(row["key"]) or Metric(row["key"], row["label"], row["unit"],
                                                  row["better"])
        stats = {v: Stat(s["mean"], s["ci95"], s["n"]) for v, s in row["stats"].items()}
        rows.append(MetricRow(metric, row["values"], stats, row["best"]))
    return Comparison(
        scenario=data["scenario"], context=data["context"], variants=variants,
        protocols={v["name"]: v["protocols"] for v in data["variants"]},
        seeds=data["seeds"], rows=rows,
        verdicts={v["name"]: v["valid"] for v in data["variants"]},
        violations={v["name"]: v["violations"] for v in data["variants"]},
        summaries=summaries, timeseries=timeseries, version=data["mailsim_version"],
        decision=from_dict(data["decision"]) if "decision" in data else None,
    )


def compare(scenario: Scenario | str | Path, variants: list[str] | None = None,
            replications: int | Literal["auto"] = 5, seed: int | None = None,
            workers: int = 1, progress: Progress | None = None, dask: str | None = None,
            max_replications: int = MAX_REPLICATIONS, shards: Shards = 1,
            kept: Keeper | None = None) -> Comparison:
    """Run ``scenario`` under each variant (default: its own or the built-in ones) for
    ``replications`` seeds shared by all variants, compare the metrics and decide; with
    ``"auto"``, add replications until decided or ``max_replications`` is reached. Each run
    is split into ``shards`` shards of people (the same results). With ``kept``
    (``KeptRuns``), runs kept there are reused and finished ones kept: an interrupted
    comparison resumes."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    names = list(variants) if variants else base.variant_names()
    for name in names:
        base.variant(name)  # an unknown name raises ScenarioError before anything runs
    auto = replications == "auto"
    wanted = max_replications if auto else int(replications)
    if wanted < 1:
        raise ValueError("replications must be at least 1")
    seeds = replication_seeds(base.seed if seed is None else seed, wanted)
    base = base.model_copy(update={"seed": seeds[0]})
    with Executor(workers, dask) as executor:  # one set of workers for every batch
        if not auto:
            return assemble(base, names, seeds,
                            run_seeds(executor, base, names, seeds, 0, progress, shards, kept))
        outputs: list[Output] = []
        done: list[int] = []
        more = min(N0, wanted)
        while more:
            outputs += run_seeds(executor, base, names,
                                 seeds[:len(outputs) // len(names) + more],
                                 len(outputs) // len(names), progress, shards, kept)
            done = seeds[:len(outputs) // len(names)]
            decision = decide_outputs(base, names, done, outputs, "kn")
            more = replications_to_add(decision, wanted, BATCH)
    return assemble(base, names, done, outputs, "kn", wanted)


def run_seeds(executor: Executor, base: Scenario, names: list[str], seeds: list[int],
              start: int, progress: Progress | None, shards: Shards = 1,
              kept: Keeper | None = None) -> list[Output]:
    """Every variant's runs for replications ``start`` onwards of ``seeds``, in one batch
    on ``executor`` (the first replication keeps its time series, for the plots), reusing
    and keeping runs in ``kept``."""
    tasks = [Task(base, v, s, keep="timeseries" if r == 0 else "summary",
                  label=f"{v} #{r + 1} (seed {s})", shards=shards)
             for r, s in enumerate(seeds) if r >= start for v in names]
    offset = start * len(names)

    def shifted(done: int, total: int, label: str) -> None:
        """Progress counted over every batch so far."""
        if progress is not None:
            progress(offset + done, offset + total, label)

    return executor.run_batch(tasks, shifted, kept)


def by_variant(names: list[str], outputs: list[Output]) -> dict[str, list[dict[str, Any]]]:
    """Each variant's summaries in seed order, from outputs given replication by
    replication in the order of ``names``."""
    out: dict[str, list[dict[str, Any]]] = {v: [] for v in names}
    for i, output in enumerate(outputs):
        out[names[i % len(names)]].append(output.summary)
    return out


def decide_outputs(base: Scenario, names: list[str], seeds: list[int], outputs: list[Output],
                   procedure: Literal["paired-t", "kn"] = "paired-t",
                   maximum: int | None = None) -> Decision:
    """The decision on these runs under the scenario's ``decision:`` settings."""
    d = decide(by_variant(names, outputs), base.decision, scenario_context(base),
               {v: variant_protocols(base, v) for v in names}, procedure)
    assert d.seeds == seeds, "outputs out of seed order"
    return d if maximum is None else replace(d, max_replications=maximum)


def assemble(base: Scenario, names: list[str], seeds: list[int], outputs: list[Output],
             procedure: Literal["paired-t", "kn"] = "paired-t", maximum: int | None = None
             ) -> Comparison:
    """Build the Comparison from every run's output, given replication by replication in
    the order of ``names``."""
    runs = by_variant(names, outputs)
    results = {v: outputs[i].results(base.with_variant(v)) for i, v in enumerate(names)}
    violations = {
        v: [x for s in runs[v] for x in s["verdict"]["violations"]][:MAX_VIOLATIONS]
        for v in names
    }
    return Comparison(
        scenario={
            "name": base.name, "source": base.source, "sha256": scenario_sha256(base.to_yaml()),
            "seed": seeds[0], "duration_s": base.duration,
        },
        context=scenario_context(base),
        variants=names,
        protocols={v: variant_protocols(base, v) for v in names},
        seeds=seeds,
        rows=metric_rows(names, runs),
        verdicts={v: [bool(s["verdict"]["valid"]) for s in runs[v]] for v in names},
        violations=violations,
        summaries={v: results[v].summary for v in names},
        timeseries={v: results[v].timeseries for v in names},
        decision=decide_outputs(base, names, seeds, outputs, procedure, maximum),
        replicated=runs,
        results=results,
    )
