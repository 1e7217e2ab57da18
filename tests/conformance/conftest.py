"""Fixtures for the Dovecot conformance suite.

Dovecot missing: skipped locally with the reason, but a failure when ``CI=true`` (the suite
must not silently vanish from CI). Named traces run concurrently in a thread pool the first
time any of them is asked for: each is a few Dovecot processes waiting on pipes, and a
refused POP3 login waits 10 s for Dovecot's session lock, so running them one by one would
waste minutes. Each test then asserts on its own trace's outcome.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from simulator.conformance import Outcome, Trace, check, missing

WORKERS = 6
TRACE_TIMEOUT = 180.0


def require_dovecot() -> None:
    """Skip (or, with ``CI=true``, fail) when Dovecot cannot run on this machine."""
    reason = missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the Dovecot conformance suite cannot run: {reason}")
    pytest.skip(f"Dovecot not available: {reason}")


@pytest.fixture(scope="session")
def dovecot() -> None:
    """Dovecot is installed and usable (else skip/fail as :func:`require_dovecot` says)."""
    require_dovecot()


def _collected_traces(session: pytest.Session) -> list[Trace]:
    """The named traces of every collected test (parameter ``named``)."""
    found: dict[str, Trace] = {}
    for item in session.items:
        params = getattr(item, "callspec", None)
        value = params.params.get("named") if params is not None else None
        if isinstance(value, Trace):
            found.setdefault(value.name, value)
    return list(found.values())


@pytest.fixture(scope="session")
def outcome_of(
    request: pytest.FixtureRequest, dovecot: None
) -> Iterator[Callable[[Trace], Outcome]]:
    """``outcome_of(trace)``: the trace's outcome, computed with all collected named traces."""
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="trace")
    futures: dict[str, Future[Outcome]] = {
        t.name: pool.submit(check, t) for t in _collected_traces(request.session)
    }

    def get(t: Trace) -> Outcome:
        """Wait for ``t``'s outcome (started now if it was not collected up front)."""
        future = futures.get(t.name) or futures.setdefault(t.name, pool.submit(check, t))
        return future.result(timeout=TRACE_TIMEOUT)

    yield get
    pool.shutdown(wait=True, cancel_futures=True)
