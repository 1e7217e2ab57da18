"""sweep.html: the per-point table and one plot per headline metric against the first
swept parameter, a line per combination of the others, with 95% intervals."""

from __future__ import annotations

from typing import Any

from simulator.analysis.metrics import BY_KEY
from simulator.report import plots
from simulator.report.figures import Plot
from simulator.report.page import esc, figure, page, table

HEADLINE = ("consistency.agreement", "consistency.missing_reads",
            "offline_availability.ratio", "server_storage.peak_bytes",
            "device_storage.peak_bytes", "durability.lost")


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.4g}"
    return esc(value)


def _plot(spec: dict[str, Any], points: list[dict[str, Any]], key: str) -> Plot:
    axes = spec["axes"]
    x_axis, others = axes[0], axes[1:]
    xs = [str(v) for v in spec["values"][x_axis]]
    metric = BY_KEY[key]
    fig, ax = plots.new_figure((7.0, 3.2))
    lines: dict[str, list[tuple[int, float, float]]] = {}
    for row in points:
        name = ", ".join(f"{a}={row[a]}" for a in others) or metric.label
        mean, ci = row[f"{key}.mean"], row[f"{key}.ci95"]
        if mean is not None:
            lines.setdefault(name, []).append((xs.index(str(row[x_axis])), mean, ci or 0.0))
    for i, (name, pts) in enumerate(lines.items()):
        ax.errorbar([p[0] for p in pts], [p[1] for p in pts], yerr=[p[2] for p in pts],
                    label=name, color=plots.colour(i), marker="o", capsize=3)
    ax.set_xticks(range(len(xs)), xs)
    ax.set_xlabel(x_axis)
    ax.set_ylabel(f"{metric.label} ({metric.unit})")
    if lines:
        ax.legend(fontsize=7)
    name = "sweep-" + key.replace(".", "-")
    caption = (f"Mean over {spec['replications']} replications per point; bars are 95% "
               f"confidence intervals (Student t). {metric.better.capitalize()} is better."
               if metric.better != "neither" else "")
    return Plot(name, f"{metric.label} by {x_axis}", caption, plots.to_svg(fig, name))


def sweep_html(spec: dict[str, Any], points: list[dict[str, Any]]) -> str:
    """The whole page."""
    head = [*map(esc, spec["axes"]), "runs", "valid",
            *(esc(BY_KEY[k].label) for k in HEADLINE)]
    rows = []
    for row in points:
        cells = [_fmt(row[a]) for a in spec["axes"]] + [str(row["runs"]),
                                                         "yes" if row["all_valid"] else "NO"]
        for key in HEADLINE:
            mean, ci = row[f"{key}.mean"], row[f"{key}.ci95"]
            cells.append(_fmt(mean) + (f" ± {_fmt(ci)}" if ci is not None else ""))
        rows.append(cells)
    body = (f"<h1>Sweep of {esc(spec['name'])}</h1>\n"
            f"<p>{len(points)} points × {spec['replications']} replications (seeds "
            f"{esc(', '.join(map(str, spec['seeds'])))}), scenario {esc(spec['scenario'])}."
            " Every metric of every run is in runs.csv; means and 95% intervals per point "
            "in points.csv.</p>\n"
            + table(head, rows, caption="Per point: mean ± 95% CI")
            + "".join(figure(_plot(spec, points, k)) for k in HEADLINE))
    return page(f"Sweep: {spec['name']}", body)
