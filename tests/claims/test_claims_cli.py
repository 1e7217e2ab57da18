"""`mailsim claims` measures the claims on the scenarios mailsim ships and writes the
page; `--check` says whether a page is current."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from typer.testing import CliRunner

from simulator.analysis.claimset import CLAIMS
from simulator.analysis.finding import Finding
from simulator.cli import app
from simulator.report.claims_md import claims_md
from simulator.runs import mailsim_version


def test_claims_writes_the_page_and_check_finds_a_stale_one(
        tmp_path: Path, finding: Callable[[str], Finding]) -> None:
    """The page written is the one the claim runs give (same seeds as tests/claims); a
    page edited by hand is reported out of date with exit 1."""
    page = tmp_path / "claims.md"
    written = CliRunner().invoke(app, ["claims", "--out", str(page)])
    assert written.exit_code == 0, written.output
    assert f"wrote {page}" in written.output
    expected = claims_md([finding(c.ids) for c in CLAIMS], mailsim_version(), 2)
    assert page.read_text(encoding="utf-8") == expected
    page.write_text(expected.replace("✅ holds", "❌ refuted", 1), encoding="utf-8")
    checked = CliRunner().invoke(app, ["claims", "--out", str(page), "--check"])
    assert checked.exit_code == 1 and "out of date" in checked.output
