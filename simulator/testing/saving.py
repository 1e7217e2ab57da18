"""Failures saved for later: the failing scenario (canonical YAML, runnable with
``mailsim run``), its reports with the witnesses' stories and a one-paragraph explanation,
written as one folder atomically, so a failing example is reproducible from the files alone."""

from __future__ import annotations

from pathlib import Path

from simulator.folders import run_files, write_folder_atomic
from simulator.runs import Results


def explain(results: Results, headline: str, message: str) -> str:
    """One paragraph: what failed and how it was found (``headline``, seeds included), the
    failure message (its start), where the stories are, how to rerun."""
    lines = [" ".join(line.split()).rstrip(".:") for line in message.splitlines()]
    words = ". ".join(line for line in lines if line)
    first = words if len(words) <= 1200 else words[:1197] + "..."
    return (f"{headline} (scenario seed {results.scenario.seed}): {first}. The stories of any "
            "anomaly witnesses and lost mail are in report.html. Rerun it with `mailsim run "
            "scenario.yaml` (a client named by `class:` must be importable, e.g. run from the "
            "folder that holds its module); the run is deterministic, so it fails the same way "
            "every time.\n")


def failure_files(results: Results, explanation: str) -> dict[str, str | bytes]:
    """A failing run's folder by file name: the run's files plus explanation.txt."""
    return {**run_files(results), "explanation.txt": explanation}


def save_failure(results: Results, dest: Path, explanation: str, force: bool = False) -> Path:
    """Write the run's folder plus explanation.txt to ``dest`` in one rename."""
    return write_folder_atomic(Path(dest), failure_files(results, explanation), force=force)
