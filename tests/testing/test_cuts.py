"""Exhaustive drops (``simulator.testing.cuts``): the first run lists each command the
device sends with its sync, step, folder and queue; each cut fires exactly at its command,
before or after it; a cut scenario is an ordinary scenario that reruns the same way; and a
client robust at every step passes every cut."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from simulator.observe.history import Drop
from simulator.runs import run
from simulator.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from simulator.testing.cuts import cut_scenario, cuts_csv, exhaustive_drops, steps

SMALL = Path(__file__).parents[2] / "examples" / "small.yaml"
HOUR = 3600.0


@cache
def small() -> Scenario:
    """Two built-in IMAP devices of one person for a day (examples/small.yaml)."""
    return load_scenario(SMALL)


def test_steps_list_each_command_of_each_sync_with_its_folder_and_queue() -> None:
    """Syncs are numbered in order, steps restart at 0, a SELECT sets the folder of the
    commands after it, and an APPEND to Sent is sent with work queued."""
    found = steps(small(), "u0/laptop", 7 * HOUR, 8 * HOUR)
    assert found and all(7 * HOUR <= s.t <= 8 * HOUR for s in found)
    assert [s.sync for s in found] == sorted(s.sync for s in found)
    assert all(s.step == 0 for i, s in enumerate(found)
               if i and found[i - 1].sync != s.sync)
    selects = [s for s in found if s.command == "select"]
    assert selects and all(s.folder == s.arg for s in selects)
    appends = [s for s in found if s.command == "append"]
    assert appends and all(s.pending and s.arg == "Sent" for s in appends)
    assert "append Sent" in appends[0].describe()


def test_each_cut_fires_exactly_at_its_command() -> None:
    """The drop armed for a step breaks the connection at that command (same time, same
    name, before or after as asked) and nowhere earlier."""
    found = [s for s in steps(small(), "u0/laptop", 7 * HOUR, 7.5 * HOUR)
             if s.armed_at is not None]
    for step in found[:: max(1, len(found) // 8)]:
        for when in ("before", "after"):
            drops = [d for d in run(cut_scenario(small(), "u0/laptop", step, when))
                     .history.every(Drop) if d.device == "u0/laptop"]
            assert drops[0].command == step.command and drops[0].when == when
            assert drops[0].cause == "scripted"
            assert drops[0].t == step.t if when == "before" else drops[0].t >= step.t


def test_a_cut_scenario_is_an_ordinary_scenario_that_reruns_the_same() -> None:
    """Written out and read back, a cut scenario gives the same summary, byte for byte."""
    step = next(s for s in steps(small(), "u0/laptop", 7 * HOUR, 8 * HOUR)
                if s.command == "append")
    cut = cut_scenario(small(), "u0/laptop", step, "after")
    again = parse_scenario(cut.to_yaml(), "again.yaml")
    assert run(again).summary_json() == run(cut).summary_json()


def test_the_builtin_client_survives_every_cut_and_the_table_lists_each() -> None:
    """Careful IMAP recovery converges with nothing lost or shown twice whatever command
    of the window is cut; cuts.csv has a line per cut."""
    cuts = exhaustive_drops(small(), "u0/laptop", 7 * HOUR, 7.25 * HOUR)
    assert cuts and [c.verdict() for c in cuts if not c.ok] == []
    assert {c.when for c in cuts} == {"before", "after"}
    assert len(cuts_csv(cuts).splitlines()) == len(cuts) + 1


def test_an_unknown_device_is_a_clear_error() -> None:
    """Naming a device the scenario does not have fails before any run."""
    with pytest.raises(ScenarioError, match="no device 'u0/tablet'"):
        steps(small(), "u0/tablet")
