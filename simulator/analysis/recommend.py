"""The one-paragraph recommendation built from the decision guide's findings: which variant
wins most of the criteria that bear on this organisation, what it gives up, and which
criteria do not decide anything here (and why)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.analysis import fmt
from simulator.analysis.finding import Finding
from simulator.analysis.guide import names

if TYPE_CHECKING:
    from simulator.analysis.comparison import Comparison


def scores(c: Comparison, findings: list[Finding]) -> dict[str, int]:
    """Per variant, how many counting criteria it is best (or tied best) on."""
    counted = [f for f in findings if f.counts]
    return {v: sum(v in f.winners for f in counted) for v in c.variants}


def pick(c: Comparison, findings: list[Finding]) -> str:
    """The recommended variant: most criteria won, then the higher agreement, then order."""
    score = scores(c, findings)

    def rank(v: str) -> tuple[int, float, int]:
        """Sort key: criteria won, agreement, earlier in the list."""
        agreement = c.mean("consistency.agreement", v) or 0.0
        return score[v], agreement, -c.variants.index(v)

    return max(c.variants, key=rank)


def label(c: Comparison, variant: str) -> str:
    """'imap (IMAP)'."""
    return f"{variant} ({'/'.join(p.upper() for p in c.protocols[variant])})"


def _cost(c: Comparison, f: Finding, choice: str) -> str:
    """What ``choice`` gives up on a criterion it does not win."""
    unit = c.row(f.key).metric.unit
    mine = fmt.value(unit, c.mean(f.key, choice))
    theirs = fmt.value(unit, c.mean(f.key, f.winners[0]))
    what = c.row(f.key).metric.label.lower()
    return f"{f.short} ({f.code}: {what} {mine} against {theirs} for {names(f.winners)})"


def _idle(f: Finding) -> str:
    """Why a criterion does not weigh in here."""
    if not f.applies:
        return f"{f.code} ({f.short}) does not arise"
    if not f.bites:
        return f"{f.code} ({f.short}) is not a constraint at these levels"
    return f"{f.code} ({f.short}) does not separate the variants"


def recommendation(c: Comparison, findings: list[Finding]) -> str:
    """The paragraph, in plain text."""
    counted = [f for f in findings if f.counts]
    choice = pick(c, findings)
    won = [f for f in counted if choice in f.winners]
    parts = []
    if counted:
        codes = ", ".join(f"{f.code} {f.short}" for f in won) or "none"
        parts.append(f"On this scenario's numbers, {label(c, choice)} is the variant to choose: "
                     f"it is best on {len(won)} of the {len(counted)} criteria that bear on "
                     f"this organisation ({codes}).")
    else:
        parts.append("None of the guide's criteria separates the variants on this "
                     "scenario's numbers, so any of them will do here.")
    lost = [f for f in counted if choice not in f.winners]
    if lost:
        parts.append("It gives up " + "; ".join(_cost(c, f, choice) for f in lost) + ".")
    if counted:
        parts += _alternatives(c, findings, choice)
    idle = [f for f in findings if not f.counts]
    if idle:
        parts.append("Not deciding here: " + "; ".join(_idle(f) for f in idle) + ".")
    if not c.valid:
        bad = [v for v in c.variants if not all(c.verdicts[v])]
        parts.append(f"Caution: runs of {names(bad)} broke a simulator invariant (verdict "
                     "false), so their numbers point at a bug rather than at the protocol.")
    return " ".join(parts)


def _alternatives(c: Comparison, findings: list[Finding], choice: str) -> list[str]:
    """The best variant of each other protocol, and what it wins."""
    score = scores(c, findings)
    counted = [f for f in findings if f.counts]
    out = []
    mine = set(c.protocols[choice])
    others = sorted({p for v in c.variants for p in c.protocols[v]} - mine)
    for proto in others:
        pool = [v for v in c.variants if proto in c.protocols[v]]
        best = max(pool, key=lambda v: (score[v], -c.variants.index(v)))
        wins = [f"{f.code} {f.short}" for f in counted if best in f.winners]
        what = f"wins {', '.join(wins)}" if wins else "wins none of them"
        out.append(f"The best {proto.upper()} variant, {best}, {what}.")
    return out
