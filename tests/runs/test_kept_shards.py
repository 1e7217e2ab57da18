"""Kept shards: a sharded run keeps each finished shard's partial result (as tagged JSON,
read back as the same value) beside its story file, and an interrupted sharded run resumes
with the same bytes as one that never stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from simulator.runs import batch, run, run_sharded
from simulator.runs.codec import CodecError, dumps, loads
from simulator.runs.kept import KeptRuns
from simulator.runs.one import run_shard
from simulator.runs.shards import split
from simulator.scenario import Scenario, load_scenario
from tests.cli.test_cli import mailsim
from tests.cli.test_shards_cli import TEAM
from tests.runs.test_shards import SEVERAL, faulty_organisations, shortened
from tests.scenarios import load, write

ROOT = Path(__file__).parents[2]


class Stop(Exception):
    """Stands for Ctrl-C in the middle of a run."""


@pytest.mark.parametrize("path", SEVERAL, ids=lambda p: p.name)
def test_a_bundled_scenarios_partial_result_reads_back_as_the_same_value(path: Path) -> None:
    """Every field of a shard's partial result (arrays, tuples, blocks, exact sums) is
    equal after a trip through the codec."""
    scenario = shortened(load_scenario(path), 2)
    people = split(scenario, 2)[0]
    part = run_shard(scenario, people)
    assert loads(dumps(part)) == part


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faulty_organisations())
def test_a_faulty_organisations_partial_results_read_back_as_the_same_values(
        scenario: Scenario) -> None:
    """With faults, further accounts and scripted events, each shard's partial result too."""
    for people in split(scenario, 2):
        part = run_shard(scenario, people)
        assert loads(dumps(part)) == part


def test_the_codec_builds_back_only_a_partial_result() -> None:
    """A file naming another class, or holding anything but a partial result, is refused:
    reading a kept shard runs no code of its own."""
    with pytest.raises(CodecError):
        loads('{"$class": "Popen", "fields": {"args": "rm -rf ~"}}')
    with pytest.raises(CodecError):
        loads('{"$tuple": [1, 2]}')
    with pytest.raises(CodecError):
        loads("[1, 2")
    with pytest.raises(TypeError, match="cannot keep a object"):
        dumps(object())  # type: ignore[arg-type]


