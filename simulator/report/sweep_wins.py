"""Who wins where, drawn: a strip with one column per point of the other axes and one row
for the recommendation and each criterion (the cell in the winning variant's colour), a
region map of the recommendation over two other axes, and the table of reasons."""

from __future__ import annotations

from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.patches import Patch, Rectangle

from simulator.analysis import criteria as cr
from simulator.analysis.wins import PointDecision
from simulator.report import plots
from simulator.report.figures import Plot
from simulator.report.page import esc, figure, table
from simulator.report.sweep_plots import Scale, axis_text

TIE = "#d9d9d9"
UNDECIDED_ALPHA = 0.35


def _cell(ax: Axes, x: float, y: float, colour: str, text: str, alpha: float = 1.0) -> None:
    """One coloured cell with its text."""
    ax.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, facecolor=colour, alpha=alpha,
                           edgecolor="white", linewidth=1.5))
    ax.text(x, y, text, ha="center", va="center", fontsize=7,
            color="white" if alpha == 1.0 and colour != TIE else "black")


def rows_shown(decisions: list[PointDecision]) -> list[str]:
    """The criteria that bear at some point (the others would be a row of dashes)."""
    names = [b.name for b in decisions[0].best]
    return [n for i, n in enumerate(names)
            if any(d.best[i].status is not None for d in decisions)]


def strip(decisions: list[PointDecision], variants: list[str]) -> Plot:
    """Columns: the points; rows: the recommendation, then each criterion's best."""
    names = rows_shown(decisions)
    colour = {v: plots.colour(i) for i, v in enumerate(variants)}
    width = max(6.0, 2.6 + 0.95 * len(decisions))
    with rc_context(plots.STYLE):
        fig, ax = plots.new_figure((width, 0.9 + 0.32 * (len(names) + 1)))
        for c, d in enumerate(decisions):
            rec = d.decision.recommended
            if rec is None:
                _cell(ax, c, 0, TIE, "none")
            else:
                _cell(ax, c, 0, colour[rec], rec + ("?" if d.decision.provisional else ""),
                      UNDECIDED_ALPHA if d.decision.provisional else 1.0)
            bests = {b.name: b for b in d.best}
            for r, name in enumerate(names, start=1):
                b = bests[name]
                if b.status is None:
                    _cell(ax, c, r, "#ffffff", "—")
                elif b.status == "equivalent":
                    _cell(ax, c, r, TIE, "≈ all")
                else:
                    undecided = b.status == "undecided"
                    _cell(ax, c, r, colour[b.shown], b.shown + ("?" if undecided else ""),
                          UNDECIDED_ALPHA if undecided else 1.0)
        ax.set_xlim(-0.5, len(decisions) - 0.5)
        ax.set_ylim(len(names) + 0.5, -0.5)
        ax.set_xticks(range(len(decisions)), [d.label for d in decisions], fontsize=7,
                      rotation=20 if len(decisions) > 4 else 0, ha="right"
                      if len(decisions) > 4 else "center")
        ax.set_yticks(range(len(names) + 1), ["Recommended"] + [
            f"{cr.BY_NAME[n].code} {cr.BY_NAME[n].label}" for n in names], fontsize=7)
        ax.grid(False)
        ax.tick_params(length=0)
        for side in ("left", "bottom"):
            ax.spines[side].set_visible(False)
        ax.legend(handles=[Patch(color=colour[v], label=v) for v in variants],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    caption = ("Each column is a point of the other axes; each row the recommendation or "
               "one criterion judged over all variants on paired replications (same seeds). "
               "Solid: decided at 95 %; faded with '?': undecided, best mean shown; "
               "'≈ all': every variant within the criterion's indifference zone; "
               "'—': the criterion does not bear there. Rows that bear nowhere are left out.")
    return Plot("sweep-wins", "Who wins where", caption, plots.to_svg(fig, "sweep-wins"))


def region(spec: dict[str, Any], decisions: list[PointDecision], variants: list[str],
           scales: dict[str, Scale]) -> Plot:
    """The recommended variant over the two other axes (x: the first, y: the second)."""
    xs = list(dict.fromkeys(str(d.where[0][1]) for d in decisions))
    ys = list(dict.fromkeys(str(d.where[1][1]) for d in decisions))
    x_axis, y_axis = decisions[0].where[0][0], decisions[0].where[1][0]
    colour = {v: plots.colour(i) for i, v in enumerate(variants)}
    with rc_context(plots.STYLE):
        fig, ax = plots.new_figure((max(5.0, 2.4 + 1.1 * len(xs)), 1.2 + 0.5 * len(ys)))
        for d in decisions:
            c, r = xs.index(str(d.where[0][1])), ys.index(str(d.where[1][1]))
            rec = d.decision.recommended
            if rec is None:
                _cell(ax, c, r, TIE, "none")
            else:
                _cell(ax, c, r, colour[rec], rec + ("?" if d.decision.provisional else ""),
                      UNDECIDED_ALPHA if d.decision.provisional else 1.0)
        ax.set_xlim(-0.5, len(xs) - 0.5)
        ax.set_ylim(-0.5, len(ys) - 0.5)
        ax.set_xticks(range(len(xs)), [axis_text(spec, scales, x_axis, v) for v in xs])
        ax.set_yticks(range(len(ys)), [axis_text(spec, scales, y_axis, v) for v in ys])
        ax.set_xlabel(x_axis)
        ax.set_ylabel(y_axis)
        ax.grid(False)
        ax.tick_params(length=0)
        ax.legend(handles=[Patch(color=colour[v], label=v) for v in variants],
                  loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    caption = ("The variant recommended at each point of the two other axes; where the "
               "colour changes, so does the better choice. Faded with '?': provisional "
               "(a criterion met before the choice was undecided).")
    return Plot("sweep-region", f"Recommended variant by {x_axis} and {y_axis}", caption,
                plots.to_svg(fig, "sweep-region"))


def section(spec: dict[str, Any], decisions: list[PointDecision],
            scales: dict[str, Scale]) -> str:
    """The page's 'Who wins where' section: charts, then a table of recommendations."""
    variants = list(dict.fromkeys(str(v) for v in spec["values"].get("variant", [])))
    if not decisions:
        return ("<h2>Who wins where</h2>\n<p>The grid has no <code>variant</code> axis with "
                "two values or more, so there is nothing to decide between; add e.g. "
                "<code>--grid variant=pop3,imap</code>.</p>\n")
    intro = ("<h2>Who wins where</h2>\n<p>At each point of the other axes the variants are "
             "decided between as <code>mailsim compare</code> does: limits, hard failures, "
             "then the decision guide's criteria in the scenario's order, then cost. "
             "points.csv carries the same columns (<code>recommended</code>, "
             "<code>provisional</code>, <code>best.*</code>).</p>\n")
    charts = ([region(spec, decisions, variants, scales)] if len(decisions[0].where) == 2 else [])
    charts.append(strip(decisions, variants))
    rows: list[list[str]] = []
    for d in decisions:
        rec = d.decision.recommended
        rows.append([esc(d.label), f"<strong>{esc(rec)}</strong>" if rec else "none",
                     "provisional" if d.decision.provisional else "settled",
                     esc(d.decision.reason)])
    return (intro + "".join(figure(p) for p in charts)
            + table(["point", "recommended", "status", "why"], rows,
                    caption="The recommendation per point and what chose it"))

