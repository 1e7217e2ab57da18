"""Random bounded traces (hypothesis) must give the same observables on the model and Dovecot.

Traces have at most 25 steps and 3 sessions, with random pinned settings (POP3 lock,
\\Seen after RETR, quota, bounce or defer). ``max_examples`` is kept modest so the whole
conformance suite stays within a few minutes on two cores; raise it locally with
``MAILSIM_CONFORMANCE_EXAMPLES`` to hunt harder. With ``CI`` set the traces are derandomized
(profile ``mailsim-ci``, tests/conftest.py): CI runs the same traces every time, so a rare
counterexample is found by hunting, not by a submission failing at random.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings

from simulator.conformance import Trace, check
from simulator.conformance.generate import traces

EXAMPLES = int(os.environ.get("MAILSIM_CONFORMANCE_EXAMPLES", "150"))


@pytest.mark.dovecot
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(random_trace=traces(max_steps=25, max_sessions=3))
def test_random_traces_agree_with_dovecot(random_trace: Trace, dovecot: None) -> None:
    """Any well-formed trace gives the same replies, news and final state on both sides."""
    outcome = check(random_trace)
    assert outcome.agree, outcome.report()
