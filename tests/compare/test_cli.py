"""`mailsim compare` and `mailsim report` from the command line: folders, exit codes and
one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from tests.compare.helpers import TINY

runner = CliRunner()


def scenario_file(tmp_path: Path) -> Path:
    """The tiny scenario written to a file."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY.format(extra=""))
    return path


def test_compare_writes_the_folder_and_prints_the_table(tmp_path: Path) -> None:
    """Exit 0; the table names every variant and marks a best one; the folder is complete."""
    out = tmp_path / "cmp"
    result = runner.invoke(app, ["compare", str(scenario_file(tmp_path)), "--variants",
                                 "pop3,imap", "--replications", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pop3" in result.output and "imap" in result.output and "★" in result.output
    assert "Which protocol?" in result.output
    data = json.loads((out / "comparison.json").read_text())
    assert data["replications"] == 2
    assert (out / "pop3" / "summary.json").exists() and (out / "comparison.html").exists()


def test_compare_default_folder_is_named_after_scenario_and_seed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without --out: results/<scenario>/compare-seed<seed>/ under the current directory."""
    monkeypatch.chdir(tmp_path)
    args = ["compare", str(scenario_file(tmp_path)), "--variants", "imap",
            "--replications", "1", "--seed", "9"]
    assert runner.invoke(app, args).exit_code == 0
    assert (tmp_path / "results" / "tiny" / "compare-seed9" / "comparison.json").exists()


def test_compare_refuses_to_overwrite(tmp_path: Path) -> None:
    """An existing folder is an error (exit 2) unless --force."""
    out = tmp_path / "cmp"
    out.mkdir()
    args = ["compare", str(scenario_file(tmp_path)), "--variants", "imap",
            "--replications", "1", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "--force" in result.output
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """Unknown variant, broken scenario, zero or non-numeric replications or a zero
    maximum: one clear line, exit 2."""
    good = scenario_file(tmp_path)
    result = runner.invoke(app, ["compare", str(good), "--variants", "pop3,nope"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"{good}: unknown variant 'nope' (expected one of: pop3, pop3-keep, imap, "
        "imap-light, imap-online)"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("mailsim: 1\nname: x\nduration: 1d\nusers: 3\n")
    result = runner.invoke(app, ["compare", str(bad)])
    assert result.exit_code == 2 and result.output.startswith(f"{bad}:")
    result = runner.invoke(app, ["compare", str(good), "--replications", "0"])
    assert result.exit_code == 2 and "at least 1" in result.output
    for bad_count in (["--replications", "many"], ["--replications", "auto", "--max", "0"]):
        result = runner.invoke(app, ["compare", str(good), *bad_count])
        assert result.exit_code == 2 and result.output.strip().splitlines() == [
            "--replications (a number or auto) and --max must be at least 1"]


def test_report_rerenders_a_comparison_folder(tmp_path: Path) -> None:
    """`mailsim report DIR` rewrites comparison.* and every variant's report.*."""
    out = tmp_path / "cmp"
    runner.invoke(app, ["compare", str(scenario_file(tmp_path)), "--variants", "pop3",
                        "--replications", "1", "--out", str(out)])
    (out / "comparison.html").unlink()
    result = runner.invoke(app, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "comparison.html").exists() and "comparison.html" in result.output


def test_report_on_a_folder_without_results_is_exit_2(tmp_path: Path) -> None:
    """A folder with neither comparison.json nor summary.json is bad input."""
    result = runner.invoke(app, ["report", str(tmp_path)])
    assert result.exit_code == 2 and "no comparison.json or summary.json" in result.output
