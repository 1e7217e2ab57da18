"""The decision as tables of plain-text cells, shared by the Markdown, HTML and terminal
renderers: one row per criterion in the order of concerns (hard failures first), then one
row per limit of the scenario's `decision:` block. Every cell is a value of comparison.json's
decision block, rounded for reading."""

from __future__ import annotations

from simulator.analysis.decision import CriterionResult, Decision
from simulator.analysis.explain import interval, names, show, unit_of

CRITERIA_HEAD = ["", "criterion", "concern", "means per run", "compared", "status", "best",
                 "paired difference of the best", "zone"]
LIMITS_HEAD = ["limit", "bound", "means per run", "outside"]


def status(c: CriterionResult) -> str:
    """'decided', 'equivalent', 'undecided', 'does not bear: why' or 'one variant left'."""
    if not c.bears:
        return f"does not bear: {c.why_not}"
    if c.status is None:
        return "one variant left"
    return c.status + ("" if c.deciding else " (after the choice)")


def best(c: CriterionResult) -> str:
    """The winners when decided, 'all within the zone' when equivalent, the one ahead on
    the paired runs when undecided."""
    if c.status == "decided":
        return names(c.winners)
    if c.status == "equivalent":
        return "all within the zone"
    if c.status == "undecided" and c.winners:
        return f"{c.winners[0]} ahead on the paired runs, not shown better"
    return "—"


def differences(c: CriterionResult) -> list[str]:
    """The best's paired difference against each other variant compared; variants equal
    to it on every replication are named together."""
    same = [p.other for p in c.pairs if p.exact and p.advantage == 0]
    out = [interval(c, p) for p in c.pairs if p.other not in same]
    if same:
        out.append(f"the same as {names(same)} on every replication")
    return out


def criterion_row(d: Decision, c: CriterionResult) -> list[str]:
    """One criterion's cells."""
    means = ", ".join(f"{v} {show(c.unit, c.means.get(v))}" for v in d.variants)
    gaps = "; ".join(differences(c)) or "—"
    compared = names(c.compared) if c.compared else "—"
    return [c.code, c.label, c.concern, means, compared, status(c), best(c), gaps,
            show(c.unit, c.zone)]


def criteria_rows(d: Decision) -> list[list[str]]:
    """Every criterion's cells, in the order they were judged."""
    return [criterion_row(d, c) for c in d.criteria]


def limits_rows(d: Decision) -> list[list[str]]:
    """Every limit's cells (none when the scenario sets no limit)."""
    rows = []
    for lim in d.limits:
        unit = unit_of(lim.key)
        word = "at most" if lim.side == "max" else "at least"
        means = ", ".join(f"{v} {show(unit, lim.values.get(v))}" for v in d.variants)
        rows.append([lim.name, f"{word} {show(unit, lim.bound)}", means,
                     names(lim.violators) if lim.violators else "none"])
    return rows


def summary_line(d: Decision) -> str:
    """'Decided on paired differences over 5 replications (paired-t, 95 %).' and, after
    --replications auto, why the replications stopped and what stayed undecided."""
    how = ("Kim & Nelson's procedure" if d.procedure == "kn"
           else "paired-t intervals (Bonferroni over the variants compared)")
    text = (f"Decided on paired differences over {d.replications} replication"
            f"{'s' if d.replications != 1 else ''} with common random numbers, by {how} at "
            f"{100 * d.confidence:.0f} % confidence.")
    if d.stopped:
        text += f" Replications stopped at {d.replications}: {d.stopped}."
    if d.undecided:
        open_ = [f"{c.code} {c.label}" for c in d.criteria if c.name in d.undecided]
        text += f" Undecided: {names(open_)}."
    return text
