"""The decision between variants from their per-replication summaries (common random
numbers: replication j of every variant ran on the same seed).

The order of concerns is lexicographic (see analysis/criteria): (1) variants outside a
limit of the scenario's `decision:` block are not recommended; (2) hard failures, most
severe first; (3) the guide's criteria that bear on the organisation, in its order (or by
its weights); (4) cost.

At each criterion the variants still in the running are compared on paired differences:
the one with the best mean against each other one. Each claim is a one-sided paired-t test
at level alpha / m for m comparisons (Bonferroni; Law & Kelton 10.2.1 and 10.3, with
t(n-1, 1 - alpha/m)): *better by more than the zone* when the lower confidence bound of
the best's advantage exceeds the indifference zone; *equivalent* when both one-sided bounds
lie within +/- the zone (two one-sided tests, Schuirmann 1987). The bounds kept are thus
the two-sided interval at 1 - 2 alpha / m, each end a one-sided bound at 1 - alpha / m
(95 % with two variants). A criterion is
*decided* (the best is better than some other by more than the zone with 95 % confidence,
and every other is beaten or equivalent), *equivalent* (all within the zone) or
*undecided*. For ``--replications auto`` the best is the one Kim & Nelson's procedure
selects, and a criterion is settled once that procedure stops (analysis/paired): decided,
or equivalent when the selected variant's mean advantage over the others is within the
zone (the indifference zone's meaning: a smaller difference does not matter).

The running narrows to the best and the variants equivalent to it. On an undecided hard
failure it narrows the same way, following the means (a failure is avoided on the evidence
at hand); on an undecided organisation or cost criterion only the variants shown worse
leave, and the later criteria choose among the rest (the means of the first undecided one
when none does). Any undecided criterion met before the choice was made makes the
recommendation provisional, and the Decision lists it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from simulator.analysis import criteria as cr
from simulator.analysis.criteria import Criterion, Facts, Summary
from simulator.analysis.paired import Interval, kn_select, paired_interval
from simulator.scenario import DecisionSettings

Status = Literal["decided", "equivalent", "undecided"]
Procedure = Literal["paired-t", "kn"]
ALPHA = 0.05
N0 = 5
"""Kim & Nelson's first-stage size for ``--replications auto`` (at least 2)."""

LIMITS: dict[str, tuple[str, Literal["max", "min"]]] = {
    "max_bounced": ("server_storage.bounced", "max"),
    "max_lost": ("durability.lost", "max"),
    "max_missing_reads": ("consistency.missing_reads", "max"),
    "max_unpropagated": ("consistency.unpropagated", "max"),
    "min_agreement": ("consistency.agreement", "min"),
    "min_offline_availability": ("offline_availability.ratio", "min"),
    "min_read_success": ("reads.ratio", "min"),
    "max_server_peak": ("server_storage.peak_bytes", "max"),
    "max_account_peak": ("server_storage.fullest_account_peak_bytes", "max"),
    "max_device_peak": ("device_storage.peak_bytes", "max"),
    "max_traffic": ("traffic.bytes", "max"),
    "max_time_full": ("server_storage.time_over_quota_s", "max"),
    "max_propagation_p95": ("consistency.propagation_s.p95", "max"),
}
"""Each limit of the `decision:` block: the metric it bounds and which side."""
READERS = {"server_storage.fullest_account_peak_bytes": cr.fullest_account,
           "traffic.bytes": cr.traffic}


@dataclass(frozen=True)
class Pair:
    """The best variant against one other: the best's mean advantage (positive = better),
    its lower and upper one-sided confidence bounds at ``confidence`` each, and what they
    show ('better', 'equivalent' or 'unclear')."""

    best: str
    other: str
    advantage: float
    low: float | None
    high: float | None
    confidence: float
    exact: bool
    shows: Literal["better", "equivalent", "unclear"]


@dataclass(frozen=True)
class CriterionResult:
    """One criterion judged: whether it bears, who was compared, the status and why."""

    name: str
    code: str
    concern: str
    label: str
    key: str
    unit: str
    better: str
    zone: float
    means: dict[str, float | None]
    bears: bool
    why_not: str | None = None
    compared: list[str] = field(default_factory=list)
    deciding: bool = False
    weight: float | None = None
    status: Status | None = None
    winners: list[str] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    replications_used: int = 0
    kn_stage: int | None = None


@dataclass(frozen=True)
class LimitResult:
    """One limit of the scenario: the bound, each variant's mean, who is outside it."""

    name: str
    key: str
    side: Literal["max", "min"]
    bound: float
    values: dict[str, float | None]
    violators: list[str]


