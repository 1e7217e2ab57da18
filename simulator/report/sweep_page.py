"""sweep.html: who wins where over the grid, the per-point table of headline metrics in
their units (mean ± 95 % half-width, as on the comparison page), and one chart per
headline metric chosen from the grid's axes; a metric no run had is left out and said so."""

from __future__ import annotations

from typing import Any

from simulator.analysis import fmt
from simulator.analysis.metrics import BY_KEY
from simulator.analysis.stats import Stat
from simulator.analysis.wins import PointDecision
from simulator.report.figures import Plot
from simulator.report.page import esc, figure, page, table
from simulator.report.sweep_plots import Scale, axis_text, metric_chart
from simulator.report.sweep_wins import section

HEADLINE = ("consistency.agreement", "consistency.missing_reads",
            "offline_availability.ratio", "server_storage.peak_bytes",
            "device_storage.peak_bytes", "durability.lost")


def stat_text(row: dict[str, Any], key: str) -> str:
    """One point's metric as 'mean ± half-width' in the metric's unit."""
    stat = Stat(row[f"{key}.mean"], row[f"{key}.ci95"], int(row["runs"]))
    return fmt.stat(BY_KEY[key].unit, stat)


def point_table(spec: dict[str, Any], points: list[dict[str, Any]],
                scales: dict[str, Scale]) -> str:
    """One row per point: its axis values, runs, validity and the headline metrics (a ★
    marks the variant recommended at its point, when variant is an axis)."""
    axes = spec["axes"]
    marked = "recommended" in (points[0] if points else {})
    head = [*map(esc, axes), "runs", "valid", *(esc(BY_KEY[k].label) for k in HEADLINE)]
    rows = []
    for row in points:
        cells = [esc(axis_text(spec, scales, a, row[a])) for a in axes]
        if marked and str(row.get("variant")) == row["recommended"]:
            cells[axes.index("variant")] += " ★"
        cells += [str(row["runs"]), "yes" if row["all_valid"] else "<strong>NO</strong>"]
        cells += [f'<td class="{"num none" if row[f"{k}.mean"] is None else "num"}">'
                  f"{esc(stat_text(row, k))}</td>" for k in HEADLINE]
        rows.append(cells)
    caption = (f"Per point: mean ± 95 % half-width over {spec['replications']} replications"
               + ("; ★ the variant recommended at that point" if marked else "")
               + ". Full precision in points.csv.")
    return ('<div style="overflow-x: auto">\n' + table(head, rows, caption=caption)
            + "</div>\n")


def charts(spec: dict[str, Any], points: list[dict[str, Any]],
           scales: dict[str, Scale]) -> str:
    """The metric charts, then the list of those left out and why."""
    made = [metric_chart(spec, points, scales, k) for k in HEADLINE]
    drawn = "".join(figure(p) for p in made if isinstance(p, Plot))
    missing = [p for p in made if isinstance(p, str)]
    if not missing:
        return drawn
    return (drawn + "<p>Left out:</p>\n<ul>\n"
            + "".join(f"<li>{esc(m)}</li>\n" for m in missing) + "</ul>\n")


def sweep_html(spec: dict[str, Any], points: list[dict[str, Any]],
               scales: dict[str, Scale], decisions: list[PointDecision]) -> str:
    """The whole page."""
    body = (f"<h1>Sweep of {esc(spec['name'])}</h1>\n"
            f"<p class=\"meta\">{len(points)} points × {spec['replications']} replications "
            f"(seeds {esc(', '.join(map(str, spec['seeds'])))}), scenario "
            f"{esc(spec['scenario'])}; axes {esc(', '.join(spec['axes']))}. Every metric of "
            "every run is in runs.csv; means and 95 % intervals per point in points.csv.</p>\n"
            + section(spec, decisions, scales)
            + "<h2>Per point</h2>\n" + point_table(spec, points, scales)
            + "<h2>Charts</h2>\n" + charts(spec, points, scales))
    return page(f"Sweep: {spec['name']}", body)
