"""The report's plots, drawn with matplotlib's Figure API (never pyplot) and returned as
SVG text to inline in the HTML page.

The SVG is deterministic: a fixed hash salt and root id per plot, text kept as text (no
glyph paths) and no date or creator metadata, so the same run renders byte-identical
HTML. Each plot gets its own salt, so ids never clash when several share one page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullLocator, PercentFormatter

from simulator.analysis.fmt import human_bytes

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f", "#bcbd22", "#17becf")
"""One colour per variant, in the comparison's variant order, the same in every plot."""
DAY = 86_400.0
QUOTA_IN_VIEW = 4.0
"""The summed quota is drawn as a line when within this factor of the data, else noted."""
TIME_TICKS = ((1.0, "1 s"), (10.0, "10 s"), (60.0, "1 min"), (600.0, "10 min"),
              (3600.0, "1 h"), (6 * 3600.0, "6 h"), (DAY, "1 d"), (7 * DAY, "1 week"),
              (30 * DAY, "30 d"))
WIDE = (9.0, 3.6)
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "svg.fonttype": "none",
}


def colour(i: int) -> str:
    """The colour of the i-th variant."""
    return PALETTE[i % len(PALETTE)]


def to_svg(fig: Figure, name: str) -> str:
    """``fig`` as an inline <svg> element (no XML prolog), deterministic for ``name``."""
    with rc_context({**STYLE, "svg.hashsalt": f"mailsim-{name}", "svg.id": f"plot-{name}"}):
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = re.sub(r"^<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"^<!DOCTYPE[^>]*>\s*", "", text)
    return text.strip() + "\n"


def new_figure(size: tuple[float, float] = WIDE) -> tuple[Figure, Axes]:
    """A figure with one axes, in the report style."""
    with rc_context(STYLE):
        fig = Figure(figsize=size, layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def legend(ax: Axes) -> None:
    """The legend, right of the axes; none when nothing is labelled (no warning)."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)


def byte_scale(peak: float) -> tuple[float, str]:
    """Divisor and unit label for a byte axis whose largest value is ``peak``."""
    for div, unit in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
        if peak >= div:
            return div, unit
    return 1.0, "bytes"


def lines(ax: Axes, series: dict[str, tuple[Sequence[float], Sequence[float | None]]]) -> None:
    """One line per variant, skipping missing points."""
    for i, (label, (xs, ys)) in enumerate(series.items()):
        pts = [(x, y) for x, y in zip(xs, ys, strict=True) if y is not None]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], color=colour(i), label=label,
                linewidth=1.4)


def highest(series: dict[str, tuple[list[float], list[float]]]) -> float:
    """The highest value of any line (at least 1, so a scale always exists)."""
    return max([max(ys, default=0.0) for _xs, ys in series.values()] + [1.0])


def quota_in_view(series: dict[str, tuple[list[float], list[float]]],
                  quota_total: float | None) -> bool:
    """Whether the summed quota is close enough to the data to be drawn as a line."""
    return quota_total is not None and quota_total <= QUOTA_IN_VIEW * highest(series)


def server_storage(series: dict[str, tuple[list[float], list[float]]], quota_total: float | None,
                   accounts: int) -> Figure:
    """Server bytes (all accounts) over time per variant, with the summed quota."""
    data_peak = highest(series)
    shown = quota_in_view(series, quota_total)
    div, unit = byte_scale(max(data_peak, quota_total or 0.0) if shown else data_peak)
    with rc_context(STYLE):
        fig, ax = new_figure()
        lines(ax, {k: ([x / DAY for x in xs], [y / div for y in ys])
                   for k, (xs, ys) in series.items()})
        if quota_total is not None and shown:
            ax.axhline(quota_total / div, color="black", linestyle="--", linewidth=1.0,
                       label=f"quota × {accounts} accounts")
        elif quota_total is not None:
            ax.annotate(f"quota × {accounts} accounts = {human_bytes(quota_total)}: "
                        f"{quota_total / data_peak:,.0f}× the highest curve, off the scale ↑",
                        xy=(0.01, 0.97), xycoords="axes fraction", va="top", fontsize=8)
        ax.set_ylim(bottom=0, top=(max(data_peak, quota_total or 0.0) if shown
                                   else data_peak) / div * 1.15)
        ax.set_xlabel("time (days)")
        ax.set_ylabel(f"server storage, all accounts ({unit})")
        ax.set_title("Server storage over time")
        legend(ax)
    return fig


def agreement(series: dict[str, tuple[list[float], list[float]]]) -> Figure:
    """Mean agreement across devices over time per variant, in percent."""
    with rc_context(STYLE):
        fig, ax = new_figure()
        lines(ax, {k: ([x / DAY for x in xs], [100 * y for y in ys])
                   for k, (xs, ys) in series.items()})
        ax.set_ylim(0, 102)
        ax.yaxis.set_major_formatter(PercentFormatter(100))
        ax.set_xlabel("time (days)")
        ax.set_ylabel("agreement, mean over devices (%)")
        ax.set_title("Agreement of device views with what each person expects")
        legend(ax)
    return fig


def propagation_cdf(quantiles: dict[str, list[list[float]]]) -> Figure:
    """The distribution of delays until a change shows on the person's other devices."""
    with rc_context(STYLE):
        fig, ax = new_figure()
        for i, (label, points) in enumerate(quantiles.items()):
            if not points:
                continue
            xs = [max(s, 0.1) for _q, s in points]
            ys = [q / 100 for q, _s in points]
            ax.plot(xs, ys, color=colour(i), label=label, linewidth=1.4, marker=".",
                    markersize=3)
        ax.set_xscale("log")
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticks([t for t, _ in TIME_TICKS], [name for _, name in TIME_TICKS])
        ax.set_xlim(0.08, _upper(quantiles))
        ax.set_ylim(0, 1.02)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_xlabel("delay until another device of the person shows the change (log scale)")
        ax.set_ylabel("share of propagated changes")
        ax.set_title("Propagation delay (CDF)")
        legend(ax)
    return fig


def _upper(quantiles: dict[str, list[list[float]]]) -> float:
    """The CDF's right edge: a little past the longest delay (at least a minute)."""
    longest = max([s for pts in quantiles.values() for _q, s in pts] + [60.0])
    return longest * 1.5


def grouped_bars(title: str, xlabel: str, groups: list[str],
                 series: dict[str, list[float | None]], scale: float = 1.0,
                 ticks: Callable[[float, int], str] | None = None,
                 value: Callable[[float], str] | None = None) -> Figure:
    """Horizontal bars: one group per device (or device kind), one bar per variant, each
    labelled with ``value`` of its height (so a zero still shows); a missing value is
    marked 'n/a'."""
    n = max(len(series), 1)
    height = max(2.2, 0.9 + len(groups) * (0.18 * n + 0.15))
    with rc_context(STYLE):
        fig, ax = new_figure((WIDE[0], height))
        bar = 0.8 / n
        for i, (label, values) in enumerate(series.items()):
            ys = [g - 0.4 + bar / 2 + i * bar for g in range(len(groups))]
            widths = [0.0 if v is None else v / scale for v in values]
            ax.barh(ys, widths, height=bar * 0.92, color=colour(i), label=label)
            for y, v, w in zip(ys, values, widths, strict=True):
                text = " n/a" if v is None else f" {value(v)}" if value else ""
                if text:
                    ax.text(w, y, text, va="center", fontsize=7, color="#444444")
        ax.set_yticks(range(len(groups)), groups)
        ax.invert_yaxis()
        ax.set_xlim(0, max([w for vs in series.values() for w in
                            (0.0 if v is None else v / scale for v in vs)] + [1e-9]) * 1.12)
        if ticks is not None:
            ax.xaxis.set_major_formatter(FuncFormatter(ticks))
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        legend(ax)
    return fig
