"""Results folders: atomic, non-clobbering writes (a folder appears whole or not at all,
and an existing one is replaced only when asked, ``--force``), the files of a run or
comparison folder, loading a folder back, and re-rendering its reports from the saved
JSON (``mailsim report DIR``) without re-running."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from simulator.analysis.comparison import Comparison, from_json
from simulator.report.comparison_md import comparison_md
from simulator.report.html import comparison_html, run_html
from simulator.report.markdown import run_report
from simulator.runs import Results
from simulator.runs.files import write_text_atomic


class OutputExists(Exception):
    """The destination exists and overwriting was not requested."""


def write_folder_atomic(dest: Path, files: dict[str, str | bytes | Path],
                        force: bool = False) -> Path:
    """Create folder ``dest`` holding ``files`` (name -> content, or a file to copy, such
    as a story file too large to hold in memory) in one rename."""
    if dest.exists() and not force:
        raise OutputExists(f"{dest} exists; use --force to replace it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f".{dest.name}."))
    try:
        for name, content in files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            elif isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content, encoding="utf-8", newline="\n")
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(dest, old)
            os.replace(staging, dest)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, dest)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return dest


def run_files(results: Results) -> dict[str, str | bytes | Path]:
    """A run's results folder by file name (DESIGN: results contract); the story file
    when the run wrote one, and Dovecot's log when the run was on Dovecot."""
    files: dict[str, str | bytes | Path] = {
        "summary.json": results.summary_json(),
        "timeseries.csv": results.timeseries_csv(),
        "report.md": run_report(results.summary),
        "scenario.yaml": results.scenario.to_yaml(),
        "report.html": run_html(results.summary, results.timeseries),
    }
    if results.story_file is not None:
        files["stories.jsonl.gz"] = results.story_file
    files.update(results.logs)  # a real server's log (dovecot.log), beside the results
    return files


def comparison_files(c: Comparison) -> dict[str, str | bytes | Path]:
    """A comparison folder by file name: a results folder per variant and comparison.*."""
    if not c.results:
        raise ValueError("this comparison was loaded from disk; re-render it instead")
    files: dict[str, str | bytes | Path] = {}
    for variant in c.variants:
        for name, content in run_files(c.results[variant]).items():
            files[f"{variant}/{name}"] = content
    files["comparison.json"] = c.to_json()
    files["comparison.md"] = comparison_md(c)
    files["comparison.html"] = comparison_html(c)
    return files


def write_run(results: Results, dest: Path, force: bool = False) -> Path:
    """Write a run's results folder atomically; refuses to replace one unless ``force``."""
    return write_folder_atomic(Path(dest), run_files(results), force=force)


def write_comparison(c: Comparison, dest: Path, force: bool = False) -> Path:
    """Write a comparison folder atomically; refuses to replace one unless ``force``."""
    return write_folder_atomic(Path(dest), comparison_files(c), force=force)


class FolderError(Exception):
    """The folder is not a results or comparison folder (or a file in it is unreadable)."""


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's object, or FolderError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise FolderError(f"{path}: cannot read: {problem}") from None
    if not isinstance(data, dict):
        raise FolderError(f"{path}: expected a JSON object")
    return data


def cell(text: str) -> Any:
    """A CSV cell back to None, int, float or text (as the run wrote it)."""
    if text == "":
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def read_timeseries(path: Path) -> list[tuple[Any, ...]]:
    """timeseries.csv's rows (header dropped); [] when the file is missing."""
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, csv.Error, UnicodeDecodeError) as problem:
        raise FolderError(f"{path}: cannot read: {problem}") from None
    return [tuple(cell(x) for x in row) for row in rows[1:]]


def read_run(folder: Path) -> tuple[dict[str, Any], list[tuple[Any, ...]]]:
    """One run folder's summary and time series."""
    return read_json(folder / "summary.json"), read_timeseries(folder / "timeseries.csv")


def read_comparison(folder: Path) -> Comparison:
    """A comparison folder back as a Comparison (without the runs' Results objects)."""
    data = read_json(folder / "comparison.json")
    try:
        names = [v["name"] for v in data["variants"]]
        runs = {v: read_run(folder / v) for v in names}
        return from_json(data, {v: r[0] for v, r in runs.items()},
                         {v: r[1] for v, r in runs.items()})
    except (KeyError, TypeError) as problem:
        raise FolderError(f"{folder / 'comparison.json'}: missing field {problem}") from None


def rerender_run(folder: Path) -> list[Path]:
    """report.md and report.html of one run folder, written again."""
    summary, rows = read_run(folder)
    written = [folder / "report.md", folder / "report.html"]
    write_text_atomic(written[0], run_report(summary))
    write_text_atomic(written[1], run_html(summary, rows))
    return written


def rerender(folder: Path) -> list[Path]:
    """Every report in ``folder`` (a comparison folder or a run folder), re-rendered."""
    folder = Path(folder)
    if (folder / "comparison.json").exists():
        comparison = read_comparison(folder)
        written = []
        for variant in comparison.variants:
            written += rerender_run(folder / variant)
        for name, text in (("comparison.md", comparison_md(comparison)),
                           ("comparison.html", comparison_html(comparison))):
            write_text_atomic(folder / name, text)
            written.append(folder / name)
        return written
    if (folder / "summary.json").exists():
        return rerender_run(folder)
    raise FolderError(f"{folder}: no comparison.json or summary.json here; expected a folder "
                      "written by mailsim run or mailsim compare")
