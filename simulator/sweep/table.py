"""The sweep's tidy tables: one row per run (parameters, replication, seed, every metric),
and one row per point with each metric's mean and 95% confidence interval."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from simulator.analysis.metrics import METRICS
from simulator.analysis.stats import summarize
from simulator.sweep.grid import Point


def run_rows(results: Sequence[tuple[Point, int, int, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One dict per run, in the order given (point, replication, seed, summary)."""
    rows = []
    for point, rep, seed, summary in results:
        row: dict[str, Any] = dict(point)
        row.update(replication=rep, seed=seed, valid=summary["verdict"]["valid"])
        row.update({m.key: m.value(summary) for m in METRICS})
        rows.append(row)
    return rows


def point_rows(axes: list[str], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per point: n runs, all valid?, and mean / ci95 of every metric."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(str(row[a]) for a in axes), []).append(row)
    out = []
    for members in groups.values():
        agg: dict[str, Any] = {a: members[0][a] for a in axes}
        agg["runs"] = len(members)
        agg["all_valid"] = all(m["valid"] for m in members)
        for metric in METRICS:
            stat = summarize([m[metric.key] for m in members])
            agg[f"{metric.key}.mean"] = stat.mean
            agg[f"{metric.key}.ci95"] = stat.ci95
        out.append(agg)
    return out


def to_csv(rows: list[dict[str, Any]]) -> str:
    """CSV text with the first row's columns; None is an empty cell."""
    if not rows:
        return ""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def to_parquet(rows: list[dict[str, Any]]) -> bytes | None:
    """Parquet bytes (values as text for the swept columns), or None without pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return None
    columns = {k: [r[k] for r in rows] for k in rows[0]} if rows else {}
    for name, values in columns.items():
        if any(isinstance(v, str) for v in values):
            columns[name] = [None if v is None else str(v) for v in values]
    buf = io.BytesIO()
    pq.write_table(pa.table(columns), buf)
    return buf.getvalue()
