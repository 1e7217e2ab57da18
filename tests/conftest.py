"""Shared pytest options: ``--update-goldens`` rewrites the stored golden outputs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("slow", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
"""For hunting: ``pytest tests/faults tests/properties --hypothesis-profile=slow``."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register mailsim's own test options."""
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current code")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-goldens"))
