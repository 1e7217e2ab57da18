"""The property hunt without a test file (``mailsim hunt``): hypothesis draws scenarios
where every device runs the given client, with faults if asked, runs each, checks one
property and, on failure, hands back the shrunk scenario and its run."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from simulator.runs import Results, run
from simulator.scenario import Scenario
from simulator.testing.assertions import (
    assert_converged,
    assert_no_anomalies,
    assert_nothing_lost,
    assert_valid,
)
from simulator.testing.faults import faults_in
from simulator.testing.strategies import scenarios
from simulator.world.world import client_class

PROPERTIES: dict[str, Callable[[Results], None]] = {
    "converged": assert_converged,
    "valid": assert_valid,
    "nothing-lost": assert_nothing_lost,
    "no-anomalies": assert_no_anomalies,
}
"""The properties a hunt can check, by the name the CLI takes."""
TOLD_FIRST: dict[str, tuple[str, ...]] = {
    "converged": ("diverged",), "valid": (), "nothing-lost": ("lost",),
    "no-anomalies": ("duplicate", "resurrected", "lost_flag_change", "local_only"),
}
"""Which of a failed run's troubles the explanation tells first, by property."""
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink)


@dataclass
class Hunt:
    """What a hunt tried and, if the property failed, the shrunk failing run."""

    examples: int = 0
    faults: int = 0
    failure: Results | None = None
    message: str = ""


def client_settings(path: str, protocol: str) -> st.SearchStrategy[dict[str, Any]]:
    """Each device's client: the class at ``path`` with a drawn poll (and IDLE for IMAP)."""
    options: dict[str, st.SearchStrategy[Any]] = {
        "class": st.just(path), "poll": st.sampled_from(["10m", "15m"])}
    if protocol == "imap":
        options["idle"] = st.booleans()
    return st.fixed_dictionaries(options)


def hunt_scenarios(client: str, protocol: str, faults: bool) -> st.SearchStrategy[Scenario]:
    """Scenarios of one person whose devices stay online and run ``client``, activity
    stopping 12 hours before the end so that a correct client converges."""
    return scenarios(protocol=protocol, client=client_settings(client, protocol),
                     always_online=True, events=False, max_users=1, quiet="12h",
                     faults=faults)


def hunt(client: str, protocol: str = "imap", faults: bool = True, examples: int = 50,
         prop: str = "converged", hunt_seed: int = 0, shrink: bool = True) -> Hunt:
    """Check ``prop`` over ``examples`` drawn scenarios; the same seed, the same hunt.
    Without ``shrink`` the first failing scenario is kept as found (quicker, bigger)."""
    check = PROPERTIES[prop]
    client_class(SimpleNamespace(client=SimpleNamespace(class_=client, external=None),
                                 protocol=protocol,
                                 id="--client"))  # a clear error now, not after a shrink
    found = Hunt()

    @seed(hunt_seed)
    @settings(max_examples=examples, deadline=None, database=None, print_blob=False,
              verbosity=Verbosity.quiet, phases=PHASES if shrink else PHASES[:-1],
              suppress_health_check=list(HealthCheck))
    @given(hunt_scenarios(client, protocol, faults))
    def attempt(scenario: Scenario) -> None:
        found.examples += 1
        found.faults += faults_in(scenario)
        results = run(scenario)
        try:
            check(results)
        except AssertionError as failed:
            found.failure, found.message = results, str(failed)
            raise

    with suppress(AssertionError):  # hypothesis replays the shrunk example last
        attempt()
    return found