@dataclass(frozen=True)
class Decision:
    """The recommendation and everything it rests on (JSON via ``as_dict``)."""

    recommended: str | None
    reason: str
    provisional: bool
    procedure: Procedure
    confidence: float
    replications: int
    seeds: list[int]
    variants: list[str]
    protocols: dict[str, list[str]]
    eligible: list[str]
    limits: list[LimitResult]
    violations: dict[str, list[str]]
    hard_failures: dict[str, dict[str, float]]
    criteria: list[CriterionResult]
    undecided: list[str]
    first_stage: int | None = None
    max_replications: int | None = None

    @property
    def stopped(self) -> str | None:
        """Why ``--replications auto`` stopped adding replications (None when the number
        of replications was fixed)."""
        if self.max_replications is None:
            return None
        if not self.undecided:
            return "every criterion that bears on the choice is settled"
        return f"the maximum of {self.max_replications} replications was reached"

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (unbounded interval ends become null), with why the
        replications stopped."""
        return _finite({**asdict(self), "stopped": self.stopped})

    def criterion(self, name: str) -> CriterionResult:
        """The result for the criterion called name."""
        return next(c for c in self.criteria if c.name == name)


def from_dict(data: Mapping[str, Any]) -> Decision:
    """A Decision back from ``as_dict``'s form (comparison.json's decision block)."""
    criteria = [CriterionResult(**{**c, "pairs": [Pair(**p) for p in c["pairs"]]})
                for c in data["criteria"]]
    fields = {k: v for k, v in data.items() if k != "stopped"}
    return Decision(**{**fields, "limits": [LimitResult(**lim) for lim in data["limits"]],
                       "criteria": criteria})


def _finite(node: Any) -> Any:
    """The same data with infinities and NaN replaced by None (JSON has neither)."""
    if isinstance(node, dict):
        return {k: _finite(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_finite(v) for v in node]
    if isinstance(node, float) and not math.isfinite(node):
        return None
    return node


def _spread(r: CriterionResult, pool: list[str]) -> bool:
    """Whether the means of the variants in pool differ by more than r's zone."""
    means = [m for v in pool if (m := r.means.get(v)) is not None]
    return bool(means) and max(means) - min(means) > r.zone


def _mean(values: Sequence[float | None]) -> float | None:
    """Mean of the values present (None when none is)."""
    present = [v for v in values if v is not None]
    return math.fsum(present) / len(present) if present else None


def check_pairing(summaries: Mapping[str, Sequence[Summary]]) -> list[int]:
    """The seeds every variant ran, in order; ValueError unless they are the same (common
    random numbers) and there is at least one replication."""
    seeds = {v: [int(s.get("scenario", {}).get("seed", i)) for i, s in enumerate(runs)]
             for v, runs in summaries.items()}
    if not seeds:
        raise ValueError("no variants to decide between")
    first = next(iter(seeds.values()))
    if not first or any(s != first for s in seeds.values()):
        raise ValueError(f"variants must share the same seeds in the same order, got {seeds}")
    return first


def judge_limits(summaries: Mapping[str, Sequence[Summary]],
                 settings: DecisionSettings | None) -> list[LimitResult]:
    """Each limit given, judged on every variant's mean per run (no figure: not outside)."""
    given = settings.limits.set_values() if settings else {}
    out = []
    for name, bound in given.items():
        key, side = LIMITS[name]
        read = READERS.get(key, lambda s, k=key: cr.lookup(s, k))
        values = {v: _mean([read(s) for s in runs]) for v, runs in summaries.items()}
        bad = [v for v, x in values.items() if x is not None
               and (x > bound if side == "max" else x < bound)]
        out.append(LimitResult(name, key, side, bound, values, bad))
    return out


def _pair(c: Criterion, best: str, other: str, series: Mapping[str, list[float]],
          confidence: float) -> Pair:
    """The best's paired advantage over other on criterion c, and what it shows."""
    a, b = (series[other], series[best]) if c.better == "lower" else (series[best],
                                                                        series[other])
    iv: Interval = paired_interval(a, b, 2.0 * confidence - 1.0)
    if iv.low > c.zone:
        shows: Literal["better", "equivalent", "unclear"] = "better"
    elif -c.zone <= iv.low and iv.high <= c.zone:
        shows = "equivalent"
    else:
        shows = "unclear"
    return Pair(best, other, iv.mean, iv.low, iv.high, confidence, iv.exact, shows)


def _series(c: Criterion, runs: Mapping[str, Sequence[Summary]], pool: list[str]
            ) -> dict[str, list[float]]:
    """Each pooled variant's values on the replications where every one has a figure."""
    raw = {v: [c.value(s) for s in runs[v]] for v in pool}
    keep = [j for j in range(len(raw[pool[0]])) if all(raw[v][j] is not None for v in pool)]
    return {v: [float(raw[v][j] or 0.0) for j in keep] for v in pool}


