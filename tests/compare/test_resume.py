"""An interrupted comparison resumes: the runs it finished are kept beside its folder,
`--resume` reuses them and runs only the rest, and the folder it writes is the same, byte
for byte, as an uninterrupted comparison's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from simulator.analysis import Comparison, compare
from simulator.cli import app
from simulator.runs import batch
from simulator.runs.kept import KeptRuns
from simulator.scenario import parse_scenario
from tests.cli.test_shards_cli import TEAM
from tests.compare.helpers import TINY, tiny

runner = CliRunner()


class Stop(Exception):
    """Stands for Ctrl-C in the middle of a batch."""


def folder_bytes(folder: Path) -> dict[str, bytes]:
    """Every file of a folder by its relative path."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def rendered_from(c: Comparison) -> tuple[str, dict[str, tuple[str, str]]]:
    """What a comparison folder is rendered from: comparison.json's text and each variant's
    summary.json and timeseries.csv."""
    return c.to_json(), {v: (r.summary_json(), r.timeseries_csv()) for v, r in c.results.items()}


def named(piece: batch.Piece) -> str:
    """A run's label, or a shard's description."""
    return piece.describe() if isinstance(piece, batch.Part) else piece.label


def counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The runs and shards actually run from now on."""
    ran: list[str] = []
    real = batch.run_piece

    def counted(piece: batch.Piece) -> object:
        ran.append(named(piece))
        return real(piece)

    monkeypatch.setattr(batch, "run_piece", counted)
    return ran


def test_an_interrupted_comparison_resumes_with_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped after 4 of 10 runs, then resumed: only the 6 others run, and the comparison
    folder is byte-identical to one written without a stop."""
    scenario = tiny()
    whole = rendered_from(compare(scenario, replications=2))
    kept = KeptRuns.open(tmp_path / "cmp.unfinished")

    def stop_after_four(done: int, total: int, label: str) -> None:
        if done == 4:
            raise Stop

    with pytest.raises(Stop):
        compare(scenario, replications=2, progress=stop_after_four, kept=kept)
    assert len(list(kept.folder.glob("*.json"))) == 4
    ran = counting(monkeypatch)
    again = compare(scenario, replications=2, kept=KeptRuns.open(kept.folder, resume=True))
    assert len(ran) == 6
    assert rendered_from(again) == whole


def test_auto_replications_resume_batch_by_batch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With --replications auto every batch's runs are kept, so a finished comparison can be
    rebuilt from its kept runs alone, reaching the same decision with nothing run."""
    scenario = tiny()
    kept = KeptRuns.open(tmp_path / "auto.unfinished")
    first = compare(scenario, ["pop3", "imap"], replications="auto", max_replications=12,
                    kept=kept)
    assert len(list(kept.folder.glob("*.json"))) == 2 * len(first.seeds)
    ran = counting(monkeypatch)
    again = compare(scenario, ["pop3", "imap"], replications="auto", max_replications=12,
                    kept=kept)
    assert ran == []
    assert rendered_from(again) == rendered_from(first)


def test_the_command_keeps_runs_beside_the_folder_until_it_is_written(tmp_path: Path) -> None:
    """While it runs, finished runs live in OUT.unfinished/; once the comparison is written
    that folder is gone. Kept runs are refused without --resume (exit 2, nothing written),
    reused with it, and thrown away with --force."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(extra=""))

    def compare_into(name: str, *more: str) -> Result:
        return runner.invoke(app, ["compare", str(path), "--variants", "pop3,imap",
                                   "--replications", "2", "--workers", "1",
                                   "--out", str(tmp_path / name), *more])

    assert compare_into("cmp").exit_code == 0
    assert (tmp_path / "cmp").is_dir() and not (tmp_path / "cmp.unfinished").exists()
    written = folder_bytes(tmp_path / "cmp")
    for name in ("again", "anew"):
        (tmp_path / f"{name}.unfinished").mkdir()
        (tmp_path / f"{name}.unfinished" / "0123.json").write_text("{}")
    refused = compare_into("again")
    assert refused.exit_code == 2 and not (tmp_path / "again").exists()
    assert refused.output.strip() == (
        f"{tmp_path / 'again.unfinished'}: holds the finished runs of an interrupted "
        "comparison; pass --resume to continue it or --force to start again")
    assert (tmp_path / "again.unfinished" / "0123.json").exists()
    assert compare_into("again", "--resume").exit_code == 0
    assert compare_into("anew", "--force").exit_code == 0
    for name in ("again", "anew"):
        assert folder_bytes(tmp_path / name) == written
        assert not (tmp_path / f"{name}.unfinished").exists()


