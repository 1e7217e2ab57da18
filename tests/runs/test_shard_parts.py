"""Shards run their own checkers: what a shard sends back is a small partial result (no
history unless asked), its incremental parts equal the straightforward ones, the shards'
story files merge into one in time order with every record of the whole run, and a
worker that dies stops the run with an error naming the shard and the task."""

from __future__ import annotations

import gzip
import os
import pickle
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from simulator.observe import servertotal, storymerge
from simulator.observe import spill as spill_module
from simulator.observe.history import ServerBytes
from simulator.observe.merge import Gathered
from simulator.observe.servertotal import server_total
from simulator.observe.spill import spill
from simulator.observe.storymerge import line_time, merge_story_files
from simulator.runs import Task, WorkerDied, run, run_sharded
from simulator.runs.batch import Executor, Part, _parts, ready
from simulator.runs.local import Helpers
from simulator.runs.one import run_shard
from simulator.runs.shards import MERGING, pack, split
from simulator.scenario import load_scenario
from tests.runs.test_shards import same_bytes, shortened

FAULTS = shortened(load_scenario("scenarios/faults.yaml"), 3)


def test_a_shard_sends_back_a_partial_result_much_smaller_than_its_history() -> None:
    """Without the history kept, a shard's partial result carries no records and pickles
    to a small fraction of the bytes of its (packed) history."""
    people = split(FAULTS, 2)[0]
    part = run_shard(FAULTS, people)
    kept = run_shard(FAULTS, people, keep_history=True)
    assert part.history is None and kept.history
    assert len(pickle.dumps(part)) * 5 < len(pickle.dumps(pack(kept.history)))


@pytest.mark.parametrize(("chunk", "block"), [(1, 1 << 18), (2, 4), (7, 10), (1024, 1 << 18),
                                            (1024, 6)])
def test_the_server_total_rebuilt_from_shards_is_the_whole_runs_at_each_instant(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int, block: int) -> None:
    """The server total over every account, rebuilt from each shard's end-of-instant
    values (in memory or on disk, read in chunks and summed in blocks of any size), is at
    each instant the whole run's total after that instant's last change."""
    monkeypatch.setattr(spill_module, "CHUNK", chunk)
    monkeypatch.setattr(servertotal, "BLOCK", block)
    whole = run(FAULTS).history
    used: dict[str, int] = {}
    expected: dict[float, int] = {}
    for e in whole.every(ServerBytes):
        used[e.user] = e.used
        expected[e.t] = sum(used.values())
    parts = [run_shard(FAULTS, people) for people in split(FAULTS, 3)]
    on_disk = [replace(p, instants=spill(p.instants, tmp_path / f"{k}.t"),
                       totals=spill(p.totals, tmp_path / f"{k}.v"))
               for k, p in enumerate(parts)]
    for some in (parts, on_disk):
        assert list(server_total(some)) == sorted(expected.items())


def test_shard_story_files_merge_into_the_whole_runs_records_in_time_order(
        tmp_path: Path) -> None:
    """The merged story file holds exactly the whole run's lines (a reset, shared, once),
    in time order; the summary's stories are the whole run's."""
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 4)
    whole = run(scenario, keep_history=False, story_file=tmp_path / "whole.jsonl.gz")
    merged = run_sharded(scenario, 3, keep_history=False,
                         story_file=tmp_path / "merged.jsonl.gz")
    same_bytes(whole, merged)
    lines = gzip.decompress((tmp_path / "merged.jsonl.gz").read_bytes()).splitlines()
    assert Counter(lines) == Counter(
        gzip.decompress((tmp_path / "whole.jsonl.gz").read_bytes()).splitlines())
    times = [line_time(line) for line in lines]
    assert times == sorted(times) and len(lines) > 1000
    assert any(b"uidvalidity_reset" in line for line in lines)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["merged.jsonl.gz", "whole.jsonl.gz"]


