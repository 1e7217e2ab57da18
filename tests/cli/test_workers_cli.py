"""``--workers``: a whole number, or ``auto`` (the default of run, compare, sweep and claims),
one process per core this process may use; anything else is bad input (exit 2). The number
of processes never changes what a command writes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simulator.analysis.comparison
import simulator.cli
from simulator.cli import app, usable_cores
from tests.cli.test_cli import mailsim
from tests.cli.test_shards_cli import TEAM
from tests.scenarios import write

runner = CliRunner()


def test_usable_cores_are_the_affinity_of_this_process(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    """`auto` counts the cores the process may run on (a container or `taskset` may allow
    fewer than the machine has), at least 1."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert usable_cores() == 3
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(), raising=False)
    assert usable_cores() == 1


@pytest.mark.parametrize("command", ["run", "compare", "sweep", "claims"])
def test_a_worker_count_below_one_is_bad_input(tmp_path: Path, command: str) -> None:
    """--workers 0 (or a word other than auto) is refused with one line naming what it
    takes, exit 2, no traceback, and nothing written."""
    scenario = str(write(tmp_path, TEAM))
    extra = {"run": [scenario], "compare": [scenario],
             "sweep": [scenario, "--grid", "seed=1,2"], "claims": ["--out", "claims.md"]}
    for bad in ("0", "many"):
        done = mailsim(command, *extra[command], "--workers", bad, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.strip().splitlines() == [
            f"--workers: expected a whole number at least 1, or auto; got {bad!r}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_compare_uses_every_usable_core_by_default(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --workers, compare runs on as many processes as there are usable cores;
    --workers N asks for N."""
    asked: list[int] = []
    real = simulator.analysis.comparison.compare

    def spy(*args: Any, **kwargs: Any) -> Any:
        asked.append(args[4])
        return real(*args[:4], 1, *args[5:], **kwargs)

    monkeypatch.setattr(simulator.analysis.comparison, "compare", spy)
    monkeypatch.setattr(simulator.cli, "usable_cores", lambda: 3)
    scenario = str(write(tmp_path, TEAM))
    for extra in ([], ["--workers", "2"]):
        result = runner.invoke(app, ["compare", scenario, "--variants", "pop3",
                                     "--replications", "1", "--force",
                                     "--out", str(tmp_path / "cmp"), *extra])
        assert result.exit_code == 0, result.output
    assert asked == [3, 2]


def test_auto_workers_write_what_one_process_writes(tmp_path: Path) -> None:
    """`compare` with the default workers writes the same comparison.json as with
    --workers 1. (These runs are short: whether a helper takes one depends on timing, so
    tests/runs/test_batch.py checks helpers' outputs; this checks the default's path.)"""
    scenario = str(write(tmp_path, TEAM))
    for name, extra in (("one", ["--workers", "1"]), ("auto", [])):
        done = mailsim("compare", scenario, "--variants", "pop3,imap", "--replications", "2",
                       "--out", str(tmp_path / name), *extra)
        assert done.returncode == 0, done.stderr
    one = (tmp_path / "one" / "comparison.json").read_text()
    assert (tmp_path / "auto" / "comparison.json").read_text() == one
