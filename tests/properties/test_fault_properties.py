"""The built-in clients under the faults of ``scenarios(faults=True)``: whatever drops,
outages, network failures, partitions and UIDVALIDITY resets happen before the quiet
stretch, the verdict holds, nothing is lost and every always-online device converges.
``pytest --hypothesis-profile=slow`` hunts longer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.runs import run
from simulator.scenario import Scenario
from simulator.testing.assertions import assert_converged, assert_nothing_lost, assert_valid
from simulator.testing.strategies import POP3_CLIENTS, scenarios
from tests.faults.helpers import hunt_settings

IMAP_CLIENTS = st.fixed_dictionaries({
    "cache": st.sampled_from(["full", "none"]), "idle": st.booleans(),
    "poll": st.sampled_from(["10m", "15m"]),
    "resync": st.sampled_from(["base", "condstore", "qresync"]),
    "delete": st.sampled_from(["trash", "expunge"]),
})
"""Every cache but `headers`: a lost BODY[] reply marks mail read there (a known bug being
fixed on its own branch); add it back once that lands."""


@hunt_settings(40)
@given(scenarios(protocol="imap", client=IMAP_CLIENTS, always_online=True, events=False,
                 max_users=1, quiet="12h", faults=True))
def test_builtin_imap_clients_converge_with_nothing_lost_after_faults(
        scenario: Scenario) -> None:
    """IMAP devices that stay online end as the person expects, with nothing lost."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_converged(results)
    assert_nothing_lost(results)


@hunt_settings(40)
@given(scenarios(protocol="pop3", client=POP3_CLIENTS, always_online=True, events=False,
                 max_users=1, quiet="12h", faults=True))
def test_builtin_pop3_clients_stay_valid_with_nothing_lost_after_faults(
        scenario: Scenario) -> None:
    """POP3 devices keep every message accounted for and lose none, whatever breaks."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_nothing_lost(results)