@pytest.mark.parametrize("fan_in", [2, 3])  # 5 files: 3, 2, then one; or 3, then one
def test_many_story_files_merge_in_rounds_into_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fan_in: int) -> None:
    """Beyond FAN_IN files, story files are merged ahead in groups of consecutive files;
    the result is byte for byte the one-round merge (lines of one instant in shard order,
    the reset once), and no scratch file is left behind."""
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 4)
    one = run_sharded(scenario, 5, keep_history=False, story_file=tmp_path / "one.jsonl.gz")
    monkeypatch.setattr(storymerge, "FAN_IN", fan_in)
    sizes: list[int] = []
    real = storymerge._merge

    def counted(paths: list[Path], dest: Path, meter: storymerge._Meter) -> None:
        sizes.append(len(paths))
        real(paths, dest, meter)

    monkeypatch.setattr(storymerge, "_merge", counted)
    rounds = run_sharded(scenario, 5, keep_history=False,
                         story_file=tmp_path / "rounds.jsonl.gz")
    assert sizes == ([2, 2, 2, 2] if fan_in == 2 else [3, 3])
    same_bytes(one, rounds)
    assert (tmp_path / "one.jsonl.gz").read_bytes() == (tmp_path / "rounds.jsonl.gz").read_bytes()
    lines = gzip.decompress((tmp_path / "rounds.jsonl.gz").read_bytes()).splitlines()
    assert sum(b"uidvalidity_reset" in line for line in lines) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.jsonl.gz", "rounds.jsonl.gz"]


def test_the_story_merge_is_a_phase_of_the_runs_progress(tmp_path: Path) -> None:
    """After the shards, the run's progress hears the story merge in megabytes read, as a
    phase of its own, and the last telling fills it."""
    told: list[tuple[int, int, str]] = []
    run_sharded(shortened(load_scenario("scenarios/faults.yaml"), 2), 2, keep_history=False,
                story_file=tmp_path / "s.jsonl.gz",
                progress=lambda done, total, label: told.append((done, total, label)))
    labels = [label for *_, label in told]
    first = labels.index(MERGING)
    assert first > 0 and set(labels[first:]) == {MERGING} and MERGING not in labels[:first]
    assert told[-1][:2] == (1, 1)


def test_hours_folded_in_any_order_give_the_whole_runs_time_series() -> None:
    """Each shard's hourly components, folded into running sums in whatever order shards
    finish, give the whole run's timeseries rows; the partial results keep no hours."""
    whole = run(FAULTS, keep_history=False)
    parts = [run_shard(FAULTS, people) for people in split(FAULTS, 3)]
    for order in ([0, 1, 2], [2, 0, 1]):
        gathered = Gathered()
        for k in order:
            gathered.add(k, parts[k])
        _, rows = gathered.merge()
        assert rows == whole.timeseries
        assert all(not p.ticks for p in gathered.parts.values())
    assert all(len(p.ticks) == len(whole.timeseries) for p in parts)  # left whole


def test_a_lines_time_is_read_whether_more_fields_follow_or_not() -> None:
    """The story merge reads ``t`` from the encoded line: before the next field, at the end
    of the record, in any float notation JSON gives."""
    assert line_time(b'{"kind":"end","t":86400.0}') == 86400.0
    assert line_time(b'{"kind":"view","t":12.5,"device":"a/b","mid":"m1@a"}') == 12.5
    assert line_time(b'{"kind":"lost","t":1e-05,"device":"x"}') == 1e-05


def test_story_files_that_disagree_on_the_shared_world_are_refused(tmp_path: Path) -> None:
    """A reset in one shard's file but not the other's is a bug, not something to merge."""
    for name, text in (("a", b'{"kind":"uidvalidity_reset","t":5.0}\n'), ("b", b"")):
        with gzip.open(tmp_path / f"{name}.gz", "wb") as f:
            f.write(b'{"kind":"lost","t":1.0,"device":"x/phone"}\n' + text)
    with pytest.raises(RuntimeError, match="disagree"):
        merge_story_files([tmp_path / "a.gz", tmp_path / "b.gz"], tmp_path / "out.gz")


def test_a_worker_that_dies_is_named_by_its_shard_and_task(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A helper process that dies running a shard stops the run with WorkerDied, which
    names the shard, its people and the task (not a bare broken-pool traceback)."""
    monkeypatch.setenv("MAILSIM_TEST_PARENT", str(os.getpid()))
    parts = _parts(Task(FAULTS, shards=2, label="faults-3d"))
    with Executor(workers=2) as executor:
        executor._helpers = Helpers(2, die_in_helper, warm=ready)
        with pytest.raises(WorkerDied, match=r"died running shard [12] of 2 \(.*\) of "
                                             r"faults-3d \(as-written\)"):
            list(executor.pieces(parts * 20))


def die_in_helper(part: Part) -> None:
    """Exit abruptly in a helper process; take a while in the parent."""
    if str(os.getpid()) != os.environ["MAILSIM_TEST_PARENT"]:
        os._exit(3)
    time.sleep(0.5)
