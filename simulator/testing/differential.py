"""The scenario-level differential: one scenario run on the model and on Dovecot, and
summary.json compared field by field (issue 12; the command-level traces are in
:mod:`simulator.conformance`). For client authors too: does my scenario give the same
results on a real server?"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simulator.backend.choice import on_backend
from simulator.runs import Results, run
from simulator.scenario import Scenario

SAME_BY_DESIGN = frozenset({"scenario.sha256"})
"""Fields that differ because the scenario differs (``server.backend`` is part of it)."""


def fields(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every leaf of a summary as (dotted path, value); lists are leaves."""
    if isinstance(value, dict):
        for key in sorted(value):
            yield from fields(value[key], f"{path}.{key}" if path else str(key))
    else:
        yield path, value


def both(scenario: Scenario, variant: str | None = None) -> tuple[Results, Results]:
    """``scenario`` run on the model and on Dovecot (same seed and variant)."""
    model = run(on_backend(scenario, "model"), variant=variant, keep_history=False)
    dovecot = run(on_backend(scenario, "dovecot"), variant=variant, keep_history=False)
    return model, dovecot


def differences(model: Results, dovecot: Results) -> dict[str, tuple[Any, Any]]:
    """Field -> (model's value, Dovecot's) for every field of summary.json that differs."""
    a, b = dict(fields(model.summary)), dict(fields(dovecot.summary))
    return {key: (a.get(key), b.get(key)) for key in sorted(a.keys() | b.keys())
            if key not in SAME_BY_DESIGN and a.get(key) != b.get(key)}


def shortened(scenario: Scenario, days: float) -> Scenario:
    """``scenario`` cut to its first ``days`` (a short version for the differential)."""
    if scenario.duration <= days * 86400:
        return scenario
    return scenario.model_copy(update={"duration": days * 86400})