def counting(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The shards (1-based) actually run in this process from now on."""
    ran: list[int] = []
    real = batch._run_part

    def counted(part: batch.Part, progress: batch.Progress | None = None) -> object:
        ran.append(part.shard)
        return real(part, progress)

    monkeypatch.setattr(batch, "_run_part", counted)
    return ran


def test_an_interrupted_sharded_run_resumes_with_the_same_bytes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped while its second of three shards runs, a run keeps the first; resumed, it
    runs the two others only and gives the same summary, time series and story file as an
    uninterrupted run in three shards."""
    scenario = load(TEAM)
    (tmp_path / "whole").mkdir()
    (tmp_path / "resumed").mkdir()
    whole = run_sharded(scenario, 3, keep_history=False,
                        story_file=tmp_path / "whole" / "stories.jsonl.gz")
    kept = KeptRuns.open(tmp_path / "run.unfinished")

    def stop_in_the_second(done: int, total: int, label: str) -> None:
        if label.startswith("shard 2 of 3"):
            raise Stop

    stories = tmp_path / "resumed" / "stories.jsonl.gz"
    with pytest.raises(Stop):
        run_sharded(scenario, 3, keep_history=False, story_file=stories,
                    progress=stop_in_the_second, kept=kept)
    assert len(list(kept.folder.glob("*.shard.json"))) == 1
    ran = counting(monkeypatch)
    seen: list[tuple[int, int, str]] = []
    again = run_sharded(scenario, 3, keep_history=False, story_file=stories,
                        progress=lambda *p: seen.append(p),
                        kept=KeptRuns.open(kept.folder, resume=True))
    assert ran == [2, 3] and seen[0] == (24, 72, "resumed")  # one of three shards, in hours
    assert again.summary_json() == whole.summary_json()
    assert again.timeseries_csv() == whole.timeseries_csv()
    assert stories.read_bytes() == (tmp_path / "whole" / "stories.jsonl.gz").read_bytes()


def test_kept_shards_are_reused_by_worker_processes_too(tmp_path: Path) -> None:
    """Shards kept by a run in this process are reused by one with two workers, which runs
    and keeps the rest: the same results, progress counted in shards."""
    scenario = load(TEAM)
    whole = run_sharded(scenario, 3, keep_history=False)
    kept = KeptRuns.open(tmp_path / "k")
    parts = batch._parts(batch.Task(scenario, keep="summary", shards=3))
    kept.save_shard(parts[0], batch._run_part(parts[0]))
    seen: list[tuple[int, int, str]] = []
    again = run_sharded(scenario, 3, keep_history=False, workers=2, kept=kept,
                        progress=lambda *p: seen.append(p))
    assert again.summary_json() == whole.summary_json()
    assert seen[0] == (1, 3, "resumed") and seen[-1][:2] == (3, 3)  # in shards
    assert all(kept.load_shard(p) is not None for p in parts)


def test_kept_shards_are_reused_on_a_local_dask_cluster_too(tmp_path: Path) -> None:
    """On Dask as with worker processes: the kept shard counts as done from the start, the
    others run on the cluster and are kept, and the results are the same."""
    pytest.importorskip("dask.distributed")
    scenario = load(TEAM)
    whole = run_sharded(scenario, 3, keep_history=False)
    kept = KeptRuns.open(tmp_path / "k")
    parts = batch._parts(batch.Task(scenario, keep="summary", shards=3))
    kept.save_shard(parts[1], batch._run_part(parts[1]))
    before = kept.shard_path(parts[1]).stat()
    seen: list[tuple[int, int, str]] = []
    again = run_sharded(scenario, 3, keep_history=False, workers=2, dask="local", kept=kept,
                        progress=lambda *p: seen.append(p))
    assert again.summary_json() == whole.summary_json()
    assert again.timeseries_csv() == whole.timeseries_csv()
    assert seen[0] == (1, 3, "resumed") and seen[-1][:2] == (3, 3)
    assert all(kept.load_shard(p) is not None for p in parts)
    after = kept.shard_path(parts[1]).stat()  # not written again (a write replaces the file)
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_a_kept_shard_without_its_story_file_runs_again(tmp_path: Path) -> None:
    """A shard's partial result counts only with the story file it was told from."""
    scenario = load(TEAM)
    kept = KeptRuns.open(tmp_path / "k")
    part = batch._parts(batch.Task(scenario, keep="summary", shards=2), tmp_path)[0]
    part = batch.replace(part, story_file=kept.story_path(part))
    kept.save_shard(part, batch._run_part(part))
    assert kept.load_shard(part) is not None
    part.story_file.unlink()
    assert kept.load_shard(part) is None


def test_run_resume_on_the_command_line(tmp_path: Path) -> None:
    """`mailsim run --shards 3` leaves no OUT.unfinished/ once written; kept shards are
    refused without --resume (exit 2, one line), reused with it; an unsharded run keeps
    nothing."""
    path = write(tmp_path, TEAM)
    done = mailsim("run", str(path), "--shards", "3", "--workers", "1", "--out",
                   str(tmp_path / "a"))
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "a.unfinished").exists()
    (tmp_path / "b.unfinished").mkdir()
    (tmp_path / "b.unfinished" / "0123.shard.json").write_text("{}")
    refused = mailsim("run", str(path), "--shards", "3", "--out", str(tmp_path / "b"))
    assert refused.returncode == 2 and not (tmp_path / "b").exists()
    assert refused.stderr.strip() == (
        f"{tmp_path / 'b.unfinished'}: holds the finished shards of an interrupted run; "
        "pass --resume to continue it or --force to start again")
    resumed = mailsim("run", str(path), "--shards", "3", "--out", str(tmp_path / "b"),
                      "--resume")
    assert resumed.returncode == 0, resumed.stderr
    assert (tmp_path / "b" / "summary.json").read_bytes() == (
        tmp_path / "a" / "summary.json").read_bytes()
    assert not (tmp_path / "b.unfinished").exists()
    whole = mailsim("run", str(path), "--shards", "1", "--out", str(tmp_path / "c"))
    assert whole.returncode == 0 and not (tmp_path / "c.unfinished").exists()


CRASHING = """\
mailsim: 1
name: crashing
seed: 2
duration: 42d
users:
  - name: staff
    count: 6
    mail: {receive: 40/d, send: 8/d, size: 75KB}
    habits: {check_every: 1h}
    devices:
      - {name: laptop, protocol: imap, uses: 0.6, online: {weekly: "Mon-Fri 08:00-18:00"},
         client: {poll: 10m, class: "tests.world.buggy_clients:DiesInAHelper"}}
      - {name: phone, protocol: imap, uses: 0.4, client: {cache: headers, poll: 15m}}
"""
"""Six people whose laptops' client kills any helper process it runs in; a shard (one
person, 42 days) takes long enough that a helper is up before this process is done."""


def test_a_worker_that_dies_leaves_the_finished_shards_to_resume(tmp_path: Path) -> None:
    """A helper process that dies mid-run (here a client kills it) stops `run` with exit 2,
    naming the shard, without a traceback, and saying how to go on; what finished stays
    whole (no story file without its shard, no scrap of a write), and `--resume` finishes
    the run with the summary a run that never stopped writes."""
    path = write(tmp_path, CRASHING)
    out, kept = tmp_path / "out", tmp_path / "out.unfinished"
    died = mailsim("run", str(path), "--shards", "6", "--workers", "2", "--out", str(out),
                   cwd=ROOT)
    assert died.returncode == 2, died.stderr
    assert "a worker process died running shard" in died.stderr
    assert "Traceback" not in died.stderr and "--resume" in died.stderr
    assert not out.exists()
    shards = sorted(p.name[:-len(".shard.json")] for p in kept.glob("*.shard.json"))
    stories = sorted(p.name[:-len(".stories.jsonl.gz")] for p in kept.glob("*.stories.jsonl.gz"))
    assert shards and stories == shards and not list(kept.glob(".*"))
    resumed = mailsim("run", str(path), "--shards", "6", "--workers", "1", "--out", str(out),
                      "--resume", cwd=ROOT)
    assert resumed.returncode == 0, resumed.stderr
    assert not kept.exists()
    whole = run(load_scenario(path))
    assert (out / "summary.json").read_text() == whole.summary_json()
