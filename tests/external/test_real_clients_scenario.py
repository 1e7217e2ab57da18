"""scenarios/examples/real-clients.yaml (the study of real clients, docs/real-clients.md)
runs on Dovecot with its real programs: cut to its first hours here, since the whole run
takes minutes (docs/real_clients.py runs it whole, once per program and setting)."""

from __future__ import annotations

from pathlib import Path

from simulator.observe.history import ProgramRun
from simulator.runs import run
from simulator.scenario import load_scenario
from tests.external.imap_account import require

SCENARIO = Path(__file__).parents[2] / "scenarios" / "examples" / "real-clients.yaml"


def test_the_first_hours_of_the_study_run_with_mbsync_and_getmail() -> None:
    """Its first 4 hours give a valid verdict; mbsync ran on the laptop and getmail on the
    desktop at their polls (a run each 20 and 30 min), and each program's log is kept."""
    require("mbsync", "isync")
    require("getmail", "getmail6")
    scenario = load_scenario(SCENARIO)
    assert scenario.server.backend == "dovecot"
    results = run(scenario.model_copy(update={"duration": 4 * 3600.0, "quiet": 0.0}))
    assert results.summary["verdict"]["valid"], results.summary["verdict"]
    assert results.history is not None
    runs = list(results.history.every(ProgramRun))
    by_device = {(r.device, r.program) for r in runs}
    assert by_device == {("ann/laptop", "mbsync"), ("ann/desktop", "getmail")}
    assert sum(1 for r in runs if r.device == "ann/laptop") >= 10
    assert sum(1 for r in runs if r.device == "ann/desktop") >= 7
    assert {"mbsync-ann--laptop.log", "getmail-ann--desktop.log"} <= set(results.logs)
    assert "[exit 0]" in results.logs["getmail-ann--desktop.log"]
