"""Percentiles over several sorted runs: ``SortedRuns`` is the sorted whole without
building it, so the merge of shards takes the very floats the unsharded run takes."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.observe.consistency import DELAY_QUANTILES, delay_quantiles
from simulator.observe.stats import SortedRuns, interpolate

VALUES = st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, 1.0, 2.5])
RUNS = st.lists(st.lists(VALUES, max_size=25), min_size=1, max_size=6)


def _runs(lists: list[list[float]]) -> list[array[float]]:
    return [array("d", sorted(values)) for values in lists]


@given(RUNS)
def test_every_rank_is_the_value_of_the_sorted_whole(lists: list[list[float]]) -> None:
    """The k-th item of the view is the k-th of all values sorted, ties and empty runs
    included; its length is theirs."""
    whole = sorted(v for values in lists for v in values)
    view = SortedRuns(_runs(lists))
    assert len(view) == len(whole)
    assert [view[k] for k in range(len(whole))] == whole


@given(RUNS)
def test_percentiles_are_the_same_floats(lists: list[list[float]]) -> None:
    """Interpolated percentiles and the report's CDF quantiles equal those of the sorted
    whole, float for float."""
    whole = sorted(v for values in lists for v in values)
    view = SortedRuns(_runs(lists))
    for q in (*DELAY_QUANTILES, 33.3):
        assert interpolate(view, q) == interpolate(whole, q)
    assert delay_quantiles(view) == delay_quantiles(whole)


def test_the_last_item_is_the_largest_and_out_of_range_fails() -> None:
    """``view[-1]`` is the maximum; an index past the end is an IndexError."""
    view = SortedRuns([array("d", [1.0, 4.0]), array("d"), array("d", [2.0, 9.0])])
    assert view[-1] == 9.0 and view[0] == 1.0
    with pytest.raises(IndexError):
        view[4]
