"""Percentiles over several sorted runs: ``Picked`` takes, in one pass over the runs (in
memory or on disk), the values the percentiles need, so the merge of shards takes the very
floats the unsharded run takes."""

from __future__ import annotations

from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.observe import spill as spill_module
from simulator.observe import stats as stats_module
from simulator.observe.consistency import DELAY_QUANTILES, delay_quantiles
from simulator.observe.spill import spill
from simulator.observe.stats import Picked, interpolate

VALUES = st.floats(-1e6, 1e6, allow_nan=False) | st.sampled_from([0.0, 1.0, 2.5])
RUNS = st.lists(st.lists(VALUES, max_size=25), min_size=1, max_size=6)
TIES = st.lists(st.lists(st.sampled_from([0.0, 1.0, 2.5]), max_size=40), min_size=1, max_size=6)
QS = (*DELAY_QUANTILES, 33.3, 50, 95)


def _runs(lists: list[list[float]]) -> list[array[float]]:
    return [array("d", sorted(values)) for values in lists]


@given(RUNS)
def test_percentiles_are_the_same_floats(lists: list[list[float]]) -> None:
    """Interpolated percentiles and the report's CDF quantiles equal those of the sorted
    whole, float for float, ties and empty runs included; its length is theirs."""
    whole = sorted(v for values in lists for v in values)
    view = Picked(_runs(lists), QS)
    assert len(view) == len(whole)
    for q in QS:
        assert interpolate(view, q) == interpolate(whole, q)
    assert delay_quantiles(view) == delay_quantiles(whole)


def test_the_last_item_is_the_largest_and_other_ranks_are_refused() -> None:
    """``view[-1]`` is the maximum; a rank no percentile asked for is a KeyError, one past
    the end an IndexError."""
    view = Picked([array("d", [1.0, 4.0]), array("d"), array("d", [2.0, 9.0])], (0,))
    assert view[-1] == 9.0 and view[0] == 1.0
    with pytest.raises(KeyError):
        view[1]
    with pytest.raises(IndexError):
        view[4]


def test_runs_on_disk_read_back_in_chunks_as_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A spilled array reads back, chunk by chunk, as the values written; percentiles over
    runs on disk are those over the same runs in memory."""
    monkeypatch.setattr(spill_module, "CHUNK", 3)
    runs = [array("d", sorted([0.5 * k for k in range(n)])) for n in (0, 1, 7, 10)]
    on_disk = [spill(run, tmp_path / f"{k}.d") for k, run in enumerate(runs)]
    assert [list(run) for run in on_disk] == [list(run) for run in runs]
    assert list(spill(array("q", [5, -2, 7]), tmp_path / "q")) == [5, -2, 7]
    for q in QS:
        assert interpolate(Picked(on_disk, QS), q) == interpolate(Picked(runs, QS), q)


@pytest.mark.parametrize(("chunk", "window", "sorted_at_most"),
                         [(1, 1, 10**6), (2, 1, 10**6), (3, 2, 10**6), (4, 3, 10**6),
                          (32, 1, 3), (40, 2, 5)])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lists=RUNS | TIES)
def test_runs_cut_into_many_windows_give_the_same_floats(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        chunk: int, window: int, sorted_at_most: int, lists: list[list[float]]) -> None:
    """With chunks of a few values and cuts a chunk or so apart (so that runs are read in
    many chunks, windows are sorted or skipped, and many values equal a cut), or windows
    too large to sort (cut again, finer), in memory and on disk, the percentiles are those
    of the sorted whole."""
    monkeypatch.setattr(spill_module, "CHUNK", chunk)
    monkeypatch.setattr(stats_module, "WINDOW", window)
    monkeypatch.setattr(stats_module, "SORTED_AT_MOST", sorted_at_most)
    whole = sorted(v for values in lists for v in values)
    folder = tmp_path_factory.mktemp("runs")
    on_disk = [spill(run, folder / f"{k}.d") for k, run in enumerate(_runs(lists))]
    for runs in (_runs(lists), on_disk):
        view = Picked(runs, QS)
        assert [interpolate(view, q) for q in QS] == [interpolate(whole, q) for q in QS]
        assert delay_quantiles(view) == delay_quantiles(whole)
