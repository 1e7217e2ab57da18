"""What ``mailsim sweep`` shows when it is done: the per-point table of headline metrics
in their units (as ``compare`` shows its table), and the recommended variant per point."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from simulator.analysis import fmt
from simulator.analysis.metrics import BY_KEY
from simulator.analysis.wins import PointDecision
from simulator.report.sweep_page import HEADLINE
from simulator.report.sweep_plots import Scale, axis_text
from simulator.report.terminal import print_natural


def sweep_table(spec: dict[str, Any], points: list[dict[str, Any]],
                scales: dict[str, Scale]) -> Table:
    """Rows = points, columns = axes then headline metrics: mean (± 95 % CI below)."""
    reps = spec["replications"]
    marked = bool(points) and "recommended" in points[0]
    table = Table(title=f"{spec['name']}: {len(points)} points × {reps} replication"
                        f"{'s' if reps > 1 else ''}",
                  caption="mean (± 95% CI below)" + ("; ★ recommended at its point"
                                                     if marked else ""),
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    for axis in spec["axes"]:
        table.add_column(axis, no_wrap=True)
    table.add_column("valid")
    for key in HEADLINE:
        table.add_column(BY_KEY[key].label, justify="right", max_width=16)
    for row in points:
        cells = [Text(axis_text(spec, scales, a, row[a])) for a in spec["axes"]]
        if marked and str(row.get("variant")) == row["recommended"]:
            cells[spec["axes"].index("variant")].append(" ★", style="bold green")
        cells.append(Text("yes" if row["all_valid"] else "NO",
                          style="" if row["all_valid"] else "bold red"))
        for key in HEADLINE:
            unit, mean, ci = BY_KEY[key].unit, row[f"{key}.mean"], row[f"{key}.ci95"]
            text = Text(fmt.short(unit, mean))
            if ci:
                text.append(f"\n±{fmt.short(unit, ci)}", style="dim")
            cells.append(text)
        table.add_row(*cells)
    return table


def recommendations(decisions: list[PointDecision]) -> list[str]:
    """One line per point of the other axes: the recommended variant and why."""
    lines = []
    for d in decisions:
        pick = d.decision.recommended or "none"
        note = " (provisional)" if d.decision.provisional else ""
        lines.append(f"{d.label}: {pick}{note} — {d.decision.reason}")
    return lines


def print_sweep(console: Console, spec: dict[str, Any], points: list[dict[str, Any]],
                scales: dict[str, Scale], decisions: list[PointDecision]) -> None:
    """The table (at its natural width when not on a terminal), then the recommendations."""
    table = sweep_table(spec, points, scales)
    print_natural(console, table)
    if decisions:
        console.print("Recommended per point:", markup=False, highlight=False)
        for line in recommendations(decisions):
            console.print("  " + line, markup=False, highlight=False, soft_wrap=True)
