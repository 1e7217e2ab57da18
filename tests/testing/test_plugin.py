"""The pytest plugin, as a client author's suite sees it: ``pytest --help`` lists
--mailsim-save and --mailsim-examples; a failing test that ran scenarios through the
``mailsim_run`` fixture leaves its last run (for a property, the shrunk example) as
scenario.yaml, report.html and explanation.txt in DIR/<test name>, and its failure
message carries the witnesses' stories; --mailsim-examples sets the examples per property."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
SUITE = '''
from hypothesis import HealthCheck, given, settings
from simulator.testing.assertions import assert_no_anomalies
from simulator.testing.strategies import scenarios

CALLS = []
BLIND = "{cache: full, poll: 10m, class: 'examples.blind_append:BlindAppend'}"
TEXT = (ROOT / "examples" / "small.yaml").read_text().replace("{cache: full, poll: 10m}", BLIND)
CUT = "\\nevents:\\n  - {at: 7h 21m, drop: u0/laptop, after: append}\\n"


def test_blind_append_duplicates(mailsim_run):
    assert_no_anomalies(mailsim_run(TEXT + CUT))


def test_passing(mailsim_run):
    mailsim_run(TEXT)


@settings(deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(scenarios(protocol="imap", always_online=True, events=False, max_users=1,
                 quiet="12h", faults=True))
def test_counted(mailsim_run, scenario):
    CALLS.append(1)
    mailsim_run(scenario, keep_history=False)


def test_zz_count():
    assert len(CALLS) == 3
'''


def pytest_in(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest run on ``folder``'s suite with the checkout importable, as a user's CI would."""
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q",
                           *args], capture_output=True, text=True, cwd=folder, timeout=600,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def test_pytest_help_lists_the_options(tmp_path: Path) -> None:
    """Both options are listed with what they do."""
    done = pytest_in(tmp_path, "--help")
    assert "--mailsim-save=DIR" in done.stdout and "--mailsim-examples=N" in done.stdout


def test_a_failing_test_leaves_its_scenario_report_and_explanation(tmp_path: Path) -> None:
    """Only the failing test gets a folder, named after it, holding what reproduces it;
    the failure message tells the duplicate's story; the example count is obeyed."""
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_mine.py").write_text(f"from pathlib import Path\nROOT = Path({str(ROOT)!r})\n"
                                        + SUITE)
    saved = tmp_path / "saved"
    done = pytest_in(suite, "--mailsim-save", str(saved), "--mailsim-examples", "3")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "1 failed, 3 passed" in done.stdout
    assert "lost its connection after APPEND" in done.stdout
    assert [p.name for p in saved.iterdir()] == ["test_mine.py-test_blind_append_duplicates"]
    folder = saved / "test_mine.py-test_blind_append_duplicates"
    assert {p.name for p in folder.iterdir()} >= {"scenario.yaml", "report.html",
                                                  "explanation.txt"}
    assert "drop: u0/laptop" in (folder / "scenario.yaml").read_text()
    assert "test_blind_append_duplicates failed" in (folder / "explanation.txt").read_text()
    assert "saved the failing scenario and its report in" in done.stdout
