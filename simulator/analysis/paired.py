"""Paired statistics for variants run with common random numbers: paired-t intervals on
per-replication differences, the Student-t quantile they need, and Kim & Nelson's fully
sequential ranking-and-selection procedure.

A comparison runs every variant on the same seeds, so replication j of variant a and of
variant b share their mail arrivals and intentions; the differences X_aj - X_bj are
independent across j and far less variable than either series alone. The interval used is
the paired-t confidence interval of Law & Kelton, *Simulation Modeling and Analysis*
(4th ed., 2007), section 10.2.1: mean difference +/- t(n-1, 1-alpha/2) * s / sqrt(n). With
several comparisons at once, each gets alpha / m (Bonferroni, Law & Kelton 10.3).

A simulator often gives identical outcomes on every seed (both variants bounce nothing),
so the sample variance of the differences is 0. The interval is then the single point
[d, d]: the difference is the same on every seed seen and is taken as exact. This is an
assumption (a later seed could differ), stated wherever it is used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz's method)."""
    tiny, eps = 1e-300, 1e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 1000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)),
                   -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1.0 + aa * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + aa / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b), for the t distribution's CDF."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                     + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with ``df`` degrees of freedom."""
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t with ``df`` degrees of freedom (exact for df 1 and 2,
    otherwise the CDF inverted by bisection to double precision)."""
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError(f"expected 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2.0 * p - 1.0) * math.sqrt(2.0 / (4.0 * p * (1.0 - p)))
    lo, hi = 0.0, 1.0
    while t_cdf(hi, df) < p:
        lo, hi = hi, hi * 2.0
    for _ in range(200):
        mid = (lo + hi) / 2.0
        if mid in (lo, hi):
            break
        lo, hi = (mid, hi) if t_cdf(mid, df) < p else (lo, mid)
    return (lo + hi) / 2.0


@dataclass(frozen=True)
class Interval:
    """A paired-t confidence interval on the mean of per-replication differences."""

    mean: float
    low: float
    high: float
    n: int
    sd: float
    confidence: float

    @property
    def exact(self) -> bool:
        """Whether every difference was the same (zero variance: taken as exact)."""
        return self.n > 1 and self.sd == 0.0


def differences(a: Sequence[float], b: Sequence[float]) -> list[float]:
    """a_j - b_j per replication (the two series must come from the same seeds)."""
    if len(a) != len(b):
        raise ValueError(f"paired series differ in length: {len(a)} and {len(b)}")
    return [x - y for x, y in zip(a, b, strict=True)]


def paired_interval(a: Sequence[float], b: Sequence[float],
                    confidence: float = 0.95) -> Interval:
    """The paired-t interval for mean(a - b) (Law & Kelton 10.2.1); unbounded with one
    replication (no variance to go by), a point when every difference is the same."""
    d = differences(a, b)
    n = len(d)
    if n == 0:
        raise ValueError("no replications to compare")
    mean = math.fsum(d) / n
    sd = math.sqrt(math.fsum((x - mean) ** 2 for x in d) / (n - 1)) if n > 1 else 0.0
    if n == 1:
        return Interval(mean, -math.inf, math.inf, n, math.nan, confidence)
    if sd == 0.0:
        return Interval(mean, mean, mean, n, 0.0, confidence)
    half = t_quantile(1.0 - (1.0 - confidence) / 2.0, n - 1) * sd / math.sqrt(n)
    return Interval(mean, mean - half, mean + half, n, sd, confidence)


@dataclass(frozen=True)
class Selection:
    """Where Kim & Nelson's procedure stands on the data so far."""

    survivors: tuple[str, ...]
    stopped: bool
    stage: int
    bound: int

    @property
    def selected(self) -> str | None:
        """The selected alternative once the procedure has stopped."""
        return self.survivors[0] if self.stopped else None


def kn_h2(k: int, alpha: float, n0: int) -> float:
    """Kim & Nelson's h^2 = 2 c eta (n0 - 1) with c = 1 and
    eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2."""
    eta = 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)
    return 2.0 * eta * (n0 - 1)


def kn_select(samples: dict[str, Sequence[float]], delta: float, alpha: float = 0.05,
              n0: int = 5) -> Selection:
    """Kim & Nelson's fully sequential procedure KN (ACM TOMACS 11(3):251-273, 2001) for
    selecting the alternative with the LARGEST mean, replayed over the data in seed order.

    Guarantee: when the best mean exceeds every other by at least ``delta``, the procedure
    selects it with probability >= 1 - alpha (normal data; common random numbers allowed,
    since only variances of differences are used). Setup c = 1; S^2_il is the variance of
    X_i - X_l over the first n0 replications; alternative i is eliminated at stage r when
    mean_i(r) < mean_l(r) - W_il(r), W_il(r) = max(0, delta/(2r) (h^2 S^2_il / delta^2 - r));
    the procedure stops with one survivor, or at stage max N_i + 1 (N_il = floor(h^2 S^2_il /
    delta^2)) selecting the largest mean. Checking only at batch ends can only make an
    elimination later, never wrong more often; replaying every stage on the stored data in
    seed order gives the same answer whatever the batch size. A zero S^2_il makes W_il = 0:
    the difference was the same on each of the first n0 seeds and is taken as exact.
    Ties in mean with zero variance keep both alternatives (they are exactly equal).
    """
    names = list(samples)
    k, n = len(names), min(len(v) for v in samples.values())
    if n0 < 2:
        raise ValueError("Kim & Nelson's procedure needs a first stage of at least 2")
    if k == 1:
        return Selection(tuple(names), True, n, n)
    if n < n0:
        return Selection(tuple(names), False, n, n0)
    h2 = kn_h2(k, alpha, n0)
    s2 = {(i, j): _var([samples[i][r] - samples[j][r] for r in range(n0)])
          for i in names for j in names if i != j}
    big_n = {i: max(math.floor(h2 * s2[i, j] / delta**2) for j in names if j != i)
             for i in names}
    bound = max(big_n.values()) + 1
    alive = list(names)
    for r in range(n0, n + 1):
        means = {i: math.fsum(samples[i][:r]) / r for i in alive}
        alive = [i for i in alive if all(
            means[i] >= means[j] - _w(delta, r, h2, s2[i, j]) for j in alive if j != i)]
        if len(alive) == 1 or r >= max(big_n[i] for i in alive) + 1:
            top = max(means[i] for i in alive)
            best = [i for i in alive if means[i] == top]
            exact = all(s2[i, j] == 0.0 for i in best for j in best if i != j)
            return Selection(tuple(best if exact else best[:1]), True, r, bound)
    return Selection(tuple(alive), False, n, bound)


def _var(values: list[float]) -> float:
    """Sample variance (n - 1 in the denominator)."""
    mean = math.fsum(values) / len(values)
    return math.fsum((x - mean) ** 2 for x in values) / (len(values) - 1)


def _w(delta: float, r: int, h2: float, s2: float) -> float:
    """KN's continuation half-width W_il(r)."""
    return max(0.0, delta / (2.0 * r) * (h2 * s2 / delta**2 - r))