def judge(c: Criterion, runs: Mapping[str, Sequence[Summary]], pool: list[str],
          procedure: Procedure = "paired-t", n0: int = N0
          ) -> tuple[Status, list[str], list[Pair], int, int | None]:
    """Criterion c over the variants in pool: status, winners (the best and those
    equivalent to it), the pairs, the replications used, and KN's stopping stage."""
    series = _series(c, runs, pool)
    n = len(series[pool[0]])
    if n == 0:
        return "undecided", list(pool), [], 0, None
    sign = 1.0 if c.better == "higher" else -1.0
    means = {v: sign * math.fsum(series[v]) / n for v in pool}
    best = max(pool, key=lambda v: means[v])
    stage = None
    if procedure == "kn":
        sel = kn_select({v: [sign * x for x in series[v]] for v in pool}, c.zone, ALPHA, n0)
        best = sel.survivors[0] if sel.stopped else best
        stage = sel.stage if sel.stopped else None
    confidence = 1.0 - ALPHA / max(1, len(pool) - 1)
    pairs = [_pair(c, best, v, series, confidence) for v in pool if v != best]
    if stage is not None:  # KN has selected: within the zone of its choice is indifferent
        near = [p.other for p in pairs if p.shows == "equivalent"
                or (p.shows == "unclear" and p.advantage <= c.zone)]
    else:
        near = [p.other for p in pairs if p.shows == "equivalent"]
    winners = [best, *near]
    if len(near) == len(pairs):
        status: Status = "equivalent"
    elif procedure == "kn":
        status = "decided" if stage is not None else "undecided"
    else:
        status = "decided" if all(p.shows != "unclear" for p in pairs) else "undecided"
    if status == "undecided":  # on the evidence at hand, a mean within the zone stays
        winners += [p.other for p in pairs if p.other not in winners
                    and abs(p.advantage) <= c.zone]
    return status, winners, pairs, n, stage


def decide(summaries: Mapping[str, Sequence[Summary]],
           settings: DecisionSettings | None = None,
           context: Mapping[str, Any] | None = None,
           protocols: Mapping[str, Sequence[str]] | None = None,
           procedure: Procedure = "paired-t", n0: int = N0) -> Decision:
    """The Decision for ``{variant: [summary per replication, seed order]}`` under the
    scenario's decision settings (None: no limits, the default order); ``context`` is
    comparison.json's context (else facts come from the summaries), ``protocols`` each
    variant's protocols (for the text)."""
    seeds = check_pairing(summaries)
    variants = list(summaries)
    facts = cr.facts_of(summaries, context)
    limits = judge_limits(summaries, settings)
    violations = {v: [lim.name for lim in limits if v in lim.violators] for v in variants}
    eligible = [v for v in variants if not violations[v]]
    chain = Chain(summaries, facts, eligible or variants, procedure, n0)
    priorities = settings.priorities if settings else None
    for c in cr.HARD_FAILURES:
        chain.step(c)
    chain.guide(cr.ordered(priorities), priorities)
    pick, reason = chain.pick()
    return Decision(
        recommended=pick if eligible else None,
        reason=reason if eligible else "every variant is outside a limit of the scenario",
        provisional=bool(eligible) and bool(chain.undecided),
        procedure=procedure, confidence=1.0 - ALPHA, replications=len(seeds), seeds=seeds,
        variants=variants,
        protocols={v: list((protocols or {}).get(v, [])) for v in variants},
        eligible=eligible, limits=limits, violations=violations,
        hard_failures={v: {c.name: _mean([c.value(s) for s in summaries[v]]) or 0.0
                           for c in cr.HARD_FAILURES} for v in variants},
        criteria=chain.results, undecided=chain.undecided,
        first_stage=n0 if procedure == "kn" else None)


def replications_to_add(d: Decision, maximum: int, batch: int = 5) -> int:
    """How many more replications ``--replications auto`` should run after decision d:
    none once no criterion met before the choice is undecided, or at ``maximum``; else a
    batch (at least up to Kim & Nelson's first stage), never beyond ``maximum``."""
    if not d.undecided or d.replications >= maximum:
        return 0
    wanted = max(batch, (d.first_stage or 0) - d.replications)
    return min(wanted, maximum - d.replications)


