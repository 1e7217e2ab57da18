"""Failures saved for later: the failing scenario (canonical YAML, runnable with
``mailsim run``), its reports with the witnesses' stories and a one-paragraph explanation,
written as one folder atomically, so a failing example is reproducible from the files alone."""

from __future__ import annotations

from pathlib import Path

from simulator.folders import run_files, write_folder_atomic
from simulator.runs import Results


def explain(results: Results, headline: str, troubles: list[str]) -> str:
    """One paragraph: what failed and how it was found (``headline``, seeds included), the
    first things that went wrong with their stories, where the rest is, how to rerun."""
    told = "; ".join(" ".join(line.split()) for line in troubles[:3]) or "see report.html"
    more = f" (and {len(troubles) - 3} more)" if len(troubles) > 3 else ""
    return (f"{headline} (scenario seed {results.scenario.seed}). What went wrong: "
            f"{told}{more}. report.html tells the story of every anomaly witness and lost "
            "message. Rerun it with `mailsim run scenario.yaml` (a client named by `class:` "
            "must be importable, e.g. run from the folder that holds its module); the run is "
            "deterministic, so it fails the same way every time.\n")


def failure_files(results: Results, explanation: str) -> dict[str, str | bytes]:
    """A failing run's folder by file name: the run's files plus explanation.txt."""
    return {**run_files(results), "explanation.txt": explanation}


def save_failure(results: Results, dest: Path, explanation: str, force: bool = False) -> Path:
    """Write the run's folder plus explanation.txt to ``dest`` in one rename."""
    return write_folder_atomic(Path(dest), failure_files(results, explanation), force=force)
