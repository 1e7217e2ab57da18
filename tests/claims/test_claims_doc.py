"""docs/claims.md is generated from real runs and current: every claim group of the
registry appears with the verdict the runs give now, and every claim scenario is used
and valid."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from simulator.analysis.claims import ClaimRuns
from simulator.analysis.claimset import CLAIMS
from simulator.analysis.finding import Finding
from simulator.report.claims_md import BADGE, claims_md
from simulator.scenario.bundled import CLAIM_SCENARIOS

DOC = Path(__file__).resolve().parents[2] / "docs" / "claims.md"


def documented() -> dict[str, str]:
    """claim ids -> verdict, as docs/claims.md states them."""
    rows = re.findall(r"^\| \*\*(.+?)\*\* \|.*\| ([^|]+) \| [^|]*\|$", DOC.read_text(), re.M)
    by_badge = {badge: status for status, badge in BADGE.items()}
    return {ids: by_badge[badge.strip()] for ids, badge in rows}


def test_every_claim_group_is_in_the_doc_with_its_current_verdict(
        finding: Callable[[str], Finding]) -> None:
    """If this fails, the model changed a verdict: run `mailsim claims`."""
    doc = documented()
    assert list(doc) == [c.ids for c in CLAIMS]
    assert doc == {c.ids: finding(c.ids).status for c in CLAIMS}


def test_the_doc_renders_numbers_per_variant(finding: Callable[[str], Finding]) -> None:
    """Each tested claim lists each measure for each of its runs."""
    findings = [finding(c.ids) for c in CLAIMS]
    text = claims_md(findings, "test", 2)
    assert "*agreement*: pop3 " in text and "✅ holds" in text and "⚪ not testable" in text


def test_every_claim_scenario_is_used_and_valid(runs: ClaimRuns) -> None:
    """Every file in scenarios/claims/ is used by a claim and loads; every variant a claim
    runs is defined in its scenario."""
    used = {name for c in CLAIMS for name in c.scenarios}
    assert used == {p.name for p in CLAIM_SCENARIOS.glob("*.yaml")}
    for claim in CLAIMS:
        for run in claim.runs:
            assert run.variant in runs.scenario(run.scenario).variant_names()
