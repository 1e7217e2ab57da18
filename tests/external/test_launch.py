"""Running a program once: the timeout ends the whole process group, and every run's output
is appended to the program's log in the scratch folder."""

from __future__ import annotations

from pathlib import Path

from simulator.external import launch


def test_timeout_kills_the_run_and_is_reported(tmp_path: Path) -> None:
    """A program that outlives the timeout is stopped (SIGTERM to its group) and reported
    as timed out, not ok, with no tunnel counts (it never connected)."""
    result = launch.run("sleeper", ["sh", "-c", "echo started; sleep 30"], tmp_path, 0.5)
    assert result.timed_out and not result.ok and result.seconds < 10
    assert result.commands == 0 and not result.cut
    log = (tmp_path / "sleeper.log").read_text()
    assert "started" in log and "[timed out]" in log


def test_each_run_is_appended_to_the_log(tmp_path: Path) -> None:
    """Two runs leave two entries, each with its exit status; HOME is the scratch folder."""
    launch.run("echoer", ["sh", "-c", 'echo "home=$HOME"; exit 3'], tmp_path, 5.0)
    second = launch.run("echoer", ["sh", "-c", "echo again"], tmp_path, 5.0)
    assert second.ok and second.log == "again\n"
    log = (tmp_path / "echoer.log").read_text()
    assert f"home={tmp_path}" in log and "[exit 3]" in log and log.count("$ sh -c") == 2
