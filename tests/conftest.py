"""Shared pytest options: ``--update-goldens`` rewrites the stored golden outputs; with
``CI`` set every hypothesis test runs the derandomized ``mailsim-ci`` profile."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# CI runs the same examples every time, so a rare counterexample cannot fail a submission at
# random; hunt locally without ``CI`` (or with ``MAILSIM_HYPOTHESIS_PROFILE=default``).
settings.register_profile("mailsim-ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("slow", max_examples=500, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
"""For hunting: ``pytest tests/faults tests/properties --hypothesis-profile=slow``."""


def hypothesis_profile(environ: os._Environ[str] | dict[str, str]) -> str:
    """The profile to load: ``MAILSIM_HYPOTHESIS_PROFILE`` if set, else ``mailsim-ci`` in CI."""
    chosen = environ.get("MAILSIM_HYPOTHESIS_PROFILE")
    if chosen:
        return chosen
    return "mailsim-ci" if environ.get("CI", "") not in ("", "0", "false") else "default"


settings.load_profile(hypothesis_profile(os.environ))  # before any test module builds settings


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register mailsim's own test options."""
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current code")


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """Whether this run rewrites golden files instead of comparing with them."""
    return bool(request.config.getoption("--update-goldens"))
