"""Progress of a long run: a single run reports its simulated hours, shards run one after
the other theirs as a share of the whole, shards on workers each as it ends; none of it
changes the results."""

from __future__ import annotations

from pathlib import Path

from simulator.runs import run, run_sharded
from simulator.scenario import Scenario, load_scenario

SMALL = Path(__file__).resolve().parents[2] / "scenarios" / "small-office.yaml"


def _short() -> Scenario:
    return load_scenario(SMALL).model_copy(update={"duration": 2 * 86400})


def test_a_run_reports_each_simulated_hour_and_ends_complete() -> None:
    """The callback hears the hours in order, out of the run's hours, and 48/48 last; the
    results are the same bytes as without it."""
    calls: list[tuple[int, int, str]] = []
    results = run(_short(), keep_history=False, progress=lambda *a: calls.append(a))
    done = [c[0] for c in calls]
    assert done == sorted(done) and {c[1] for c in calls} == {48}
    assert calls[-1][:2] == (48, 48) and calls[0][2] == "day 1"
    assert any(c[2] == "day 2" for c in calls)
    assert results.summary_json() == run(_short(), keep_history=False).summary_json()


def test_shards_run_here_report_their_hours_as_a_share_of_the_whole() -> None:
    """Two shards one after the other: the callback hears each shard's hours in order, out
    of both shards' hours (96), naming the shard; it ends at 96/96."""
    calls: list[tuple[int, int, str]] = []
    run_sharded(_short(), 2, keep_history=False, progress=lambda *a: calls.append(a))
    done = [c[0] for c in calls]
    assert done == sorted(done) and {c[1] for c in calls} == {96}
    assert calls[0][2] == "shard 1 of 2, day 1" and calls[-1] == (96, 96, "shard 2 of 2, the run")
    assert (48, 96, "shard 1 of 2, the run") in calls


def test_shards_on_workers_report_each_shard_as_it_ends() -> None:
    """Two shards on two worker processes: the callback hears 1 of 2, then 2 of 2."""
    calls: list[tuple[int, int, str]] = []
    run_sharded(_short(), 2, workers=2, keep_history=False, progress=lambda *a: calls.append(a))
    assert [c[:2] for c in calls] == [(1, 2), (2, 2)]
