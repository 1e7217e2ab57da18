"""The sweep's metric charts, chosen from the grid's axes: a numeric axis on x with a line
and a 95 % band per value of the other axes; categorical axes as grouped markers with
error bars (no lines: there is nothing between pop3 and imap); two numeric axes as a heat
map per value of the others. Values are in their units (bytes, %, durations), as in the
tables."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from simulator.analysis import fmt
from simulator.analysis.metrics import BY_KEY, Metric
from simulator.report import plots
from simulator.report.figures import Plot

Scale = tuple[str, list[float]] | None
"""A numeric axis's unit and values in SI units, or None for a categorical axis."""
Cell = tuple[float, float]
"""A point's mean and 95 % half-width (0 below two replications)."""


def tick_text(scale: Scale, raw: Any, x: float | None = None) -> str:
    """An axis value as people read it: bytes and durations in human units, the rest as
    written in the grid."""
    if scale is not None and x is not None and scale[0] in ("bytes", "s"):
        return fmt.value(scale[0], x)
    return str(raw)


def axis_text(spec: dict[str, Any], scales: dict[str, Scale], axis: str, raw: Any) -> str:
    """A grid value of ``axis`` as people read it (see tick_text)."""
    scale = scales.get(axis)
    if scale is None:
        return str(raw)
    return tick_text(scale, raw, scale[1][[str(v) for v in spec["values"][axis]].index(
        str(raw))])


def y_axis(ax: Axes, metric: Metric, data: dict[tuple[str, ...], Cell]) -> None:
    """The y axis in the metric's unit (%, KB/MB/GB, durations or plain counts), from 0
    when no value or interval goes below it."""
    unit = metric.unit
    peak = max(m + c for m, c in data.values())
    if min(m - c for m, c in data.values()) >= 0:
        ax.set_ylim(bottom=0, top=peak * 1.1 if peak > 0 else 1.0)
    if unit == "ratio":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{100 * v:.4g} %"))
    elif unit == "bytes":
        div, name = plots.byte_scale(peak)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v / div:.4g} {name}"))
    elif unit == "s":
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: fmt.human_seconds(v)))
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.4g}"))
    ax.set_ylabel(metric.label, fontsize=8)


def cells(points: list[dict[str, Any]], axes: list[str], key: str
          ) -> dict[tuple[str, ...], Cell]:
    """Each point's (mean, half-width) by its axis values as text, where it has a mean."""
    out: dict[tuple[str, ...], Cell] = {}
    for row in points:
        mean, ci = row[f"{key}.mean"], row[f"{key}.ci95"]
        if mean is not None:
            out[tuple(str(row[a]) for a in axes)] = (mean, ci or 0.0)
    return out


def groups(axes: list[str], values: dict[str, list[Any]], keep: Sequence[str]
           ) -> list[tuple[str, dict[str, str]]]:
    """Every combination of the axes not in ``keep``: its name and values, grid order."""
    rest = [a for a in axes if a not in keep]
    combos: list[dict[str, str]] = [{}]
    for a in rest:
        combos = [{**c, a: str(v)} for c in combos for v in values[a]]
    return [(", ".join(f"{a}={c[a]}" for a in rest), c) for c in combos]


def _lookup(axes: list[str], data: dict[tuple[str, ...], Cell], fixed: dict[str, str]
            ) -> Cell | None:
    """The cell at the point given by ``fixed`` (every axis named)."""
    return data.get(tuple(fixed[a] for a in axes))


def metric_chart(spec: dict[str, Any], points: list[dict[str, Any]],
                 scales: dict[str, Scale], key: str) -> Plot | str:
    """The chart of one metric over the grid, or the sentence saying why it is left out."""
    metric, axes = BY_KEY[key], spec["axes"]
    data = cells(points, axes, key)
    if not data:
        return f"{metric.label}: no run of the sweep had a figure, so there is nothing to plot."
    with rc_context(plots.STYLE):
        return _chart(spec, data, scales, metric)


