"""A stop signal stops a command even when Python loses its KeyboardInterrupt: raised inside
a finalizer, Python prints it and carries on, so the handlers remember the signal and the
commands check for it at each step of their progress and before they write."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator import stops
from simulator.cli import app
from tests.compare.helpers import TINY

_CHILD = """
import gc, os, signal, sys, time
from simulator import stops

class Finalized:
    def __del__(self):
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))
        time.sleep(0.05)  # the handler runs here, inside the finalizer

signal.signal(signal.SIGINT, signal.default_int_handler)
stops.install()
Finalized()
print("went on", flush=True)
try:
    stops.check()
except KeyboardInterrupt as stop:
    print(type(stop).__name__, flush=True)
"""


@pytest.mark.parametrize(("sent", "raised"), [("SIGINT", "KeyboardInterrupt"),
                                              ("SIGTERM", "Terminated")])
def test_a_stop_lost_in_a_finalizer_is_raised_at_the_next_check(sent: str,
                                                                 raised: str) -> None:
    """Python prints the KeyboardInterrupt a finalizer raised and carries on; the next
    check raises it again (Terminated for SIGTERM)."""
    done = subprocess.run([sys.executable, "-c", _CHILD, sent], capture_output=True,
                          text=True, timeout=60)
    assert done.stdout == f"went on\n{raised}\n"
    assert "Exception ignored" in done.stderr


def test_an_ignored_ctrl_c_stays_ignored() -> None:
    """A command started with SIGINT ignored (a background job) leaves it ignored."""
    probe = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
             "from simulator import stops\nstops.install()\n"
             "print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout == "True\n"


def test_a_progress_step_checks_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a stop came, a checked progress step raises before it draws anything."""
    drawn: list[int] = []
    step = stops.checked(lambda done, total, label: drawn.append(done))
    step(1, 3, "a")
    monkeypatch.setattr(stops, "_CAME", [signal.SIGINT])
    with pytest.raises(KeyboardInterrupt):
        step(2, 3, "b")
    assert drawn == [1]


@pytest.mark.parametrize("command", ["run", "compare"])
def test_a_lost_stop_ends_the_command_with_nothing_written(
        command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` and `compare` that got a stop whose KeyboardInterrupt was lost end as on Ctrl-C
    (exit 130, "interrupted") and write no results folder."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(extra=""))
    monkeypatch.setattr(stops, "_CAME", [signal.SIGINT])
    out = tmp_path / "out"
    done = CliRunner().invoke(app, [command, str(path), "--workers", "1", "--out", str(out)])
    assert done.exit_code == 130, done.output
    assert "\ninterrupted\n" in f"\n{done.output}"
    assert not out.exists()
