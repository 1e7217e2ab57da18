"""Golden outputs: each bundled scenario's summary.json is stored, and a change shows up as
a diff (rerun with ``pytest tests/golden --update-goldens`` when the change is intended)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from simulator.runs import run

ROOT = Path(__file__).parents[2]
HERE = Path(__file__).parent
CASES = [
    ("small-office.yaml", None),
    ("small-office.yaml", "pop3"),
    ("small-office.yaml", "imap-light"),
]


def golden_name(scenario: str, variant: str | None) -> str:
    return f"{Path(scenario).stem}.{variant or 'as-written'}.summary.json"


@pytest.mark.parametrize(("scenario", "variant"), CASES)
def test_bundled_scenario_matches_its_golden_summary(scenario: str, variant: str | None,
                                                     update_goldens: bool) -> None:
    """The bundled scenario gives exactly the stored summary.json (minus the version)."""
    text = run(ROOT / "scenarios" / scenario, variant=variant).summary_json()
    text = "\n".join(line for line in text.splitlines() if '"mailsim_version"' not in line)
    golden = HERE / golden_name(scenario, variant)
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