def _ctrl_c_stops() -> None:
    """In the command's process: SIGINT takes its default action, which Python turns into
    KeyboardInterrupt (a suite started as a background job would pass it on ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_then_resume_writes_what_one_go_writes(tmp_path: Path) -> None:
    """The real thing: SIGINT to `mailsim compare` once it has kept a run leaves no
    comparison folder, the kept runs and a line saying how to go on (exit 130, no
    traceback); `--resume` finishes it, and its folder equals the
    one written in one go."""
    path = tmp_path / "month.yaml"
    text = TINY.format(extra="").replace("duration: 2d", "duration: 6d")
    path.write_text(text)
    out, unfinished = tmp_path / "cmp", tmp_path / "cmp.unfinished"
    args = [sys.executable, "-m", "simulator", "compare", str(path), "--replications", "3",
            "--workers", "1", "--out", str(out)]
    started = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, preexec_fn=_ctrl_c_stops)
    deadline = time.monotonic() + 120
    while not list(unfinished.glob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(started.pid, signal.SIGINT)
    _, stderr = started.communicate(timeout=120)
    assert started.returncode == 130, (started.returncode, stderr)
    assert "Traceback" not in stderr
    assert stderr.strip().endswith(
        f"interrupted\n{unfinished}: what finished is kept there; the same command with "
        "--resume goes on from there")
    assert not out.exists() and list(unfinished.glob("*.json"))
    resumed = subprocess.run([*args, "--resume"], capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert not unfinished.exists()
    one_go = compare(parse_scenario(text, str(path)), replications=3)
    assert (out / "comparison.json").read_text() == one_go.to_json()
    for variant, (summary, series) in rendered_from(one_go)[1].items():
        assert (out / variant / "summary.json").read_text() == summary
        assert (out / variant / "timeseries.csv").read_text() == series


def test_a_comparison_stopped_inside_a_sharded_run_resumes_from_its_shards(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With runs split into shards, each finished shard is kept too, until its run is:
    stopped while the first run's second shard runs, the comparison resumes from the first
    shard (it does not run again), and the result is the one without a stop."""
    scenario = parse_scenario(TEAM, "<team>")
    whole = rendered_from(compare(scenario, ["pop3", "imap"], replications=2, shards=3))
    kept = KeptRuns.open(tmp_path / "cmp.unfinished")
    real = batch.run_piece
    started: list[str] = []

    def stop_in_the_second_shard(piece: batch.Piece) -> object:
        started.append(named(piece))
        if len(started) == 2:
            raise Stop
        return real(piece)

    monkeypatch.setattr(batch, "run_piece", stop_in_the_second_shard)
    with pytest.raises(Stop):
        compare(scenario, ["pop3", "imap"], replications=2, shards=3, kept=kept)
    assert len(list(kept.folder.glob("*.shard.json"))) == 1
    ran = counting(monkeypatch)
    again = compare(scenario, ["pop3", "imap"], replications=2, shards=3, kept=kept)
    assert len(ran) == 4 * 3 - 1
    assert rendered_from(again) == whole
    assert len(list(kept.folder.glob("*.json"))) == 4  # the runs; their shards let go