def _chart(spec: dict[str, Any], data: dict[tuple[str, ...], Cell],
           scales: dict[str, Scale], metric: Metric) -> Plot:
    """The chart that fits the grid's axes (see the module docstring)."""
    kind, x, y = chart_kind(spec["axes"], scales)
    reps = spec["replications"]
    name = "sweep-" + metric.key.replace(".", "-")
    if kind == "heat":
        fig = heat_maps(spec, data, scales, metric, x, y)
        how = (f"Colour: mean over {reps} replications per point; each cell reads "
               "mean ± 95 % half-width (Student t).")
        title = f"{metric.label} over {x} × {y}"
    elif kind == "lines":
        fig = line_chart(spec, data, scales, metric, x)
        how = (f"Lines: mean over {reps} replications per point; bands: 95 % confidence "
               "intervals (Student t).")
        title = f"{metric.label} by {x}"
    else:
        fig = marker_chart(spec, data, metric, x)
        how = (f"Markers: mean over {reps} replications per point; bars: 95 % confidence "
               "intervals (Student t). The values are categories, so nothing joins them.")
        title = f"{metric.label} by {x}"
    better = (f" {metric.better.capitalize()} is better." if metric.better != "neither"
              else "")
    return Plot(name, title, how + better, plots.to_svg(fig, name))


def chart_kind(axes: list[str], scales: dict[str, Scale]) -> tuple[str, str, str]:
    """'heat' over the first two numeric axes, 'lines' along the one numeric axis, or
    'markers' grouped by the first categorical axis other than variant; and the x and y
    axes (y only for a heat map)."""
    numeric = [a for a in axes if scales[a] is not None]
    if len(numeric) >= 2:
        return "heat", numeric[0], numeric[1]
    if numeric:
        return "lines", numeric[0], ""
    return "markers", next((a for a in axes if a != "variant"), axes[0]), ""


def _x_scale(ax: Axes, scale: tuple[str, list[float]], raw: list[Any]) -> None:
    """Ticks at the axis values in human units; a log axis when they span 20× or more."""
    xs = scale[1]
    if min(xs) > 0 and max(xs) / min(xs) >= 20:
        ax.set_xscale("log")
        ax.xaxis.set_minor_formatter(FuncFormatter(lambda _v, _p: ""))
    ax.set_xticks(xs, [tick_text(scale, r, x) for r, x in zip(raw, xs, strict=True)])


def line_chart(spec: dict[str, Any], data: dict[tuple[str, ...], Cell],
               scales: dict[str, Scale], metric: Metric, x: str) -> Figure:
    """One line with its 95 % band per combination of the other axes."""
    axes, values = spec["axes"], spec["values"]
    scale = scales[x]
    assert scale is not None
    fig, ax = plots.new_figure((8.0, 3.4))
    for i, (name, fixed) in enumerate(groups(axes, values, [x])):
        pts = [(pos, got) for raw, pos in zip(values[x], scale[1], strict=True)
               if (got := _lookup(axes, data, {**fixed, x: str(raw)})) is not None]
        if not pts:
            continue
        xs, ms = [p for p, _ in pts], [g[0] for _, g in pts]
        ax.plot(xs, ms, color=plots.colour(i), marker="o", linewidth=1.4, label=name or None)
        ax.fill_between(xs, [g[0] - g[1] for _, g in pts], [g[0] + g[1] for _, g in pts],
                        color=plots.colour(i), alpha=0.18, linewidth=0)
    _x_scale(ax, scale, values[x])
    ax.set_xlabel(x)
    y_axis(ax, metric, data)
    plots.legend(ax)
    return fig


