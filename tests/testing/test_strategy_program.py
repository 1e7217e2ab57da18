"""``scenarios(client={"external": ...})``: a real program pinned on one device. The first
device of the first person runs it with exactly the given settings, every other device
keeps a drawn built-in client, the world's server is Dovecot, nobody has a second account
(a program syncs one), and ``hours`` keeps the runs short and awake (a Monday morning)."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from simulator.scenario import Scenario, ScenarioError
from simulator.testing.strategies import scenario_dicts, scenarios

NO_FLAGS = {"external": "mbsync", "poll": "30m",
            "options": {"sync": "Pull Push New ReNew Delete", "expunge": "Both"}}
DRAW = settings(max_examples=40, database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))


@DRAW
@given(scenarios(client=NO_FLAGS, max_users=2, max_devices=3, hours=6, quiet="2h"))
def test_the_pinned_program_runs_on_the_first_device_only(scenario: Scenario) -> None:
    """The scenario parses; u0/d0 runs mbsync with the given options; every other device of
    every person runs a built-in client; the server is Dovecot; six hours from 08:00."""
    people = scenario.expand()
    first = people[0].devices[0]
    assert (first.name, first.protocol) == ("d0", "imap")
    assert first.client.external == "mbsync"
    assert first.client.options == NO_FLAGS["options"]
    assert first.client.poll == 30 * 60
    others = [d for person in people for d in person.devices][1:]
    assert others and all(d.client.external is None for d in others)
    assert len(people[0].devices) >= 2
    assert scenario.server.backend == "dovecot"
    assert not any(person.accounts for person in people)
    assert scenario.duration == 6 * 3600 and scenario.quiet == 2 * 3600
    assert scenario.start == datetime(2026, 1, 5, 8, 0)


@DRAW
@given(scenario_dicts(protocol="imap", client=NO_FLAGS, max_users=1, max_devices=2,
                      hours=4, events=True))
def test_events_fall_within_the_hours(doc: dict[str, object]) -> None:
    """Scripted events of an hours-long scenario come in its first half."""
    for event in doc.get("events", []):  # type: ignore[attr-defined]
        assert int(event["at"].rstrip("h")) <= 2


@DRAW
@given(scenario_dicts(max_users=2))
def test_without_a_program_nothing_changes(doc: dict[str, object]) -> None:
    """Without a pinned program the model backend serves, days-long, from the default start."""
    assert "backend" not in doc["server"]  # type: ignore[operator]
    assert "start" not in doc and doc["duration"] == "2d"
    devices = [d for u in doc["users"] for d in u["devices"]]  # type: ignore[attr-defined]
    assert all("external" not in d["client"] for d in devices)


def test_a_bad_program_option_is_refused_when_the_scenario_loads() -> None:
    """A pinned program's options are checked by the scenario loader, naming the key."""
    bad = {"external": "mbsync", "options": {"sink": "All"}}

    @settings(max_examples=1, database=None, deadline=None)
    @given(scenarios(client=bad, max_users=1, hours=4))
    def load(scenario: Scenario) -> None:
        raise AssertionError("a bad option loaded")

    with pytest.raises(ScenarioError, match="sink"):
        load()
