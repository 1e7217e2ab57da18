"""Formatting numbers for people, by unit (pure functions shared by the judges and every
renderer): percentages, bytes in decimal units, durations in the largest readable unit,
counts with separators, and a value with its interval."""

from __future__ import annotations

from simulator.analysis.stats import Stat


def human_bytes(n: float | None) -> str:
    """1234567 -> '1.2 MB' (decimal units, as mail providers quote quotas)."""
    if n is None:
        return "—"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"  # pragma: no cover


def human_seconds(s: float | None) -> str:
    """Seconds as '42 s', '12.5 min', '3.1 h' or '2.0 d'."""
    if s is None:
        return "—"
    for limit, div, unit in ((120, 1, "s"), (7200, 60, "min"), (172800, 3600, "h")):
        if s < limit:
            return f"{s / div:.1f} {unit}" if unit != "s" else f"{s:.1f} s"
    return f"{s / 86400:.1f} d"


def pct(x: float | None) -> str:
    """0.934 -> '93.4 %'."""
    return "—" if x is None else f"{100 * x:.1f} %"


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
