"""``--shards N`` on run, compare and sweep: every file of the results folder is the same,
byte for byte, as without it — except that within one instant the story file may list
different people's records in another order (the same records, instant by instant); a shard
count below 1 is bad input (exit 2), and so is a worker that dies."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from itertools import groupby
from pathlib import Path

from tests.cli.test_cli import mailsim
from tests.scenarios import write

TEAM = """\
mailsim: 1
name: team
seed: 4
duration: 1d
networks:
  lan: {latency: 5ms, bandwidth: 100Mbit}
users:
  - name: staff
    count: 3
    mail: {receive: 40/d, send: 5/d, size: 50KB}
    habits: {check_every: 1h, delete: 0.2, archive: 0.2, flag: 0.1, reply: 0.1}
    devices:
      - {name: laptop, protocol: pop3, client: {leave_on_server: true}, network: lan, uses: 0.5}
      - {name: phone, protocol: imap, client: {cache: headers}, network: lan, uses: 0.5}
events:
  - {at: 10h, lose: staff-02/phone}
  - {at: 16h, server: uidvalidity-reset}
"""


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by its relative path, with its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def instants(story_file: bytes) -> list[tuple[float, list[str]]]:
    """The story file's records instant by instant: (t, the instant's lines, sorted)."""
    lines = gzip.decompress(story_file).decode().splitlines()
    return [(t, sorted(group)) for t, group in groupby(lines, key=lambda x: json.loads(x)["t"])]


def same_folder(sharded: dict[str, bytes], whole: dict[str, bytes]) -> None:
    """Every file identical, the story file instant by instant."""
    assert sharded.keys() == whole.keys()
    for name, data in whole.items():
        if name.endswith("stories.jsonl.gz"):
            assert instants(sharded[name]) == instants(data)
        else:
            assert sharded[name] == data, name


def test_run_with_shards_writes_the_same_folder(tmp_path: Path) -> None:
    """`run --shards 3` (inline) and `run --shards 2 --workers 2` write the folder an
    unsharded run writes (the story file the same instant by instant)."""
    path = write(tmp_path, TEAM)
    whole = mailsim("run", str(path), "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    for name, extra in (("three", ["--shards", "3"]), ("two", ["--shards", "2", "--workers", "2"])):
        sharded = mailsim("run", str(path), "--out", str(tmp_path / name), *extra)
        assert sharded.returncode == 0, sharded.stderr
        same_folder(files(tmp_path / name), files(tmp_path / "whole"))
        assert sharded.stdout.replace(name, "whole") == whole.stdout


def test_compare_and_sweep_with_shards_write_the_same_folders(tmp_path: Path) -> None:
    """A comparison and a sweep with --shards 2 write the same files as without."""
    path = write(tmp_path, TEAM)
    for shards in ("1", "2"):
        compared = mailsim("compare", str(path), "--variants", "pop3,imap", "--replications",
                           "1", "--shards", shards, "--out", str(tmp_path / f"c{shards}"))
        assert compared.returncode == 0, compared.stderr
        swept = mailsim("sweep", str(path), "--grid", "variant=pop3,imap", "--replications",
                        "1", "--shards", shards, "--out", str(tmp_path / f"s{shards}"))
        assert swept.returncode == 0, swept.stderr
    assert files(tmp_path / "c2") == files(tmp_path / "c1")
    assert files(tmp_path / "s2") == files(tmp_path / "s1")


def test_a_shard_count_below_one_is_bad_input(tmp_path: Path) -> None:
    """--shards 0 (or a word other than auto) is refused with a one-line message naming
    what it takes, exit 2, no traceback."""
    for bad in ("0", "many"):
        done = mailsim("run", str(write(tmp_path, TEAM)), "--shards", bad)
        assert done.returncode == 2
        assert "--shards" in done.stderr and "or auto" in done.stderr
        assert "Traceback" not in done.stderr


SMALL_SHARDS = """\
import sys
import simulator.runs.shards
from simulator.cli import main

simulator.runs.shards.SHARD_DEVICE_DAYS = 2.0  # TEAM's 6 device-days: 3 shards
sys.argv = ["mailsim", *sys.argv[1:]]
main()
"""


def test_auto_shards_write_the_same_folder(tmp_path: Path) -> None:
    """The default, --shards auto, splits an organisation bigger than a shard's device-days
    into shards (here 3, with the budget made tiny) and writes the folder --shards 1 writes;
    compare does too."""
    path = write(tmp_path, TEAM)

    def auto(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", SMALL_SHARDS, *args],
                              capture_output=True, text=True, timeout=300)

    whole = mailsim("run", str(path), "--shards", "1", "--out", str(tmp_path / "whole"))
    sharded = auto("run", str(path), "--out", str(tmp_path / "auto"))
    assert whole.returncode == 0 and sharded.returncode == 0, sharded.stderr
    assert "shard 3" in sharded.stderr  # the progress names the shards
    same_folder(files(tmp_path / "auto"), files(tmp_path / "whole"))
    args = ["--variants", "pop3,imap", "--replications", "1"]
    assert mailsim("compare", str(path), *args, "--shards", "1", "--out",
                   str(tmp_path / "c1")).returncode == 0
    assert auto("compare", str(path), *args, "--out", str(tmp_path / "c-auto")).returncode == 0
    assert files(tmp_path / "c-auto") == files(tmp_path / "c1")


DIES = """\
import sys
import simulator.runs
from simulator.cli import main
from simulator.runs import WorkerDied

def died(*args, **kwargs):
    raise WorkerDied("a worker process died running shard 2 of 2 (staff-03) of team")

simulator.runs.run_sharded = died
sys.argv = ["mailsim", "run", sys.argv[1], "--shards", "2", "--workers", "2", "--out",
            sys.argv[2]]
main()
"""


def test_a_dead_worker_is_a_clear_error_without_a_traceback(tmp_path: Path) -> None:
    """When a worker dies, `run` says which shard of which task, exits 2 without a
    traceback, and leaves no results folder (nor anything half-written)."""
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", DIES, str(write(tmp_path, TEAM)), str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2
    assert "died running shard 2 of 2 (staff-03) of team" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not out.exists() and [p.name for p in tmp_path.iterdir()] == ["s.yaml"]
