"""Differential conformance: the same trace on the functional core and on a real Dovecot.

``check(trace)`` runs a :class:`Trace` on both sides and returns the differences between
their normalised observations; ``report`` prints them readably. See docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.conformance.diff import Difference, differences, report, unmet
from simulator.conformance.dovecot import Settings, missing
from simulator.conformance.dovecot_side import DovecotRunner
from simulator.conformance.model_side import ModelRunner
from simulator.conformance.runner import Observations
from simulator.conformance.trace import (
    Step,
    Trace,
    at,
    autologout,
    cmd,
    deliver,
    drop,
    open_,
    quit,
    reset_uidvalidity,
    trace,
)

__all__ = [
    "Difference",
    "Outcome",
    "Settings",
    "Step",
    "Trace",
    "at",
    "autologout",
    "check",
    "cmd",
    "deliver",
    "drop",
    "missing",
    "open_",
    "quit",
    "reset_uidvalidity",
    "trace",
]


@dataclass
class Outcome:
    """Both runs of a trace and where they differ."""

    trace: Trace
    model: Observations
    dovecot: Observations
    differences: list[Difference]

    @property
    def agree(self) -> bool:
        """Whether model and Dovecot agree on every observable."""
        return not self.differences

    def unmet(self) -> list[str]:
        """Expectations of the trace that either side does not show."""
        return [
            f"{run.side}: {problem}"
            for run in (self.model, self.dovecot)
            for problem in unmet(self.trace, run)
        ]

    def report(self) -> str:
        """A readable diff (with Dovecot's log when they disagree)."""
        text = report(self.trace, self.differences, self.dovecot if self.differences else None)
        problems = self.unmet()
        return text + "".join(f"\nunmet expectation: {p}" for p in problems)


def check(t: Trace) -> Outcome:
    """Run ``t`` on the model and on Dovecot and compare."""
    model = ModelRunner(t).run()
    real = DovecotRunner(t).run()
    return Outcome(t, model, real, differences(t, model, real))
