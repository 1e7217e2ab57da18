"""``mailsim run`` streams the story file into the results folder (stories.jsonl.gz), and
``--no-history`` keeps nothing of it on disk; summary.json is the same either way."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simulator.observe.storyfile import records
from tests.scenarios import two_devices, write

GOOD = two_devices("pop3", "{leave_on_server: false}", days=2)


def mailsim(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real command in a subprocess, as a user would."""
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True,
                          text=True, timeout=300)


def test_run_keeps_the_story_file_unless_told_not_to(tmp_path: Path) -> None:
    """The folder holds a story file of the run's message records; with --no-history it
    holds none, and every other file is byte-identical."""
    scenario = write(tmp_path, GOOD)
    kept, bare = tmp_path / "kept", tmp_path / "bare"
    assert mailsim("run", str(scenario), "--out", str(kept)).returncode == 0
    done = mailsim("run", str(scenario), "--out", str(bare), "--no-history")
    assert done.returncode == 0, done.stderr
    stories = list(records(kept / "stories.jsonl.gz"))
    assert {"deliver", "view"} <= {r.kind for r in stories}
    assert sorted(p.name for p in kept.iterdir()) == sorted(
        [p.name for p in bare.iterdir()] + ["stories.jsonl.gz"])
    for name in ("summary.json", "timeseries.csv", "report.md", "report.html"):
        assert (kept / name).read_bytes() == (bare / name).read_bytes(), name
