"""Exact float sums: a sum kept as an integer, split anywhere and added up in any order,
gives the very float ``math.fsum`` gives over all the values at once."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from simulator.observe.exactsum import compact, exact, expand, to_float

FLOATS = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300)


@given(st.lists(FLOATS, max_size=40), st.integers(0, 40), st.integers(0, 40))
def test_exact_sums_of_parts_add_up_to_fsum_of_the_whole(values: list[float], a: int,
                                                          b: int) -> None:
    """Three parts summed separately, then added in another order, give fsum of the whole."""
    a, b = sorted((min(a, len(values)), min(b, len(values))))
    parts = [exact(values[:a]), exact(values[a:b]), exact(values[b:])]
    assert to_float(parts[2] + parts[0] + parts[1]) == math.fsum(values)


def test_tiny_and_huge_values_are_kept_exactly() -> None:
    """Subnormal floats and values far apart in size lose nothing."""
    values = [5e-324, 1e300, -1e300, 5e-324, 0.1, 0.2]
    assert to_float(exact(values)) == math.fsum(values) == 0.30000000000000004
    assert to_float(exact([5e-324])) == 5e-324 and to_float(exact([])) == 0.0


@given(st.lists(FLOATS, max_size=20))
def test_a_compacted_exact_sum_expands_to_itself(values: list[float]) -> None:
    """Compacting drops only trailing zero bits: expanding gives the same integer."""
    assert expand(compact(exact(values))) == exact(values)
