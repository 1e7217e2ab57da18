"""Means and 95% confidence intervals over replications (Student t, no scipy).

A comparison runs every variant with the same few seeds, so each metric has a handful of
values per variant; the interval says how much the mean could move with other seeds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

T975: dict[int, float] = {
    1: 12.7062, 2: 4.3027, 3: 3.1824, 4: 2.7764, 5: 2.5706, 6: 2.4469, 7: 2.3646,
    8: 2.3060, 9: 2.2622, 10: 2.2281, 11: 2.2010, 12: 2.1788, 13: 2.1604, 14: 2.1448,
    15: 2.1314, 16: 2.1199, 17: 2.1098, 18: 2.1009, 19: 2.0930, 20: 2.0860, 21: 2.0796,
    22: 2.0739, 23: 2.0687, 24: 2.0639, 25: 2.0595, 26: 2.0555, 27: 2.0518, 28: 2.0484,
    29: 2.0452, 30: 2.0423, 40: 2.0211, 60: 2.0003, 120: 1.9799,
}
"""The 97.5th percentile of Student's t by degrees of freedom (two-sided 95% interval)."""
Z975 = 1.95996


def t975(dof: int) -> float:
    """Student t's 97.5% quantile for ``dof`` degrees of freedom (interpolated in 1/dof
    between table rows above 30, the normal quantile in the limit)."""
    if dof < 1:
        raise ValueError("a confidence interval needs at least two values")
    if dof in T975:
        return T975[dof]
    rows = [*sorted(T975.items()), (math.inf, Z975)]
    for (lo, t_lo), (hi, t_hi) in pairwise(rows):
        if lo < dof < hi:
            x, x_lo, x_hi = 1 / dof, 1 / lo, (0.0 if hi == math.inf else 1 / hi)
            return t_hi + (t_lo - t_hi) * (x - x_hi) / (x_lo - x_hi)
    return Z975  # pragma: no cover - every dof > 0 falls in a row above


@dataclass(frozen=True)
class Stat:
    """A metric over replications: mean, 95% half-width (None below two values) and n."""

    mean: float | None
    ci95: float | None
    n: int

    def as_dict(self) -> dict[str, float | int | None]:
        """JSON form: {"mean", "ci95", "n"}."""
        return {"mean": self.mean, "ci95": self.ci95, "n": self.n}


def summarize(values: Sequence[float | None]) -> Stat:
    """Mean and 95% CI of the values that exist (None = the run had no such figure)."""
    present = [float(v) for v in values if v is not None]
    n = len(present)
    if n == 0:
        return Stat(None, None, 0)
    mean = math.fsum(present) / n
    if n == 1:
        return Stat(_tidy(mean), None, 1)
    half = t975(n - 1) * statistics.stdev(present) / math.sqrt(n)
    return Stat(_tidy(mean), _tidy(half), n)


def _tidy(x: float) -> float:
    """Round to 12 significant digits, so JSON stays short and identical across machines."""
    return float(f"{x:.12g}")
