"""Hunting a real program's configuration error with hypothesis: mbsync (isync) on one
device, the built-in IMAP client on the other, Dovecot as the server. A channel that does
not sync flags (``sync: "Pull Push New ReNew Delete"``, no ``Flags``) breaks the property
"every flag change the person made reaches every device": hypothesis finds a scenario
where it fails and shrinks it. The shrunk scenario is kept beside this file
(mbsync-lost-flags.yaml), so the fast tests run it as found; with ``sync: All`` the same
scenario keeps every flag. The hunt itself is slow (a few seconds of real programs per
example, dozens of examples while shrinking) and runs with ``-m slow``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from simulator.runs import Results
from simulator.scenario import Scenario, parse_scenario
from simulator.testing.assertions import assert_flags_propagated
from simulator.testing.saving import explain, save_failure
from simulator.testing.strategies import scenarios
from tests.external.imap_account import require

NO_FLAG_SYNC = "Pull Push New ReNew Delete"
SHRUNK = Path(__file__).with_name("mbsync-lost-flags.yaml")
"""The scenario the hunt below shrank to (written by it, then kept as found)."""
Run = Callable[..., Results]


@pytest.fixture(autouse=True)
def programs() -> None:
    """mbsync and Dovecot can run here (else skip with the reason, or fail under CI=true)."""
    require("mbsync", "isync")


def mbsync(sync: str) -> dict[str, Any]:
    """The pinned device's client: mbsync every 30 minutes with the given ``sync``."""
    return {"external": "mbsync", "poll": "30m", "options": {"sync": sync}}


def flag_scenarios(sync: str) -> st.SearchStrategy[Scenario]:
    """One person, two always-online devices (d0 runs mbsync), four hours from a Monday
    08:00 whose last hour is quiet, so that every change has time to reach every device."""
    return scenarios(protocol="imap", client=mbsync(sync), always_online=True, events=False,
                     max_users=1, max_devices=2, hours=4, quiet="1h")


def shrunk(sync: str) -> Scenario:
    """The kept shrunk scenario, its mbsync channel set to ``sync``."""
    doc = yaml.safe_load(SHRUNK.read_text())
    doc["users"][0]["devices"][0]["client"]["options"]["sync"] = sync
    return parse_scenario(yaml.safe_dump(doc, sort_keys=False), str(SHRUNK))


def test_the_shrunk_scenario_loses_a_flag_change_without_flag_sync(mailsim_run: Run) -> None:
    """Without Flags in the channel, a flag the person set reaches only one side: the
    assertion fails and its message tells the witness's story (delivered, downloaded,
    read on one device, not shown on the other)."""
    results = mailsim_run(shrunk(NO_FLAG_SYNC))
    with pytest.raises(AssertionError, match="flag changes lost") as failed:
        assert_flags_propagated(results)
    story = str(failed.value)
    print(story)
    assert "the person read it on" in story and "the person expects INBOX (\\Seen)" in story
    assert results.summary["consistency"]["final_agreement"] < 1.0


def test_with_sync_all_the_same_scenario_keeps_every_flag(mailsim_run: Run) -> None:
    """The counter-check: the same scenario with ``sync: All`` carries every flag change to
    every device, so it is the channel's setting, not the scenario, that loses them."""
    results = mailsim_run(shrunk("All"))
    assert_flags_propagated(results)
    assert results.summary["consistency"]["final_agreement"] == 1.0


@pytest.mark.slow
def test_hypothesis_finds_and_shrinks_the_lost_flag_change(mailsim_run: Run,
                                                           tmp_path: Path) -> None:
    """Hypothesis finds a scenario where mbsync without flag sync loses a flag change and
    shrinks it to the simplest: two devices, no habit but reading, little mail; the
    shrunk run's folder (scenario.yaml, report.html, explanation.txt) tells the story."""
    runs: list[Results] = []

    @seed(0)
    @settings(max_examples=10, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(flag_scenarios(NO_FLAG_SYNC))
    def every_flag_reaches_every_device(scenario: Scenario) -> None:
        runs.append(mailsim_run(scenario))
        assert_flags_propagated(runs[-1])

    with pytest.raises(AssertionError, match="flag changes lost") as failed:
        every_flag_reaches_every_device()
    last = runs[-1]  # hypothesis replays the shrunk example last
    devices = last.scenario.expand()[0].devices
    assert [d.client.external for d in devices] == ["mbsync", None]
    assert devices[0].client.options["sync"] == NO_FLAG_SYNC
    habits = last.scenario.expand()[0].habits
    assert (habits.delete, habits.archive, habits.flag, habits.reply) == (0, 0, 0, 0)
    folder = save_failure(last, tmp_path / "shrunk",
                          explain(last, "mbsync without flag sync", [str(failed.value)]))
    assert "the person read it on" in (folder / "explanation.txt").read_text()
    print(f"{len(runs)} runs; shrunk scenario:\n{last.scenario.to_yaml()}\n{failed.value}")
