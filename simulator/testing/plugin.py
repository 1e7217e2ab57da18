"""pytest plugin (entry point ``pytest11``): registers mailsim's markers for users' suites."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Declare the markers mailsim's fixtures and strategies use."""
    config.addinivalue_line("markers", "mailsim: a test that runs a mailsim scenario")
