"""Compare the model's and Dovecot's runs of a trace and print a readable diff.

A few differences are legitimate implementation choices, not model errors; they are
normalised here, each with the reason (and listed in docs/fidelity.md):

- ``SELECT`` of a missing mailbox: the model answers ``NO [NONEXISTENT]`` (RFC 5530),
  Dovecot 2.3 a plain ``NO``. Only the failure is compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.conformance.runner import Obs, Observations
from simulator.conformance.trace import Trace

IGNORED_CODES = {("select", "NONEXISTENT")}
"""(command, response code) pairs where only one side names a code; compared as no code."""


@dataclass(frozen=True)
class Difference:
    """One observable on which the two sides disagree."""

    where: str
    what: str
    model: Any
    dovecot: Any

    def __str__(self) -> str:
        return (
            f"{self.where}: {self.what}\n    model:   {self.model!r}\n    dovecot: {self.dovecot!r}"
        )


def normalise(trace: Trace, index: int, obs: Obs) -> Obs:
    """Apply the documented normalisations to one step's observation."""
    step = trace.steps[index]
    if (step.name, obs.get("code", "")) in IGNORED_CODES:
        obs = {**obs, "code": ""}
    return obs


def differences(trace: Trace, model: Observations, dovecot: Observations) -> list[Difference]:
    """Every step observable and final-state folder where the sides disagree."""
    found: list[Difference] = []
    for index, (m, d) in enumerate(zip(model.steps, dovecot.steps, strict=True)):
        m, d = normalise(trace, index, m), normalise(trace, index, d)
        where = f"step {index} {trace.steps[index]}"
        for key in sorted(set(m) | set(d)):
            if m.get(key) != d.get(key):
                found += _explain(where, key, m.get(key), d.get(key))
    for folder in sorted(set(model.final) | set(dovecot.final)):
        m_rows, d_rows = model.final.get(folder, []), dovecot.final.get(folder, [])
        if sorted(m_rows) != sorted(d_rows):
            found.append(Difference("final state", folder, sorted(m_rows), sorted(d_rows)))
    return found


def _explain(where: str, key: str, m: Any, d: Any) -> list[Difference]:
    """Split a dict-valued observable (updates, select info) into its differing parts."""
    if isinstance(m, dict) and isinstance(d, dict):
        return [
            Difference(where, f"{key}.{sub}", m.get(sub), d.get(sub))
            for sub in sorted(set(m) | set(d))
            if m.get(sub) != d.get(sub)
        ]
    return [Difference(where, key, m, d)]


def report(trace: Trace, found: list[Difference], dovecot: Observations | None = None) -> str:
    """The trace, then each difference; Dovecot's log last when given."""
    lines = [str(trace), "", f"{len(found)} difference(s) between model and Dovecot:"]
    lines += [str(d) for d in found]
    if dovecot is not None and dovecot.log:
        lines += ["", "dovecot log:", dovecot.log[-3000:]]
    return "\n".join(lines)


def lookup(run: Observations, where: int | str, key: str) -> Any:
    """The observation at step ``where`` (or ``"final"``) under the dotted ``key``."""
    value: Any = run.final if where == "final" else run.steps[int(where)]
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def unmet(trace: Trace, run: Observations) -> list[str]:
    """The trace's expectations that ``run`` does not satisfy, described."""
    problems = []
    for where, key, wanted in trace.expect:
        got = lookup(run, where, key)
        if got != wanted:
            problems.append(f"step {where} {key}: expected {wanted!r}, got {got!r}")
    return problems
