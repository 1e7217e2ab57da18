"""SIGTERM (a batch system's time limit, ``kill``) stops a command as Ctrl-C does: the
helper processes are ended with it, only whole shards stay kept, a line says how to go on
(exit 143), and ``--resume`` writes what one go writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.cli.test_shards_cli import TEAM, files

ORGANISATION = TEAM.replace("count: 3", "count: 24").replace("duration: 1d", "duration: 14d")
"""The team of the sharding tests, larger and longer, so that a run outlasts its first
shard."""


def _helpers(pid: int) -> list[int]:
    """The helper processes ``pid`` runs (its spawned children; not multiprocessing's
    resource tracker, which ends on its own once its parent has gone), from Linux's /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            spawned = b"spawn_main" in (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == pid and spawned:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, ended and not yet reaped, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def test_sigterm_stops_a_sharded_run_with_its_helpers_and_resume_finishes_it(
        tmp_path: Path) -> None:
    """SIGTERM once a shard is kept: exit 143 with "terminated" and the --resume line, no
    traceback, no results folder, no helper left running, every kept story file with its
    shard; --resume then writes the folder one go writes, byte for byte."""
    path = tmp_path / "org.yaml"
    path.write_text(ORGANISATION)
    out, unfinished = tmp_path / "out", tmp_path / "out.unfinished"
    args = [sys.executable, "-m", "simulator", "run", str(path), "--shards", "12",
            "--workers", "2", "--out"]
    started = subprocess.Popen([*args, str(out)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not list(unfinished.glob("*.shard.json")) and time.monotonic() < deadline:
        time.sleep(0.02)
    helpers = _helpers(started.pid)
    os.kill(started.pid, signal.SIGTERM)
    _, stderr = started.communicate(timeout=120)
    assert started.returncode == 143, f"finished before it could be stopped: {stderr}"
    assert "Traceback" not in stderr
    assert stderr.strip().endswith(
        f"terminated\n{unfinished}: what finished is kept there; the same command with "
        "--resume goes on from there")
    assert not out.exists()
    assert helpers and not [pid for pid in helpers if _alive(pid)]
    shards = {p.name.removesuffix(".shard.json") for p in unfinished.glob("*.shard.json")}
    stories = {p.name.removesuffix(".stories.jsonl.gz")
               for p in unfinished.glob("*.stories.jsonl.gz")}
    assert shards and stories == shards
    resumed = subprocess.run([*args, str(out), "--resume"], capture_output=True, text=True,
                             timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    whole = subprocess.run([*args, str(tmp_path / "whole")], capture_output=True, text=True,
                           timeout=300)
    assert whole.returncode == 0, whole.stderr
    assert files(out) == files(tmp_path / "whole") and not unfinished.exists()
