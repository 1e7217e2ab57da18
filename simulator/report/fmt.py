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


def short(unit: str, x: float | None) -> str:
    """A value in at most about seven characters, for terminal tables: 48.7%, 1.2GB,
    8.3m, 12.9k."""
    if x is None:
        return "—"
    if unit == "ratio":
        return f"{100 * x:.1f}%"
    if unit == "bytes":
        return _scaled(x, ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")), "B")
    if unit == "s":
        for div, suffix in ((86_400.0, "d"), (3600.0, "h"), (60.0, "m")):
            if abs(x) >= div:
                return f"{x / div:.1f}{suffix}"
        if x == 0:
            return "0s"
        if abs(x) < 1:
            return f"{1000 * x:.0f}ms"
        return f"{x:.2g}s" if abs(x) < 10 else f"{x:.0f}s"
    if abs(x) >= 10_000:
        return _scaled(x, ((1e9, "G"), (1e6, "M"), (1e3, "k")), "")
    return count(x)


def _scaled(x: float, scales: tuple[tuple[float, str], ...], base: str) -> str:
    """x divided by the largest fitting scale, three significant digits."""
    for div, suffix in scales:
        if abs(x) >= div:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.0f}{base}"
