"""docs/claims.md is generated from real runs and current: every claim group of the
registry appears with the verdict the runs give now, and every claim scenario is used
and valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from simulator.compare.claims import CLAIMS_DIR, Outcome, Runner
from simulator.compare.claimset import CLAIMS
from simulator.report.claims_md import BADGE, claims_md

DOC = Path(__file__).resolve().parents[2] / "docs" / "claims.md"


def documented() -> dict[str, str]:
    """claim ids -> verdict, as docs/claims.md states them."""
    rows = re.findall(r"^\| \*\*(.+?)\*\* \|.*\| ([^|]+) \| [^|]*\|$", DOC.read_text(), re.M)
    by_badge = {badge: status for status, badge in BADGE.items()}
    return {ids: by_badge[badge.strip()] for ids, badge in rows}


def test_every_claim_group_is_in_the_doc_with_its_current_verdict(
        outcome: Callable[[str], Outcome]) -> None:
    """If this fails, the model changed a verdict: run `python docs/make_claims.py`."""
    doc = documented()
    assert list(doc) == [c.ids for c in CLAIMS]
    assert doc == {c.ids: outcome(c.ids).status for c in CLAIMS}


def test_the_doc_renders_numbers_per_variant(outcome: Callable[[str], Outcome]) -> None:
    """Each tested claim lists each measure for each of its runs."""
    outcomes = [outcome(c.ids) for c in CLAIMS]
    text = claims_md(outcomes, "test", 2)
    assert "*agreement*: pop3 " in text and "✅ holds" in text and "⚪ not testable" in text


def test_every_claim_scenario_is_used_and_valid(runner: Runner) -> None:
    """Every file in scenarios/claims/ is used by a claim and loads; every variant a claim
    runs is defined in its scenario."""
    used = {name for c in CLAIMS for name in c.scenarios}
    assert used == {p.name for p in CLAIMS_DIR.glob("*.yaml")}
    for claim in CLAIMS:
        for run in claim.runs:
            assert run.variant in runner.scenario(run.scenario).variant_names()
