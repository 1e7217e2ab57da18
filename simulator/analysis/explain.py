"""The decision's paragraph, in plain text (valid Markdown), built from the Decision alone:
hard failures first with their numbers, then the limits, the recommendation and the
criterion that made it, what it gives up, what stayed undecided, and what does not bear.
Every number is a value of the Decision's JSON, rounded for reading."""

from __future__ import annotations

from simulator.analysis.decision import CriterionResult, Decision, Pair
from simulator.analysis.metrics import BY_KEY


def show(unit: str, x: float | None) -> str:
    """A value for people: 99.2 %, 29.2 MB, 12.5 s, 1,234 or 94.3."""
    if x is None:
        return "no figure"
    if unit == "ratio":
        return f"{100 * x:.1f} %"
    if unit == "bytes":
        for div, name in ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "KB")):
            if abs(x) >= div:
                return f"{x / div:.3g} {name}"
        return f"{x:.0f} B"
    if unit == "s":
        return f"{x:,.1f} s"
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.1f}"


def names(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}"


def label(d: Decision, variant: str) -> str:
    """'imap (IMAP)' when the protocols are known, else the name."""
    protos = d.protocols.get(variant)
    return f"{variant} ({'/'.join(p.upper() for p in protos)})" if protos else variant


def hard_failures(d: Decision) -> list[str]:
    """One sentence per hard failure some variant has, with every variant's mean."""
    out = []
    for c in d.criteria:
        if c.concern != "hard failure" or not any(c.means.get(v) for v in d.variants):
            continue
        listing = ", ".join(f"{v} {show('count', c.means[v] or 0.0)}" for v in d.variants)
        out.append(f"Hard failure, {c.label} (mean per run over {d.replications} "
                   f"replications): {listing}.")
        mine = c.means.get(d.recommended or "") or 0.0
        clean = [v for v in d.variants if not c.means.get(v)]
        if d.recommended and mine > 0 and clean:
            out.append(f"The recommended variant {d.recommended} has {c.label} "
                       f"({show('count', mine)} per run) where {names(clean)} "
                       f"{'has' if len(clean) == 1 else 'have'} none.")
    return out


def limits(d: Decision) -> list[str]:
    """Which variants are outside which limit, with the numbers."""
    out = []
    for lim in d.limits:
        if lim.violators:
            word = "at most" if lim.side == "max" else "at least"
            unit = unit_of(lim.key)
            vals = ", ".join(f"{v} {show(unit, lim.values[v])}" for v in lim.violators)
            out.append(f"Outside the limit {lim.name} ({word} {show(unit, lim.bound)}): "
                       f"{vals}.")
    return out


def unit_of(key: str) -> str:
    """The unit of a limit's metric, from the metric registry."""
    return BY_KEY[key].unit


def interval(c: CriterionResult, p: Pair) -> str:
    """'94.3 fewer than imap (95 % confidence bounds 38.4 and 150.2)' for one pair; each
    bound is one-sided, so together they are the 90 % paired interval."""
    word = "more" if c.better == "higher" else "fewer" if c.unit == "count" else "less"
    points = " percentage points" if c.unit == "ratio" else ""
    amount = f"{100 * p.advantage:.1f}" if c.unit == "ratio" else show(c.unit, p.advantage)
    gap = f"{amount}{points} {word} than {p.other}"
    if p.exact:
        return f"{gap} on every replication"
    if p.low is None or p.high is None or p.low == float("-inf"):
        return f"{gap} (one replication: no interval)"
    conf = f"{100 * p.confidence:.4g} %"
    low, high = (f"{100 * x:.1f}" if c.unit == "ratio" else show(c.unit, x)
                 for x in (p.low, p.high))
    return f"{gap} ({conf} confidence bounds {low} and {high})"


def choice(d: Decision) -> list[str]:
    """The recommendation and the criterion that made it."""
    if d.recommended is None:
        return ["No variant can be recommended: every variant is outside a limit of the "
                "scenario's decision block."]
    text = [f"Recommended: {label(d, d.recommended)}, because {d.reason}."]
    for c in d.criteria:
        if c.deciding and c.status in ("decided", "undecided") and d.recommended in c.winners:
            gaps = "; ".join(interval(c, p) for p in c.pairs if p.best == d.recommended
                             and (p.shows == "better" or p.advantage > c.zone))
            if gaps:
                text.append(f"On {c.code} {c.label} ({c.status}; differences under "
                            f"{show(c.unit, c.zone)} do not matter) {d.recommended} has "
                            f"{gaps}.")
    return text


def gives_up(d: Decision) -> list[str]:
    """Criteria judged after the choice on which another variant is better."""
    lost = [c for c in d.criteria if c.bears and not c.deciding and c.status == "decided"
            and d.recommended is not None and d.recommended not in c.winners]
    if not lost:
        return []
    parts = [f"{c.code} {c.label} ({names(c.winners)}: {show(c.unit, c.means[c.winners[0]])} "
             f"against {show(c.unit, c.means[d.recommended or ''])})" for c in lost]
    return ["It gives up " + "; ".join(parts) + "."]


def undecided(d: Decision) -> list[str]:
    """What the replications could not decide (and, when replications were added until
    decided, the procedure that settled the rest)."""
    settled = []
    if d.procedure == "kn":
        until = f"until {d.stopped}" if d.stopped else "until each criterion was settled"
        settled = [f"Replications were added {until}: {d.replications} replications, judged "
                   f"by Kim & Nelson's procedure (first stage {d.first_stage}; the best is "
                   f"chosen with probability at least {100 * d.confidence:.0f} % when it is "
                   "better by more than the zone)."]
    if not d.undecided:
        return settled
    codes = names([f"{c.code} {c.label}" for c in d.criteria if c.name in d.undecided])
    plural = "s" if d.replications != 1 else ""
    them = "them" if len(d.undecided) > 1 else "it"
    return [*settled, f"Provisional: {codes} stayed undecided after {d.replications} "
            f"replication{plural}; more replications are needed to settle {them}."]


def idle(d: Decision) -> list[str]:
    """The criteria that do not bear on this organisation, and why."""
    off = [f"{c.code} {c.label} ({c.why_not})" for c in d.criteria if not c.bears]
    return ["Not bearing here: " + "; ".join(off) + "."] if off else []


def paragraph(d: Decision) -> str:
    """The whole paragraph: hard failures, limits, choice, costs, doubts, what is idle."""
    return " ".join(hard_failures(d) + limits(d) + choice(d) + gives_up(d) + undecided(d)
                    + idle(d))
