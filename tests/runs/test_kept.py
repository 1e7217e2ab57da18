"""Kept runs: a finished run's output is kept on disk under what determines it, read back
as the same output, and reused by a batch instead of running again."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.runs import Executor, Task, batch, run_batch
from simulator.runs import kept as kept_module
from simulator.runs.kept import KeptRuns, KeptRunsError
from tests.scenarios import load, two_devices

TEXT = two_devices("imap", "{cache: full}", days=1)


def test_a_kept_run_reads_back_as_the_same_output(tmp_path: Path) -> None:
    """Summary and time series come back equal, rows as tuples, as the run gave them."""
    task = Task(load(TEXT), "imap", 3, keep="timeseries")
    (output,) = run_batch([task])
    kept = KeptRuns.open(tmp_path / "k")
    kept.save(task, output)
    again = kept.load(task)
    assert again is not None
    assert again.summary == output.summary and again.timeseries == output.timeseries
    summary_only = Task(load(TEXT), "imap", 3)
    kept.save(summary_only, run_batch([summary_only])[0])
    loaded = kept.load(summary_only)
    assert loaded is not None and loaded.timeseries is None


def test_a_run_is_kept_under_everything_that_determines_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another scenario text, variant, seed, kept part or mailsim version is another run;
    the same scenario given as text or as an equal object is the same run."""
    kept = KeptRuns(tmp_path)
    scenario = load(TEXT)
    base = kept.path(Task(scenario, "imap", 3))
    assert kept.path(Task(load(TEXT), "imap", 3)) == base
    others = [Task(scenario, "pop3", 3), Task(scenario, "imap", 4),
              Task(scenario, "imap", 3, keep="timeseries"),
              Task(load(two_devices("imap", "{cache: full}", days=2)), "imap", 3)]
    assert len({kept.path(t) for t in others} | {base}) == len(others) + 1
    monkeypatch.setattr(kept_module, "mailsim_version", lambda: "0.0.0-other")
    assert kept.path(Task(scenario, "imap", 3)) != base


def test_a_run_that_keeps_its_history_is_never_kept(tmp_path: Path) -> None:
    """The history is not written to a kept run, so such a run always runs."""
    task = Task(load(TEXT), "imap", 3, keep="history")
    kept = KeptRuns(tmp_path)
    kept.save(task, run_batch([task])[0])
    assert not list(tmp_path.iterdir()) and kept.load(task) is None


def test_a_kept_run_that_cannot_be_read_is_run_again(tmp_path: Path) -> None:
    """A damaged file is as good as none: the batch runs the task and keeps it afresh."""
    task = Task(load(TEXT), "imap", 3)
    kept = KeptRuns(tmp_path)
    kept.path(task).write_text('{"summary": {"verdict"')
    assert kept.load(task) is None
    with Executor() as executor:
        (output,) = executor.run_batch([task], kept=kept)
    assert kept.load(task) == output


def test_a_batch_reuses_kept_runs_and_runs_only_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs in task order, the same as a batch without kept runs; a kept task does not
    run, progress says "resumed" once and then counts every task."""
    scenario = load(TEXT)
    tasks = [Task(scenario, v, s, label=f"{v}/{s}") for s in (1, 2) for v in ("pop3", "imap")]
    fresh = run_batch(tasks)
    kept = KeptRuns(tmp_path)
    kept.save(tasks[1], fresh[1])
    kept.save(tasks[2], fresh[2])
    ran: list[str] = []
    run_piece = batch.run_piece

    def counted(piece: Task) -> object:
        ran.append(piece.label)
        return run_piece(piece)

    monkeypatch.setattr(batch, "run_piece", counted)
    seen: list[tuple[int, int, str]] = []
    with Executor() as executor:
        again = executor.run_batch(tasks, lambda *p: seen.append(p), kept)
    assert [o.summary for o in again] == [o.summary for o in fresh]
    assert ran == ["pop3/1", "imap/2"]
    assert seen[0] == (2, 4, "resumed") and [d for d, _t, _l in seen] == [2, 3, 4]
    assert all(kept.load(t) is not None for t in tasks)


def test_open_refuses_kept_runs_unless_resumed_or_forced(tmp_path: Path) -> None:
    """Kept runs are never reused or thrown away unasked: the error says how to go on;
    --resume keeps them, --force empties the folder; a file in the way is an error."""
    folder = tmp_path / "cmp.unfinished"
    KeptRuns.open(folder)
    (folder / "a.json").write_text("{}")
    with pytest.raises(KeptRunsError, match="--resume to continue it or --force"):
        KeptRuns.open(folder)
    assert (folder / "a.json").exists()
    KeptRuns.open(folder, resume=True)
    assert (folder / "a.json").exists()
    KeptRuns.open(folder, force=True)
    assert folder.is_dir() and not list(folder.iterdir())
    blocker = tmp_path / "file.unfinished"
    blocker.write_text("mine")
    with pytest.raises(KeptRunsError, match="not a folder"):
        KeptRuns.open(blocker, force=True)
    assert blocker.read_text() == "mine"


def test_tidy_keeps_only_whole_runs_and_shards(tmp_path: Path) -> None:
    """After a command stopped: a story file without its shard's partial result and the
    scrap of a cut write go; whole ones stay; an empty folder goes too."""
    kept = KeptRuns.open(tmp_path / "k")
    for name in ("a.shard.json", "a.stories.jsonl.gz", "b.stories.jsonl.gz", "c.json",
                 ".c.json.x1.tmp"):
        (kept.folder / name).write_text("x")
    assert kept.tidy()
    assert sorted(p.name for p in kept.folder.iterdir()) == [
        "a.shard.json", "a.stories.jsonl.gz", "c.json"]
    empty = KeptRuns.open(tmp_path / "e")
    (empty.folder / "d.stories.jsonl.gz").write_text("x")
    assert not empty.tidy() and not empty.folder.exists()
