"""Stories told again: a large run that keeps no history writes no story file, and tells its
witnesses' and lost messages' stories from a second run of only their people's world,
giving the same summary.json, byte for byte, unsharded and sharded, here and in worker
processes."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import simulator.runs.retell as retelling
from simulator.observe import storyfile
from simulator.observe.blocks import LostExample, Witness
from simulator.runs import Results, run, run_sharded
from simulator.runs.one import observe
from simulator.runs.retell import retells, whose
from simulator.scenario import Scenario, load_scenario
from tests.runs.test_shards import _org, faulty_organisations, shortened
from tests.scenarios import load


@pytest.fixture
def everyone_retells(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every run that keeps no story retells (whatever its size), and writing a story file
    fails the test."""
    monkeypatch.setattr(retelling, "RETELL_FROM", 1)

    def refuse(self: object, path: object = None) -> None:
        raise AssertionError("a run that retells wrote a story file")

    monkeypatch.setattr(storyfile.StoryWriter, "__init__", refuse)


def stories(results: Results) -> list[str]:
    """Every story of the run's witnesses and lost-mail examples."""
    summary = results.summary
    rows = [w for kind in summary["consistency"]["anomaly_witnesses"].values() for w in kind]
    rows += summary["durability"]["lost_examples"]
    return [row["story"] for row in rows]


def test_the_policy_retells_large_runs_that_keep_no_story() -> None:
    """From RETELL_FROM people on, a run that keeps neither its history nor a story file
    retells; one that keeps either, a smaller one, or one with a real server or a real
    program as a device writes its story file as before."""
    large, small = _org(retelling.RETELL_FROM, 1), _org(retelling.RETELL_FROM - 1, 1)
    assert retells(large, keep_history=False, story_file=None)
    assert not retells(large, keep_history=True, story_file=None)
    assert not retells(large, keep_history=False, story_file=Path("stories.jsonl.gz"))
    assert not retells(small, keep_history=False, story_file=None)
    dovecot = large.model_copy(update={"server": large.server.model_copy(
        update={"backend": "dovecot"})})
    assert not retells(dovecot, keep_history=False, story_file=None)
    program = _org(retelling.RETELL_FROM, 1, laptop="{name: laptop, protocol: imap, "
                   "uses: 0.5, client: {external: mbsync}}")
    assert not retells(program, keep_history=False, story_file=None)
    assert observe(large, keep_history=False)[1].stories.file is None
    writes = observe(small, keep_history=False)[1].stories
    assert writes.file is not None
    writes.close()


def test_the_people_retold_are_those_of_the_devices_and_messages_named() -> None:
    """A witness names its device's person and its message's (by the account after "@",
    a further account's being its person's); a lost message its account's person; each
    person once, in scenario order, nobody else."""
    scenario = load("""\
mailsim: 1
name: accounts
duration: 1d
users:
  - name: ann
    mail: {receive: 5/d}
    devices: [{name: phone, protocol: imap, uses: 1}]
    accounts: [{name: isp, mail: {receive: 5/d}}]
  - name: bob
    count: 3
    mail: {receive: 5/d}
    devices: [{name: phone, protocol: imap, uses: 1}]
""")
    witness: Witness = {"mid": "m3@ann+isp", "device": "bob-03/phone", "t": 0.0, "what": ""}
    lost: LostExample = {"mid": "e36000-1@bob-01", "user": "bob", "last_seen": "",
                         "last_place": "", "removed_at_s": None, "removed_by": None}
    assert whose(scenario, [witness], [lost]) == ["ann", "bob-01", "bob-03"]
    assert whose(scenario, [], []) == []


@pytest.mark.parametrize("path", ["scenarios/faults.yaml",
                                  "scenarios/examples/private-accounts.yaml",
                                  "scenarios/claims/r1-retention.yaml"])
def test_bundled_scenarios_retell_the_same_stories(path: str, everyone_retells: None) -> None:
    """The first 4 days of bundled scenarios with anomalies and lost mail, retold, unsharded
    and in 3 shards, give the summary.json of the run that kept its history (stories told
    from memory)."""
    scenario = shortened(load_scenario(path), 4)
    kept = run(scenario)
    assert stories(kept), "the scenario tells no story: nothing is tested"
    assert run(scenario, keep_history=False).summary_json() == kept.summary_json()
    assert run_sharded(scenario, 3, keep_history=False).summary_json() == kept.summary_json()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faulty_organisations(), st.sampled_from([None, "pop3", "imap"]))
def test_generated_scenarios_retell_the_same_stories(scenario: Scenario, variant: str | None
                                                     ) -> None:
    """Whatever the people, accounts, faults and events: the run retold, unsharded and in 2
    shards, gives the summary.json of the run that kept its history."""
    kept = run(scenario, variant=variant)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(retelling, "RETELL_FROM", 1)
        assert retells(kept.scenario, keep_history=False, story_file=None)
        whole = run(scenario, variant=variant, keep_history=False)
        sharded = run_sharded(scenario, 2, variant=variant, keep_history=False)
    assert whole.summary_json() == kept.summary_json()
    assert sharded.summary_json() == kept.summary_json()


def test_shards_in_worker_processes_tell_no_story_and_the_run_retells(
        everyone_retells: None) -> None:
    """Shards run in worker processes tell no story (the asking process decided so); the
    run retells its stories once the shards are merged."""
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 2)
    kept = run(scenario)
    merged = run_sharded(scenario, 2, workers=2, keep_history=False)
    assert merged.summary_json() == kept.summary_json()


def test_a_retelling_run_tells_its_second_run_as_a_phase_of_its_progress(
        everyone_retells: None) -> None:
    """The second run is told in simulated hours under a label of its own (a phase, ending
    in "…"), up to its last hour; the run's own hours come first."""
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 2)
    told: list[tuple[int, int, str]] = []
    run(scenario, keep_history=False, progress=lambda *a: told.append(a))
    phase = [t for t in told if t[2] == retelling.RETELLING]
    assert retelling.RETELLING.endswith("…") and phase[-1] == (48, 48, retelling.RETELLING)
    assert told.index(phase[0]) > told.index((48, 48, "the run"))
