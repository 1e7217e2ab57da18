"""Who wins where in a sweep: at one combination of the other axes, the decision between
the swept variants (their replications share seeds: common random numbers) and the best
variant on each criterion judged over all of them, not only those the decision kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from simulator.analysis import criteria as cr
from simulator.analysis.comparison import scenario_context, variant_protocols
from simulator.analysis.decision import Decision, decide, judge
from simulator.scenario import Scenario

CRITERIA: tuple[cr.Criterion, ...] = cr.HARD_FAILURES + cr.GUIDE + cr.COST
"""Every criterion a point is judged on, in the page's row order."""


@dataclass(frozen=True)
class Best:
    """One criterion at one point: its status over all variants and the winners (the best
    and those equivalent to it), or why it does not bear there."""

    name: str
    status: str | None
    winners: tuple[str, ...]
    why_not: str | None = None

    @property
    def shown(self) -> str:
        """The single best variant ('' when it does not bear or all are equivalent)."""
        if self.status is None or self.status == "equivalent" or not self.winners:
            return ""
        return self.winners[0]


@dataclass(frozen=True)
class PointDecision:
    """The decision at one combination of the other axes (``where``: (path, value) pairs
    in axis order, empty when variant is the only axis)."""

    where: tuple[tuple[str, Any], ...]
    decision: Decision
    best: tuple[Best, ...]

    @property
    def label(self) -> str:
        """``duration=30d, server.quota=1GB`` ('all points' without other axes)."""
        return ", ".join(f"{p}={v}" for p, v in self.where) or "all points"


def decide_point(where: tuple[tuple[str, Any], ...],
                 summaries: Mapping[str, Sequence[dict[str, Any]]],
                 scenario: Scenario) -> PointDecision:
    """The decision at one point under that point's scenario (its decision block, its
    organisation), from ``{variant: [summary per replication, seed order]}``."""
    decision = decide(summaries, scenario.decision, scenario_context(scenario),
                      {v: variant_protocols(scenario, v) for v in summaries})
    return PointDecision(where, decision, tuple(best(c, decision, summaries)
                                                for c in CRITERIA))


def best(c: cr.Criterion, decision: Decision,
         summaries: Mapping[str, Sequence[dict[str, Any]]]) -> Best:
    """Criterion c over every variant, where the decision found that it bears."""
    judged = next((r for r in decision.criteria if r.name == c.name), None)
    if judged is not None and not judged.bears:
        return Best(c.name, None, (), judged.why_not)
    status, winners, _pairs, n, _stage = judge(c, summaries, list(summaries))
    if n == 0:
        return Best(c.name, None, (), "no run had a figure")
    return Best(c.name, status, tuple(winners))
