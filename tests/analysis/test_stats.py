"""Means and 95% intervals over replications: Student t quantiles and their use."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from simulator.analysis.stats import summarize, t975


def test_t_quantiles_match_the_published_table() -> None:
    """t(0.975) for 1, 4 and 30 degrees of freedom are the textbook 12.706, 2.776, 2.042."""
    assert t975(1) == pytest.approx(12.706, abs=1e-3)
    assert t975(4) == pytest.approx(2.776, abs=1e-3)
    assert t975(30) == pytest.approx(2.042, abs=1e-3)


def test_t_quantiles_fall_towards_the_normal_quantile() -> None:
    """Between table rows the quantile is interpolated and keeps falling; far out it is 1.96."""
    values = [t975(d) for d in range(1, 400)]
    assert all(a >= b for a, b in pairwise(values))
    assert t975(35) == pytest.approx(2.030, abs=2e-3)
    assert t975(10_000) == pytest.approx(1.960, abs=1e-3)


def test_no_interval_without_two_values() -> None:
    """Zero degrees of freedom has no t quantile."""
    with pytest.raises(ValueError):
        t975(0)


def test_mean_and_interval_of_three_values() -> None:
    """[1, 2, 3]: mean 2, half-width t(2) * s / sqrt(3) with s = 1."""
    s = summarize([1.0, 2.0, 3.0])
    assert s.mean == 2.0
    assert s.ci95 == pytest.approx(4.3027 / math.sqrt(3), rel=1e-9)
    assert s.n == 3


def test_missing_values_are_left_out() -> None:
    """A run without such a figure (None) does not count; one value gives no interval."""
    assert summarize([None, 4.0, None]).as_dict() == {"mean": 4.0, "ci95": None, "n": 1}
    assert summarize([None, None]).as_dict() == {"mean": None, "ci95": None, "n": 0}


def test_identical_values_have_a_zero_interval() -> None:
    """Common random numbers often give a variant the same count in every replication."""
    assert summarize([7, 7, 7]).ci95 == 0.0