class Chain:
    """The lexicographic narrowing: each criterion in turn over the variants still in the
    running; criteria reached with one variant left are judged over all variants."""

    def __init__(self, runs: Mapping[str, Sequence[Summary]], facts: Facts, pool: list[str],
                 procedure: Procedure, n0: int) -> None:
        self.runs, self.facts, self.procedure, self.n0 = runs, facts, procedure, n0
        self.everyone, self.pool = list(runs), list(pool)
        self.results: list[CriterionResult] = []
        self.undecided: list[str] = []
        self.narrowed: list[tuple[str, list[str]]] = []

    def _result(self, c: Criterion, pool: list[str], deciding: bool,
                weight: float | None = None) -> CriterionResult:
        """Judge c over pool (or say why it does not bear)."""
        means = {v: _mean([c.value(s) for s in self.runs[v]]) for v in self.runs}
        why = None if c.concern == "hard failure" else cr.bearing(c, self.facts, means)
        res = CriterionResult(c.name, c.code, c.concern, c.label, c.key, c.unit, c.better,
                              c.zone, means, bears=why is None, why_not=why, weight=weight)
        if why is not None:
            return res
        if len(pool) < 2:
            pool, deciding = self.everyone, False
        if len(pool) < 2:
            return replace(res, compared=pool)
        status, winners, pairs, n, stage = judge(c, self.runs, pool, self.procedure, self.n0)
        return replace(res, compared=pool, deciding=deciding, status=status, winners=winners,
                       pairs=pairs, replications_used=n, kn_stage=stage)

    def step(self, c: Criterion, weight: float | None = None) -> None:
        """Judge c and narrow the running to its winners when it is deciding."""
        res = self._result(c, self.pool, len(self.pool) > 1, weight)
        self.results.append(res)
        if not res.deciding or res.status == "equivalent":
            return
        keep = res.winners
        if res.status == "undecided":
            self.undecided.append(res.name)
            if c.concern != "hard failure":
                beaten = {p.other for p in res.pairs if p.shows == "better"}
                keep = [v for v in self.pool if v not in beaten]
        self._narrow(res.name, keep)

    def _narrow(self, why: str, keep: list[str]) -> None:
        """Keep only the variants in keep, noting which criterion left out the others."""
        out = [v for v in self.pool if v not in keep]
        if out:
            self.narrowed.append((why, out))
        self.pool = [v for v in self.pool if v in keep]

    def guide(self, order: list[Criterion],
              priorities: Sequence[str] | Mapping[str, float] | None) -> None:
        """The organisation's criteria: lexicographic, or by weights when given as such."""
        if not isinstance(priorities, Mapping):
            for c in order:
                self.step(c)
            return
        pool = list(self.pool)
        score = dict.fromkeys(pool, 0.0)
        for c in order:
            weight = priorities.get(c.name)
            res = self._result(c, pool, weight is not None and len(pool) > 1, weight)
            self.results.append(res)
            if res.deciding and res.status == "undecided":
                self.undecided.append(res.name)
            if res.deciding and res.status != "equivalent":
                for v in res.winners:
                    score[v] += weight or 0.0
        top = max(score.values())
        self._narrow("weights", [v for v in pool if score[v] == top])

    def pick(self) -> tuple[str, str]:
        """The recommended variant and, in words, what chose it."""
        choice = self.pool[0]
        if len(self.pool) > 1:
            first = next((r for r in self.results if r.deciding and r.name in self.undecided
                          and set(self.pool) <= set(r.compared) and _spread(r, self.pool)),
                         None)
            if first is None and self.undecided:
                return choice, (f"the means of {', '.join(self.pool)} are within the zone "
                                f"on every criterion, though not all are shown equivalent; "
                                f"{choice} is listed first")
            if first is None:
                return choice, (f"the variants {', '.join(self.pool)} are equivalent on "
                                f"every criterion; {choice} is listed first")
            sign = 1.0 if first.better == "higher" else -1.0
            choice = max(self.pool, key=lambda v: sign * (first.means[v] or 0.0))
            return choice, (f"it has the best mean on {first.code} ({first.label}), the "
                            "first criterion still undecided between the variants left")
        if not self.narrowed:
            return choice, "it is the only variant within the limits"
        return choice, "; then ".join(self._why(name, out) for name, out in self.narrowed)

    def _why(self, name: str, out: list[str]) -> str:
        """'G7 (surviving a device failure) rules out pop3' for one narrowing."""
        who = out[0] if len(out) == 1 else ", ".join(out[:-1]) + f" and {out[-1]}"
        if name == "weights":
            return f"the organisation's weighted criteria rule out {who}"
        c = cr.BY_NAME[name]
        doubt = ", still undecided," if name in self.undecided else ""
        return f"{c.code} ({c.label}){doubt} rules out {who}"
