"""Fixtures for the Dovecot backend: skipped with the reason when Dovecot cannot run here,
a failure under ``CI=true`` (the suite must not silently vanish from CI), as for the
conformance suite."""

from __future__ import annotations

import pytest

from tests.conformance.conftest import require_dovecot


@pytest.fixture(scope="session")
def dovecot() -> None:
    """Dovecot is installed and usable (else skip, or fail under CI=true)."""
    require_dovecot()
