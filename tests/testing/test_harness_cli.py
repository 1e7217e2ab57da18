"""``mailsim hunt`` and ``mailsim drops``: on success they say how much was tried (exit 0,
nothing written by hunt); on failure they leave, in the chosen folder only, the failing
scenario (runnable with ``mailsim run``), its report.html and an explanation (exit 1);
the same seed gives the same hunt; existing folders are kept without --force; bad options
exit 2 without a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).parents[2]
RUDE = "tests.world.buggy_clients:RudeImap"
BLIND = "examples.blind_append:BlindAppend"


def mailsim(*args: str) -> subprocess.CompletedProcess[str]:
    """The real command, run from the checkout (where the example clients import)."""
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=600)


def test_a_hunt_that_holds_says_what_it_tried_and_writes_nothing(tmp_path: Path) -> None:
    """The built-in client converges on every scenario: exit 0, a count of scenarios and
    faults with the seed, and no folder."""
    done = mailsim("hunt", "--client", "simulator.clients.imap:ImapClient", "--examples", "8",
                   "--out", str(tmp_path / "hunt"))
    assert done.returncode == 0, done.stderr
    assert "converged: held on 8 scenarios run with" in done.stdout
    assert "faults (hunt seed 0)" in done.stdout
    assert not (tmp_path / "hunt").exists()


def test_a_failing_hunt_saves_a_rerunnable_scenario_report_and_explanation(
        tmp_path: Path) -> None:
    """A client that sends a command IMAP lacks breaks validity at once: exit 1; the folder
    holds scenario.yaml naming the client, report.html and explanation.txt with the seeds;
    the same seed finds the same scenario; the saved scenario fails the same way alone."""
    out, again = tmp_path / "hunt", tmp_path / "again"
    done = mailsim("hunt", "--client", RUDE, "--property", "valid", "--examples", "10",
                   "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "valid: FAILED" in done.stderr
    assert {p.name for p in out.iterdir()} >= {"scenario.yaml", "report.html",
                                               "explanation.txt"}
    explanation = (out / "explanation.txt").read_text()
    assert "hunt seed 0" in explanation and "xyzzy" in explanation
    assert RUDE in (out / "scenario.yaml").read_text()
    assert mailsim("hunt", "--client", RUDE, "--property", "valid", "--examples", "10",
                   "--out", str(again)).returncode == 1
    assert (again / "scenario.yaml").read_bytes() == (out / "scenario.yaml").read_bytes()
    rerun = mailsim("run", str(out / "scenario.yaml"), "--out", str(tmp_path / "rerun"))
    assert rerun.returncode == 1 and "xyzzy" in rerun.stderr
    refused = mailsim("hunt", "--client", RUDE, "--property", "valid", "--out", str(out))
    assert refused.returncode == 2 and "exists" in refused.stderr


def test_hunt_rejects_bad_options_and_clients_without_a_traceback() -> None:
    """An unknown property, or a client class that cannot be loaded: exit 2, one line."""
    bad = mailsim("hunt", "--client", RUDE, "--property", "fast")
    assert bad.returncode == 2 and "--property one of" in bad.stderr
    missing = mailsim("hunt", "--client", "nowhere.at_all:Client")
    assert missing.returncode == 2 and "cannot load client class" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_drops_names_each_cut_that_breaks_the_run_and_saves_it(tmp_path: Path) -> None:
    """Cutting a blind re-APPENDing laptop at each command of 07:15-07:25: the cut after
    APPEND is named with its sync, step, folder and queue and the duplicate's story; the
    folder holds cuts.csv and the failing cut's scenario, report and explanation."""
    doc = yaml.safe_load((ROOT / "examples" / "small.yaml").read_text())
    doc["users"][0]["devices"][0]["client"]["class"] = BLIND
    scenario = tmp_path / "blind.yaml"
    scenario.write_text(yaml.safe_dump(doc, sort_keys=False))
    out = tmp_path / "drops"
    done = mailsim("drops", str(scenario), "--device", "u0/laptop", "--from", "7h 15m",
                   "--to", "7h 25m", "--out", str(out))
    assert done.returncode == 1, done.stderr
    assert "cut-001: after sync" in done.stdout and "append Sent" in done.stdout
    assert "(queue: work pending): 2 duplicated" in done.stdout
    assert "lost its connection after APPEND" in done.stdout
    assert (out / "cuts.csv").is_file()
    assert {p.name for p in (out / "cut-001").iterdir()} >= {"scenario.yaml", "report.html",
                                                             "explanation.txt"}
    assert "drop: u0/laptop" in (out / "cut-001" / "scenario.yaml").read_text()
    refused = mailsim("drops", str(scenario), "--device", "u0/laptop", "--out", str(out))
    assert refused.returncode == 2 and "exists" in refused.stderr
    unknown = mailsim("drops", str(scenario), "--device", "u0/tablet",
                      "--out", str(tmp_path / "x"))
    assert unknown.returncode == 2 and "no device 'u0/tablet'" in unknown.stderr
