"""What the plots draw, pulled out of summaries and time series: columns over time, the
propagation-delay quantiles, and per-device figures (grouped by device kind when there
are too many devices to show one by one)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.observe.observer import TIMESERIES_COLUMNS

MAX_DEVICES = 8
"""Above this many devices, per-device plots show device kinds (laptop, phone, ...)."""

Rows = Sequence[Sequence[Any]]


def column(rows: Rows, name: str) -> tuple[list[float], list[float]]:
    """(times, values) of one time-series column, skipping empty cells."""
    i, t = TIMESERIES_COLUMNS.index(name), TIMESERIES_COLUMNS.index("t_s")
    pts = [(float(r[t]), float(r[i])) for r in rows if r[i] not in (None, "")]
    return [p[0] for p in pts], [p[1] for p in pts]


def quantiles(summary: dict[str, Any]) -> list[list[float]]:
    """The propagation delay percentiles ([[percent, seconds], ...]; [] if none saved)."""
    return list(summary["consistency"]["propagation_s"].get("quantiles") or [])


def device_groups(summaries: Sequence[dict[str, Any]]) -> tuple[list[str], bool]:
    """The plot's groups: every device id, or device kinds when there are many devices.
    Returns (groups, by_kind)."""
    ids = sorted({d for s in summaries for d in s.get("devices", {})})
    if len(ids) <= MAX_DEVICES:
        return ids, False
    return sorted({d.split("/", 1)[1] for d in ids}), True


def _members(summary: dict[str, Any], group: str, by_kind: bool) -> list[dict[str, Any]]:
    """The device blocks a group stands for (one device, or every device of a kind)."""
    devices = summary.get("devices", {})
    if not by_kind:
        return [devices[group]] if group in devices else []
    return [d for k, d in sorted(devices.items()) if k.split("/", 1)[1] == group]


def offline_availability(summary: dict[str, Any], groups: list[str],
                         by_kind: bool) -> list[float | None]:
    """Per group, offline reads that succeeded over offline reads (pooled over a kind)."""
    out: list[float | None] = []
    for group in groups:
        tries = ok = 0.0
        for d in _members(summary, group, by_kind):
            n = d.get("offline_attempts") or 0
            tries += n
            ok += round((d.get("offline_availability") or 0.0) * n)
        out.append(ok / tries if tries else None)
    return out


def storage_peak(summary: dict[str, Any], groups: list[str], by_kind: bool
                 ) -> list[float | None]:
    """Per group, the device's peak bytes (the mean over devices of a kind)."""
    out: list[float | None] = []
    for group in groups:
        peaks = [d["storage_peak_bytes"] for d in _members(summary, group, by_kind)]
        out.append(sum(peaks) / len(peaks) if peaks else None)
    return out
