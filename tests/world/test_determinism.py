"""Determinism: the same scenario and seed give byte-identical results, whoever runs them."""

from __future__ import annotations

import subprocess
import sys

from simulator.runs import run
from tests.scenarios import load, two_devices

TEXT = two_devices("imap", "{cache: headers, idle: false, poll: 10m}", send="5/d", days=4)


def test_same_scenario_and_seed_give_byte_identical_summary_and_timeseries() -> None:
    """Two runs in one process produce the same summary.json and timeseries.csv bytes."""
    first, second = run(load(TEXT)), run(load(TEXT))
    assert first.summary_json() == second.summary_json()
    assert first.timeseries_csv() == second.timeseries_csv()


def test_a_different_seed_gives_different_results() -> None:
    """The seed matters: another seed is another history."""
    assert run(load(TEXT), seed=1).summary_json() != run(load(TEXT), seed=2).summary_json()


def test_another_process_with_another_hash_seed_gives_the_same_bytes() -> None:
    """A fresh interpreter with a different PYTHONHASHSEED writes the same summary.json."""
    here = run(load(TEXT)).summary_json()
    code = ("import sys; from simulator.runs import run; from simulator.scenario import "
            f"parse_scenario; sys.stdout.write(run(parse_scenario({TEXT!r}, '<test>'))"
            ".summary_json())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={"PYTHONHASHSEED": "12345", "PATH": "/usr/bin"})
    assert other.stdout == here


def test_keeping_the_history_or_not_gives_the_same_summary() -> None:
    """Anomaly stories come from the run, not from whether its history was kept, so
    summary.json is identical either way (compare and sweep keep no history)."""
    from pathlib import Path

    faults = Path(__file__).parents[2] / "scenarios" / "faults.yaml"
    kept = run(faults).summary_json()
    assert kept == run(faults, keep_history=False).summary_json()
    assert '"story": null' not in kept and '"story": "' in kept
