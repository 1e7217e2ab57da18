"""Users plug their own client class in by name (``client: {class: module:Class}``), and
mailsim's checkers catch the mail it duplicates or the rules it breaks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simulator.runs import run
from simulator.world.world import SimulationError
from tests.scenarios import load, two_devices, write

ROOT = Path(__file__).parents[2]


def test_an_injected_client_that_forgets_uidls_shows_duplicates() -> None:
    """A POP3 client that forgets which messages it downloaded shows them twice."""
    text = two_devices("pop3", "{leave_on_server: true, class: 'tests.world.buggy_clients:"
                               "ForgetfulPop3'}", days=2)
    anomalies = run(load(text)).summary["consistency"]["anomalies"]
    assert anomalies["duplicate"] > 10


def test_the_builtin_client_with_the_same_settings_shows_none() -> None:
    """The built-in POP3 client with the same settings never duplicates."""
    text = two_devices("pop3", "{leave_on_server: true}", days=2)
    assert run(load(text)).summary["consistency"]["anomalies"]["duplicate"] == 0


def test_a_client_that_breaks_the_protocol_makes_the_verdict_false_and_exit_1(
        tmp_path: Path) -> None:
    """An unknown command is a protocol violation: verdict false, `mailsim run` exits 1."""
    text = two_devices("imap", "{class: 'tests.world.buggy_clients:RudeImap'}", days=1)
    results = run(load(text))
    assert not results.valid
    assert any("xyzzy" in v for v in results.summary["verdict"]["violations"])
    done = subprocess.run([sys.executable, "-m", "simulator", "run", str(write(tmp_path, text)),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 1, done.stderr
    assert "xyzzy" in done.stderr


def test_a_client_class_that_cannot_be_loaded_is_reported() -> None:
    """A wrong class path is a clear error naming the device and the class."""
    text = two_devices("imap", "{class: 'tests.world.buggy_clients:Nope'}", days=1)
    with pytest.raises(SimulationError, match=r"ann/laptop.*Nope"):
        run(load(text))


def test_a_client_of_the_wrong_protocol_is_reported() -> None:
    """An IMAP client class on a POP3 device is refused."""
    text = two_devices("pop3", "{class: 'tests.world.buggy_clients:RudeImap'}", days=1)
    with pytest.raises(SimulationError, match="speaks imap"):
        run(load(text))
