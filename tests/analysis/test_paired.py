"""Specification of the paired statistics: Student-t quantiles match the printed tables,
paired-t intervals follow Law & Kelton, and Kim & Nelson's procedure selects the best."""

from __future__ import annotations

import math
import random

import pytest

from simulator.analysis.paired import kn_h2, kn_select, paired_interval, t_cdf, t_quantile

TABLE = [  # (p, df, t_p) from the standard two-sided/one-sided t tables
    (0.975, 1, 12.706204736), (0.975, 2, 4.302652730), (0.975, 3, 3.182446305),
    (0.975, 5, 2.570581836), (0.975, 10, 2.228138852), (0.975, 30, 2.042272456),
    (0.975, 120, 1.979930405), (0.95, 4, 2.131846786), (0.95, 9, 1.833112933),
    (0.995, 3, 5.840909310), (0.99, 20, 2.527977003), (0.9875, 1, 25.451699),
]


@pytest.mark.parametrize(("p", "df", "expected"), TABLE)
def test_t_quantile_matches_the_table(p: float, df: int, expected: float) -> None:
    """t_quantile agrees with the tabulated quantiles to at least 7 significant digits."""
    assert t_quantile(p, df) == pytest.approx(expected, rel=1e-7)


def test_t_quantile_is_symmetric_and_tends_to_the_normal() -> None:
    """The lower quantiles are the negated upper ones; with huge df the normal's 1.959964."""
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7))
    assert t_quantile(0.975, 10**7) == pytest.approx(1.959964, abs=1e-5)


def test_t_cdf_inverts_the_quantile() -> None:
    """t_cdf(t_quantile(p, df), df) == p for fractional degrees of freedom as well."""
    for df in (1.5, 4, 17.3):
        for p in (0.6, 0.9, 0.99):
            assert t_cdf(t_quantile(p, df), df) == pytest.approx(p, abs=1e-12)


def test_t_quantile_refuses_nonsense() -> None:
    """p must lie strictly between 0 and 1 and df be positive."""
    with pytest.raises(ValueError, match="expected 0 < p < 1"):
        t_quantile(1.0, 3)


def test_paired_interval_is_law_and_kelton_10_2_1() -> None:
    """mean(d) +/- t(n-1, 0.975) s/sqrt(n) on the differences a_j - b_j."""
    a, b = [12.0, 15.0, 11.0, 14.0], [10.0, 11.0, 10.0, 12.0]
    d = [2.0, 4.0, 1.0, 2.0]
    mean = sum(d) / 4
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 3)
    half = 3.182446305 * sd / 2
    iv = paired_interval(a, b)
    assert (iv.mean, iv.n) == (2.25, 4)
    assert iv.low == pytest.approx(mean - half) and iv.high == pytest.approx(mean + half)


def test_pairing_removes_the_common_noise() -> None:
    """Two series that differ by a constant plus the same large noise give a point: the
    difference is the same on every seed, so it is taken as exact."""
    noise = [100.0, 250.0, 40.0]
    iv = paired_interval([x + 3 for x in noise], noise)
    assert (iv.low, iv.high, iv.exact) == (3.0, 3.0, True)


def test_one_replication_gives_no_interval() -> None:
    """With one replication there is no variance to go by: the interval is unbounded."""
    iv = paired_interval([5.0], [0.0])
    assert iv.low == -math.inf and iv.high == math.inf and not iv.exact


def test_two_replications_of_0_against_over_100_is_a_clear_difference() -> None:
    """0 against 109 and 106 lost messages: the 95 % paired interval lies far above 1."""
    iv = paired_interval([109.0, 106.0], [0.0, 0.0])
    assert iv.low > 80 and iv.high < 130


def test_kn_constant_matches_the_formula() -> None:
    """h^2 for k=2, alpha=0.05, n0=5 is 2 * 4 * ((0.1)^(-1/2) - 1) / 2 = 8.6491..."""
    assert kn_h2(2, 0.05, 5) == pytest.approx(4 * (0.1 ** -0.5 - 1))


def test_kn_selects_the_best_when_it_is_clearly_better() -> None:
    """Normal data, best mean 1 above the others (delta 0.5): KN stops and selects it."""
    rng = random.Random(3)
    samples = {name: [mu + rng.gauss(0, 1) for _ in range(400)]
               for name, mu in (("a", 0.0), ("b", 1.0), ("c", 0.0))}
    sel = kn_select(samples, delta=0.5, alpha=0.05, n0=10)
    assert sel.stopped and sel.selected == "b" and sel.stage <= sel.bound


def test_kn_probability_of_correct_selection_is_at_least_1_minus_alpha() -> None:
    """Over 200 macro-replications with the best exactly delta better (the least
    favourable configuration), KN picks the best in at least 95 % of them."""
    rng = random.Random(11)
    right = 0
    for _ in range(200):
        samples = {n: [mu + rng.gauss(0, 2) for _ in range(600)]
                   for n, mu in (("x", 0.0), ("best", 1.0), ("y", 0.0))}
        sel = kn_select(samples, delta=1.0, alpha=0.05, n0=5)
        assert sel.stopped
        right += sel.selected == "best"
    assert right >= 190


def test_kn_waits_for_more_data_when_it_cannot_yet_tell() -> None:
    """Fewer replications than the first stage, or noisy close means: not stopped."""
    assert not kn_select({"a": [1.0, 2.0], "b": [0.0, 1.0]}, 1.0, n0=5).stopped
    noisy = {"a": [0.0, 10.0, -10.0, 5.0, -5.0], "b": [1.0, -9.0, 12.0, -4.0, 6.0]}
    sel = kn_select(noisy, delta=0.1, n0=5)
    assert not sel.stopped and set(sel.survivors) == {"a", "b"}


def test_kn_with_zero_variance_compares_the_means_exactly() -> None:
    """Identical outcomes on every seed: the difference is exact; equal means both
    survive (they are equal), a constant gap selects the better at once."""
    tie = kn_select({"a": [0.0] * 5, "b": [0.0] * 5}, 1.0, n0=5)
    assert tie.stopped and set(tie.survivors) == {"a", "b"}
    gap = kn_select({"a": [2.0] * 5, "b": [0.0] * 5}, 1.0, n0=5)
    assert gap.stopped and gap.selected == "a" and gap.stage == 5


def test_kn_needs_a_first_stage_of_two() -> None:
    """n0 = 1 gives no variance estimate: refused."""
    with pytest.raises(ValueError, match="at least 2"):
        kn_select({"a": [1.0], "b": [0.0]}, 1.0, n0=1)
