"""The sweep's decisions: its runs grouped by the other axes' values, each group decided
between the swept variants (analysis/wins), and the result as points.csv columns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.analysis.wins import PointDecision, decide_point
from simulator.scenario import parse_scenario
from simulator.sweep.grid import VARIANT, Point
from simulator.sweep.parts import SweepRun


def swept_variants(spec: dict[str, Any]) -> list[str]:
    """The variants of the grid's variant axis (none without one, or with one value)."""
    values = list(dict.fromkeys(str(v) for v in spec["values"].get(VARIANT, [])))
    return values if len(values) > 1 else []


def decide_points(spec: dict[str, Any], runs: Sequence[SweepRun],
                  done: dict[SweepRun, dict[str, Any]]) -> list[PointDecision]:
    """The decision at every combination of the other axes, in grid order (none without
    a variant axis of two values or more)."""
    if not swept_variants(spec):
        return []
    groups: dict[Point, list[SweepRun]] = {}
    for run in runs:
        groups.setdefault(tuple(p for p in run.point if p[0] != VARIANT), []).append(run)
    out = []
    for where, members in groups.items():
        summaries: dict[str, list[dict[str, Any]]] = {}
        for run in sorted(set(members), key=lambda r: (r.rep, members.index(r))):
            summaries.setdefault(str(run.variant), []).append(done[run])
        scenario = parse_scenario(members[0].text, members[0].source)
        out.append(decide_point(where, summaries, scenario))
    return out


def with_decisions(axes: list[str], points: list[dict[str, Any]],
                   decisions: list[PointDecision]) -> list[dict[str, Any]]:
    """points.csv rows with the decision at their point appended: ``recommended``,
    ``provisional``, and per criterion the best variant and its status."""
    if not decisions:
        return points
    by_where = {tuple(str(v) for _p, v in d.where): d for d in decisions}
    out = []
    for row in points:
        d = by_where[tuple(str(row[a]) for a in axes if a != VARIANT)]
        extra: dict[str, Any] = {"recommended": d.decision.recommended or "",
                                 "provisional": d.decision.provisional}
        for b in d.best:
            extra[f"best.{b.name}"] = b.shown
            extra[f"best.{b.name}.status"] = b.status or "does not bear"
        out.append({**row, **extra})
    return out