def marker_chart(spec: dict[str, Any], data: dict[tuple[str, ...], Cell], metric: Metric,
                 x: str) -> Figure:
    """Markers with error bars: one group per value of ``x``, one marker per combination
    of the other axes, side by side; no connecting lines."""
    axes, values = spec["axes"], spec["values"]
    series = groups(axes, values, [x])
    width = 0.6 / max(len(series), 1)
    by_x = x == "variant" and len(series) == 1  # each variant in its own colour
    fig, ax = plots.new_figure((8.0, 3.4))
    for i, (name, fixed) in enumerate(series):
        pts = [(j, got) for j, raw in enumerate(values[x])
               if (got := _lookup(axes, data, {**fixed, x: str(raw)})) is not None]
        if not pts:
            continue
        off = -0.3 + width * (i + 0.5) if len(series) > 1 else 0.0
        for j, (mean, ci) in pts:
            ax.errorbar([j + off], [mean], yerr=[ci], fmt="o", linestyle="none", capsize=4,
                        color=plots.colour(j if by_x else i),
                        label=name if name and j == pts[0][0] else None)
    ax.set_xticks(range(len(values[x])), [str(v) for v in values[x]])
    ax.set_xlim(-0.6, len(values[x]) - 0.4)
    ax.set_xlabel(x)
    ax.grid(False, axis="x")
    y_axis(ax, metric, data)
    plots.legend(ax)
    return fig


def heat_maps(spec: dict[str, Any], data: dict[tuple[str, ...], Cell],
              scales: dict[str, Scale], metric: Metric, x: str, y: str) -> Figure:
    """A heat map over two numeric axes per combination of the others (one colour scale
    for all), each cell reading its mean ± 95 % half-width."""
    axes, values = spec["axes"], spec["values"]
    panels = groups(axes, values, [x, y])
    cols = min(len(panels), 3)
    rows = math.ceil(len(panels) / cols)
    lo = min(m for m, _ in data.values())
    hi = max(m for m, _ in data.values())
    norm = Normalize(lo, hi if hi > lo else lo + 1.0)
    fig = Figure(figsize=(1.0 + 3.4 * cols, 0.6 + 2.9 * rows), layout="constrained")
    grid = fig.subplots(rows, cols, squeeze=False)
    image = None
    for n, (name, fixed) in enumerate(panels):
        ax = grid[n // cols][n % cols]
        image = _heat(ax, axes, values, scales, data, fixed, x, y, metric, norm)
        ax.set_title(name or metric.label, fontsize=9)
    for n in range(len(panels), rows * cols):
        grid[n // cols][n % cols].set_visible(False)
    if image is not None:
        bar = fig.colorbar(image, ax=grid.ravel().tolist(), shrink=0.9)
        bar.ax.yaxis.set_major_formatter(FuncFormatter(
            lambda v, _p: fmt.short(metric.unit, v)))
        bar.set_label(metric.label, fontsize=8)
    return fig


def _heat(ax: Axes, axes: list[str], values: dict[str, list[Any]], scales: dict[str, Scale],
          data: dict[tuple[str, ...], Cell], fixed: dict[str, str], x: str, y: str,
          metric: Metric, norm: Normalize) -> Any:
    """One panel: cells coloured by mean, labelled 'mean ± half-width' ('n/a' if none)."""
    grid = [[math.nan] * len(values[x]) for _ in values[y]]
    for r, ry in enumerate(values[y]):
        for c, rx in enumerate(values[x]):
            got = _lookup(axes, data, {**fixed, x: str(rx), y: str(ry)})
            text = "n/a"
            if got is not None:
                grid[r][c] = got[0]
                text = fmt.short(metric.unit, got[0])
                text += f"\n± {fmt.short(metric.unit, got[1])}" if got[1] else ""
            shade = got is not None and norm(got[0]) > 0.6
            ax.text(c, r, text, ha="center", va="center", fontsize=7,
                    color="black" if shade else "white")
    image = ax.imshow(grid, cmap="viridis", norm=norm, origin="lower", aspect="auto")
    sx, sy = scales[x], scales[y]
    ax.set_xticks(range(len(values[x])), [tick_text(sx, v, p) for v, p in
                                          zip(values[x], sx[1] if sx else values[x],
                                              strict=True)])
    ax.set_yticks(range(len(values[y])), [tick_text(sy, v, p) for v, p in
                                          zip(values[y], sy[1] if sy else values[y],
                                              strict=True)])
    ax.set_xlabel(x, fontsize=8)
    ax.set_ylabel(y, fontsize=8)
    ax.grid(False)
    return image
