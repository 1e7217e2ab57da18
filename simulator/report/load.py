"""Reading a saved results folder back: summary.json, timeseries.csv and, for a
comparison folder, comparison.json with each variant's first run — so that reports can be
re-rendered from disk (``mailsim report DIR``)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from simulator.compare.comparison import Comparison, from_json


class ReportError(Exception):
    """The folder is not a results or comparison folder (or a file in it is unreadable)."""


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's object, or ReportError naming the file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as problem:
        raise ReportError(f"{path}: cannot read: {problem}") from None
    if not isinstance(data, dict):
        raise ReportError(f"{path}: expected a JSON object")
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
        raise ReportError(f"{path}: cannot read: {problem}") from None
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
        raise ReportError(f"{folder / 'comparison.json'}: missing field {problem}") from None
