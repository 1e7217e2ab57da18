"""Golden outputs: each bundled scenario's summary.json, and a small comparison's
comparison.json and comparison.md (the decision block and the recommendation), are stored,
and a change shows up as a diff (rerun with ``pytest tests/golden --update-goldens`` when
the change is intended)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from simulator.analysis import compare
from simulator.report.comparison_md import comparison_md
from simulator.runs import run
from tests.compare.helpers import tiny

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
CASES = [
    ("small-office.yaml", None),
    ("small-office.yaml", "pop3"),
    ("small-office.yaml", "imap-light"),
]


def golden_name(scenario: str, variant: str | None) -> str:
    return f"{Path(scenario).stem}.{variant or 'as-written'}.summary.json"


def without_version(text: str) -> str:
    """The text minus the lines that name mailsim's version."""
    return "\n".join(line for line in text.splitlines()
                     if '"mailsim_version"' not in line and "; mailsim " not in line)


@pytest.mark.parametrize(("scenario", "variant"), CASES)
def test_bundled_scenario_matches_its_golden_summary(scenario: str, variant: str | None,
                                                     update_goldens: bool) -> None:
    """The bundled scenario gives exactly the stored summary.json (minus the version)."""
    text = without_version(run(ROOT / "scenarios" / scenario, variant=variant).summary_json())
    check(HERE / golden_name(scenario, variant), text, update_goldens)


def test_a_small_comparison_matches_its_golden_decision(update_goldens: bool) -> None:
    """The tiny two-device scenario compared under pop3 and imap (3 replications) gives
    exactly the stored comparison.json and comparison.md (minus the version)."""
    c = compare(tiny(), ["pop3", "imap"], replications=3)
    check(HERE / "tiny.comparison.json", without_version(c.to_json()), update_goldens)
    check(HERE / "tiny.comparison.md", without_version(comparison_md(c)), update_goldens)


def check(golden: Path, text: str, update_goldens: bool) -> None:
    """Compare text with the golden file (or write it when asked or missing)."""
    if update_goldens or not golden.exists():
        golden.write_text(text + "\n")
        if not update_goldens:
            pytest.fail(f"{golden.name} did not exist; written now — check it in")
        return
    want = golden.read_text().rstrip("\n")
    if text != want:
        diff = "\n".join(difflib.unified_diff(want.splitlines(), text.splitlines(),
                                              "golden", "now", lineterm="", n=1))
        pytest.fail(f"{golden.name} differs (rerun with --update-goldens if intended):\n"
                    f"{diff[:6000]}")
