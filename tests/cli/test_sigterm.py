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

from tests.cli.test_shards_cli import files

ORGANISATION = """\
mailsim: 1
name: sigterm
seed: 2
duration: 14d
networks:
  office: {latency: 5ms, bandwidth: 100Mbit}
users:
  - name: staff
    count: 24
    mail: {receive: 40/d, send: 8/d, size: 75KB}
    habits: {check_every: 1h, delete: 0.1, archive: 0.2, flag: 0.1}
    devices:
      - {name: laptop, protocol: imap, client: {cache: full, idle: true}, network: office,
         uses: 0.6}
      - {name: home, protocol: pop3, client: {leave_on_server: true, delete_after: 7d},
         uses: 0.4}
"""


def _children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[1]) == pid:
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
    helpers = _children(started.pid)
    os.kill(started.pid, signal.SIGTERM)
    _, stderr = started.communicate(timeout=120)
    assert started.returncode == 143, f"finished before it could be stopped: {stderr}"
    assert "Traceback" not in stderr
    assert stderr.strip().endswith(
        f"terminated\n{unfinished}: what finished is kept there; the same command with "
        "--resume goes on from there")
    assert not out.exists()
    assert not [pid for pid in helpers if _alive(pid)]
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
