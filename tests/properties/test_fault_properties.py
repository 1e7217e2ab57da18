"""The built-in POP3 client under the faults of ``scenarios(faults=True)``: whatever drops,
outages, network failures and partitions happen, every message stays accounted for and
none is lost. (The built-in IMAP client's property under the same faults, convergence
included, is in tests/faults/test_recovery.py.) ``pytest --hypothesis-profile=slow`` hunts
longer."""

from __future__ import annotations

from hypothesis import given

from simulator.runs import run
from simulator.scenario import Scenario
from simulator.testing.assertions import assert_nothing_lost, assert_valid
from simulator.testing.strategies import POP3_CLIENTS, scenarios
from tests.faults.helpers import hunt_settings


@hunt_settings(40)
@given(scenarios(protocol="pop3", client=POP3_CLIENTS, always_online=True, events=False,
                 max_users=1, quiet="12h", faults=True))
def test_builtin_pop3_clients_stay_valid_with_nothing_lost_after_faults(
        scenario: Scenario) -> None:
    """POP3 devices keep every message accounted for and lose none, whatever breaks."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_nothing_lost(results)
