"""Properties over random small scenarios (hypothesis): the verdict always holds, runs are
deterministic, and IMAP full-cache devices that stay online converge."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from simulator.runs import run
from simulator.scenario import Scenario
from simulator.testing.assertions import (
    assert_converged,
    assert_no_anomalies,
    assert_nothing_lost,
    assert_valid,
)
from simulator.testing.strategies import scenarios

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(scenarios())
def test_every_message_is_accounted_for_in_any_scenario(scenario: Scenario) -> None:
    """Whatever the protocols, settings and events: the verdict is valid."""
    assert_valid(run(scenario, keep_history=False))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_the_same_scenario_and_seed_give_the_same_bytes(scenario: Scenario) -> None:
    """Determinism: running a scenario twice gives byte-identical summary.json."""
    assert run(scenario).summary_json() == run(scenario).summary_json()


@SETTINGS
@given(scenarios(protocol="imap", client={"cache": "full", "idle": True, "poll": "15m"},
                 always_online=True, events=False, quiet="6h"))
def test_imap_full_cache_always_online_converges_after_a_quiet_stretch(
        scenario: Scenario) -> None:
    """All devices online, IMAP with a full cache: once activity stops, every device shows
    exactly the person's intent, and nothing was duplicated, resurrected or lost."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_converged(results)
    assert_nothing_lost(results)
    assert_no_anomalies(results, ["duplicate", "resurrected", "lost_flag_change"])


@SETTINGS
@given(scenarios(protocol="imap", client={"cache": "full", "idle": False, "poll": "10m",
                                          "resync": "base"},
                 always_online=True, events=False, quiet="6h"))
def test_imap_polling_with_base_resync_converges_too(scenario: Scenario) -> None:
    """Without IDLE or CONDSTORE, polling with a full flag resync still converges."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_converged(results)
