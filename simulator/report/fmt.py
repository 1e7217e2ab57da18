"""Formatting a metric's value (and its interval) for people, by unit: percentages, bytes
in decimal units, durations in the largest readable unit, counts with separators."""

from __future__ import annotations

from simulator.compare.stats import Stat
from simulator.report.markdown import human_bytes, human_seconds, pct


def count(x: float) -> str:
    """12345 -> '12,345'; a fractional mean keeps one decimal: 12.5 -> '12.5'."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def value(unit: str, x: float | None) -> str:
    """One value in its unit ('—' when missing)."""
    if x is None:
        return "—"
    if unit == "ratio":
        return pct(x)
    if unit == "bytes":
        return human_bytes(x)
    if unit == "s":
        return human_seconds(x)
    return count(x)


def stat(unit: str, s: Stat) -> str:
    """'mean ± half-width' (just the mean for one replication, '—' when no run had it)."""
    if s.mean is None:
        return "—"
    if s.ci95 is None or s.ci95 == 0:
        return value(unit, s.mean)
    return f"{value(unit, s.mean)} ± {value(unit, s.ci95)}"
