"""A file the operating system refuses to write (a full disk) ends a command with one line
naming the file and the reason, exit 2 and no traceback; nothing half-written is left, and
what finished before is kept for ``--resume``."""

from __future__ import annotations

import errno
import gzip
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simulator.cli
import simulator.folders
from simulator.cli import app, os_problem
from tests.cli.test_shards_cli import TEAM, files
from tests.scenarios import write

runner = CliRunner()
FULL = "No space left on device"


def _full_disk_from_the_second_story_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """Writing any story file but the first one opened fails as on a full disk (the OS
    error names no file, as a failed write's does not)."""
    real = gzip.GzipFile.write
    seen: list[str] = []

    def write(self: gzip.GzipFile, data: Any) -> int:
        name = getattr(self.fileobj, "name", None)
        if isinstance(name, str) and name.endswith("stories.jsonl.gz"):
            if name not in seen:
                seen.append(name)
            if seen.index(name) > 0:
                raise OSError(errno.ENOSPC, FULL)
        return real(self, data)

    monkeypatch.setattr(gzip.GzipFile, "write", write)


def _open_files() -> list[str]:
    """The files this process holds open (Linux)."""
    fds = Path("/proc/self/fd")
    return [os.readlink(fd) for fd in fds.iterdir() if fd.exists()]


def test_a_full_disk_under_a_sharded_run_names_the_file_and_keeps_what_finished(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second shard's story file cannot be written: the run stops with the file's name
    and the reason, lets go of that file, keeps the first shard, and ``--resume`` then
    writes the same folder as a run that never stopped."""
    scenario = str(write(tmp_path, TEAM))
    out = tmp_path / "out"
    args = ["run", scenario, "--shards", "2", "--workers", "1", "--out"]
    with monkeypatch.context() as patch:
        _full_disk_from_the_second_story_file(patch)
        stopped = runner.invoke(app, [*args, str(out)])
    assert stopped.exit_code == 2
    first, *rest = stopped.stderr.strip().splitlines()[-2:]
    assert first.startswith(f"{out}.unfinished/") and first.endswith(
        f".stories.jsonl.gz: {FULL}"), stopped.stderr
    assert rest == [f"{out}.unfinished: what finished is kept there; the same command with "
                    "--resume goes on from there"]
    assert "Traceback" not in stopped.output and not out.exists()
    assert not [f for f in _open_files() if f.startswith(str(out))]  # the stopped shard's
    assert runner.invoke(app, [*args, str(out), "--resume"]).exit_code == 0
    assert runner.invoke(app, [*args, str(tmp_path / "whole")]).exit_code == 0
    assert files(out) == files(tmp_path / "whole")


def test_a_full_disk_while_the_results_are_written_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Copying the story file into the results fails: the command names the file it
    wrote to and the reason, and neither the folder nor its staging copy is left."""
    scenario = str(write(tmp_path, TEAM))

    def copy(src: Path, dst: Path) -> None:
        raise OSError(errno.ENOSPC, FULL, str(src), None, str(dst))

    monkeypatch.setattr(simulator.folders.shutil, "copyfile", copy)
    stopped = runner.invoke(app, ["run", scenario, "--out", str(tmp_path / "out")])
    assert stopped.exit_code == 2
    line = stopped.stderr.strip().splitlines()[-1]
    assert line.startswith(f"{tmp_path}/.out.") and line.endswith(f"/stories.jsonl.gz: {FULL}")
    assert "Traceback" not in stopped.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


def test_any_command_refused_a_file_says_which_in_one_line(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """An OS error no command handles itself still ends in "mailsim: <file>: <reason>",
    exit 2, not a traceback."""
    def refused() -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/srv/results/report.md")

    monkeypatch.setattr(simulator.cli, "app", refused)
    with pytest.raises(SystemExit) as stop:
        simulator.cli.main()
    assert stop.value.code == 2
    assert capsys.readouterr().err == "mailsim: /srv/results/report.md: Permission denied\n"


def test_an_os_error_is_told_by_the_file_written_to_found_through_its_causes() -> None:
    """A copy names its destination; an error re-raised without its file name (SimPy
    re-raises a process's error anew) is named by the error it came from; an error that
    names no file is its reason alone."""
    assert os_problem(OSError(errno.ENOSPC, FULL, "/a", None, "/b")) == f"/b: {FULL}"
    named = OSError(errno.ENOSPC, FULL, "/x/stories.jsonl.gz")
    anew = OSError(errno.ENOSPC, FULL)
    anew.__cause__ = OSError(errno.ENOSPC, FULL)
    anew.__cause__.__cause__ = named
    assert os_problem(anew) == f"/x/stories.jsonl.gz: {FULL}"
    assert os_problem(OSError(errno.ENOSPC, FULL)) == FULL
