"""One set of claim runs for the whole claims test package: each claim scenario runs once
per (variant, seed), with the same number of seeds as `mailsim claims` uses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from simulator.analysis.claims import ClaimRuns
from simulator.analysis.claimset import claim
from simulator.analysis.finding import Finding
from simulator.scenario.bundled import CLAIM_SCENARIOS

REPLICATIONS = 2


@pytest.fixture(scope="package")
def runs() -> ClaimRuns:
    """The shared claim runs, on the claim scenarios mailsim ships."""
    return ClaimRuns(CLAIM_SCENARIOS, replications=REPLICATIONS)


@pytest.fixture(scope="package")
def finding(runs: ClaimRuns) -> Callable[[str], Finding]:
    """finding("P3, P9") -> that claim group measured and judged (cached)."""
    cache: dict[str, Finding] = {}

    def get(ids: str) -> Finding:
        """Measure and judge once, then reuse."""
        if ids not in cache:
            cache[ids] = runs.judge(claim(ids))
        return cache[ids]

    return get
