"""One claim runner for the whole claims test package: each claim scenario runs once per
(variant, seed), with the same number of seeds as docs/make_claims.py uses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.compare.claims import Outcome, Runner
from simulator.compare.claimset import claim

REPLICATIONS = 2


@pytest.fixture(scope="package")
def runner() -> Runner:
    """The shared claim runner."""
    return Runner(replications=REPLICATIONS)


@pytest.fixture(scope="package")
def outcome(runner: Runner) -> Callable[[str], Outcome]:
    """outcome("P3, P9") -> that claim group measured and judged (cached)."""
    cache: dict[str, Outcome] = {}

    def get(ids: str) -> Outcome:
        """Measure and judge once, then reuse."""
        if ids not in cache:
            cache[ids] = runner.evaluate(claim(ids))
        return cache[ids]

    return get
