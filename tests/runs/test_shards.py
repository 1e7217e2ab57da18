"""Sharded runs: a person lives the same in a shard as in the whole run, shards are balanced
by expected work, and merging the shards gives the whole run's summary.json and
timeseries.csv byte for byte (bundled scenarios, generated ones with faults and several
accounts, inline, in worker processes and on Dask)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.observe.history import AccountAdded, Record, Tick
from simulator.runs import Results, Task, run, run_batch, run_sharded
from simulator.runs.one import run_shard
from simulator.runs.shards import SHARED, auto_shards, shard_count, split
from simulator.scenario import Scenario, load_scenario, parse_scenario
from simulator.testing.strategies import scenario_dicts
from tests.faults.test_fault_properties import UPTIMES, fault_events
from tests.scenarios import load


def on_model(path: Path) -> bool:
    """Whether a bundled scenario runs on the model server. Those on Dovecot with real
    programs as devices (scenarios/examples/real-clients.yaml) take minutes and Debian's
    packages; tests/external runs them cut short, docs/real_clients.py whole."""
    scenario = load_scenario(path)
    return all(s.backend == "model" for s in [scenario.server, *scenario.servers.values()])


BUNDLED = sorted(p for p in Path("scenarios").rglob("*.yaml") if on_model(p))
SEVERAL = [p for p in BUNDLED if len(load_scenario(p).expand()) > 1]


def owner(record: Record) -> str | None:
    """The person a record is about (None for the shared world: ticks, outages, links...)."""
    if record.kind in SHARED:
        return None
    if isinstance(record, AccountAdded):
        return record.person
    device = getattr(record, "device", "")
    if device:
        return str(device).split("/", 1)[0]
    return str(record.user).split("+", 1)[0]  # an account is "person" or "person+account"


def shortened(scenario: Scenario, days: float) -> Scenario:
    """The scenario cut to its first ``days`` (quiet stretch shortened to fit)."""
    duration = min(scenario.duration, days * 86400)
    quiet = min(scenario.quiet, duration / 2)
    return scenario.model_copy(update={"duration": duration, "quiet": quiet})


def same_bytes(whole: Results, merged: Results) -> None:
    """summary.json and timeseries.csv are identical, text for text."""
    assert merged.summary_json() == whole.summary_json()
    assert merged.timeseries_csv() == whole.timeseries_csv()


def _history(scenario: Scenario, people: list[str]) -> list[Record]:
    """The records of a shard of ``people``."""
    history = run_shard(scenario, people, keep_history=True).history
    assert history is not None
    return list(history)


def test_a_person_lives_the_same_in_a_shard_as_in_the_whole_run() -> None:
    """In a world of some people only, each of them makes exactly the records they make in
    the whole run, in the same order; the shared world (outages, links, partitions, resets,
    ticks but for their online count) is the same; nobody else appears."""
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 4)
    people = [u.name for u in scenario.expand()]
    mine = people[::2]
    whole = run(scenario).history.events
    part = _history(scenario, mine)
    for person in people:
        theirs = [r for r in whole if owner(r) == person]
        assert [r for r in part if owner(r) == person] == (theirs if person in mine else [])
    assert any(owner(r) == mine[0] for r in part)

    def world(events: list[Record]) -> list[Any]:
        return [(r.t, r.server_up) if isinstance(r, Tick) else r
                for r in events if owner(r) is None]

    assert world(part) == world(whole)
    assert any(r.kind in ("link", "partition", "outage") for r in part)


def test_shards_are_balanced_by_expected_work_and_deterministic() -> None:
    """The heaviest person (most devices, most mail) gets a shard of their own when the
    others together weigh less; every person is in exactly one shard, in scenario order;
    more shards than people give one person each."""
    text = """\
mailsim: 1
name: uneven
duration: 1d
users:
  - name: light
    count: 4
    mail: {receive: 5/d}
    habits: {check_every: 3h}
    devices: [{name: phone, protocol: imap, uses: 1}]
  - name: heavy
    mail: {receive: 300/d, send: 30/d}
    habits: {check_every: 20m}
    devices:
      - {name: laptop, protocol: imap, uses: 0.4}
      - {name: phone, protocol: imap, uses: 0.3}
      - {name: desktop, protocol: pop3, uses: 0.3}
"""
    scenario = load(text)
    assert split(scenario, 2) == [("heavy",), ("light-01", "light-02", "light-03", "light-04")]
    assert split(scenario, 2) == split(load(text), 2)
    three = split(scenario, 3)
    assert sorted(p for shard in three for p in shard) == sorted(u.name for u in
                                                                 scenario.expand())
    assert len(split(scenario, 9)) == 5 and split(scenario, 1) == [
        ("light-01", "light-02", "light-03", "light-04", "heavy")]


def test_an_event_naming_a_person_happens_in_their_shard_only() -> None:
    """A lost device is lost only in its owner's shard; a UIDVALIDITY reset and a
    partition (shared) happen in every shard."""
    events = """\
events:
  - {at: 10h, lose: b/phone}
  - {at: 12h, server: uidvalidity-reset}
  - {at: 14h, partition: [lan], for: 1h}
"""
    text = f"""\
mailsim: 1
name: two-people
duration: 1d
networks:
  lan: {{latency: 5ms, bandwidth: 100Mbit}}
users:
  - name: a
    mail: {{receive: 40/d, send: 5/d}}
    habits: {{check_every: 1h}}
    devices: [{{name: phone, protocol: imap, network: lan, uses: 1}}]
  - name: b
    mail: {{receive: 40/d, send: 5/d}}
    habits: {{check_every: 1h}}
    devices: [{{name: phone, protocol: imap, network: lan, uses: 1}}]
{events}"""
    scenario = load(text)
    shard_a, shard_b = _history(scenario, ["a"]), _history(scenario, ["b"])
    assert [r.kind for r in shard_a if r.kind == "lost"] == []
    assert [r.device for r in shard_b if r.kind == "lost"] == ["b/phone"]
    for shard in (shard_a, shard_b):
        assert [r.kind for r in shard if r.kind in ("uidvalidity_reset", "partition")] == [
            "uidvalidity_reset", "partition", "partition"]
    same_bytes(run(scenario), run_sharded(scenario, 2))


@pytest.mark.parametrize("path", SEVERAL, ids=lambda p: p.name)
def test_bundled_scenarios_give_the_same_bytes_in_two_and_three_shards(path: Path) -> None:
    """The first 3 days of every bundled scenario with several people: 2 and 3 shards give
    the whole run's summary.json and timeseries.csv."""
    scenario = shortened(load_scenario(path), 3)
    whole = run(scenario)
    for shards in (2, 3):
        assert len(split(scenario, shards)) == shards
        same_bytes(whole, run_sharded(scenario, shards))


@pytest.mark.slow
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_scenarios_give_the_same_bytes_sharded_at_full_length(path: Path) -> None:
    """Every bundled scenario, whole length, under every variant it names: 2 and 3 shards."""
    scenario = load_scenario(path)
    for variant in [None, *scenario.variant_names()[:2]]:
        whole = run(scenario, variant=variant)
        for shards in (2, 3):
            same_bytes(whole, run_sharded(scenario, shards, variant=variant))


@st.composite
def faulty_documents(draw: st.DrawFn) -> str:
    """Two to four people with further accounts, flaky networks, dropped connections, a
    server outage, partitions, resets and personal scripted events, as YAML."""
    doc = draw(scenario_dicts(max_users=4, max_accounts=2, days=2))
    doc["users"] = doc["users"] + [{**doc["users"][0], "name": "extra"}]
    for network in doc["networks"].values():
        network["drop_probability"] = draw(st.sampled_from([0.0, 0.05]))
        network["up"] = draw(UPTIMES)
    if draw(st.booleans()):
        doc["server"]["outages"] = [{"at": f"{draw(st.integers(1, 40))}h", "for": "1h"}]
    doc["events"] = doc.get("events", []) + draw(fault_events(doc, 48, server_faults=True))
    return yaml.safe_dump(doc, sort_keys=False)


def faulty_organisations() -> st.SearchStrategy[Scenario]:
    """The same organisations, parsed."""
    return faulty_documents().map(lambda text: parse_scenario(text, "<hypothesis>"))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(faulty_organisations(), st.sampled_from([None, "pop3", "imap"]))
def test_generated_scenarios_give_the_same_bytes_in_one_two_and_three_shards(
        scenario: Scenario, variant: str | None) -> None:
    """Whatever the people, accounts, faults and events: 1, 2 and 3 shards give the same
    summary.json and timeseries.csv as the whole run."""
    whole = run(scenario, variant=variant)
    for shards in (1, 2, 3):
        same_bytes(whole, run_sharded(scenario, shards, variant=variant))


def test_shards_in_worker_processes_give_the_same_outputs() -> None:
    """Sharded tasks run their shards in worker processes, and come back in task order as
    the whole runs would, with time series and history as asked."""
    scenario = shortened(load_scenario("scenarios/examples/private-accounts.yaml"), 2)
    tasks = [Task(scenario, v, 3, keep="history", shards=2) for v in ("pop3", "imap")]
    sharded = run_batch(tasks, workers=2)
    for task, out in zip(tasks, sharded, strict=True):
        whole = run(scenario, seed=3, variant=task.variant)
        same_bytes(whole, out.results(whole.scenario))
        assert out.history is not None and len(out.history.events) == len(whole.history.events)


@pytest.mark.slow
def test_shards_on_a_local_dask_cluster_give_the_same_outputs() -> None:
    """The same on a local Dask cluster of two workers."""
    pytest.importorskip("dask.distributed")
    scenario = shortened(load_scenario("scenarios/faults.yaml"), 2)
    whole = run(scenario)
    same_bytes(whole, run_sharded(scenario, 3, workers=2, dask="local"))


LAPTOP = "{name: laptop, protocol: imap, uses: 0.5}"


def _org(people: int, days: int, extra: str = "", laptop: str = LAPTOP) -> Scenario:
    """``people`` alike people with two devices each, for ``days`` days."""
    return parse_scenario(f"""\
mailsim: 1
name: org
duration: {days}d
{extra}users:
  - name: staff
    count: {people}
    mail: {{receive: 10/d}}
    devices:
      - {laptop}
      - {{name: phone, protocol: imap, uses: 0.5}}
""", "<org>")


def test_auto_shards_hold_at_most_the_budget_of_device_days() -> None:
    """``auto`` runs an organisation as the fewest shards of at most SHARD_DEVICE_DAYS
    device-days each, one per person and 4,096 at most, and small ones (every bundled
    scenario) whole."""
    assert auto_shards(_org(1000, 30)) == 200  # 60,000 device-days
    assert auto_shards(_org(10, 15)) == 1  # 300: one shard
    assert auto_shards(_org(11, 15)) == 2
    assert auto_shards(_org(3, 10_000)) == 3  # never more shards than people
    assert auto_shards(_org(10_000, 30)) == 2000
    assert auto_shards(_org(100_000, 30)) == 4096  # nor than MAX_AUTO_SHARDS
    assert all(auto_shards(load_scenario(p)) == 1 for p in BUNDLED)
    assert shard_count(_org(1000, 30), 4) == 4 and shard_count(_org(1000, 30), "auto") == 200


def test_auto_shards_come_in_a_multiple_of_the_processes() -> None:
    """On several processes, ``auto`` rounds a split up to a multiple of them (no process
    idle while another runs a last shard); a run that fits one shard stays whole, and the
    caps still hold."""
    assert auto_shards(_org(11, 15), 2) == 2
    assert auto_shards(_org(1000, 30), 3) == 201  # 200 rounded up
    assert auto_shards(_org(1000, 30), 2) == 200
    assert auto_shards(_org(10, 15), 8) == 1  # one shard: whole, as on one process
    assert auto_shards(_org(3, 10_000), 2) == 3  # one per person at most
    assert shard_count(_org(1000, 30), "auto", 3) == 201 and shard_count(_org(1000, 30), 5, 3) == 5


def test_auto_runs_a_real_server_or_program_whole() -> None:
    """On Dovecot, or with a real program as a device, ``auto`` is one shard: the server's
    processes, scratch folder and log belong to one world."""
    assert auto_shards(_org(1000, 30, "server: {backend: dovecot}\n")) == 1
    mbsync = "{name: laptop, protocol: imap, uses: 0.5, client: {external: mbsync}}"
    assert auto_shards(_org(1000, 30, laptop=mbsync)) == 1  # (its world then asks for Dovecot)


def test_an_auto_task_gives_the_outputs_of_the_whole_run(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    """A batch task with shards="auto" (the budget made small enough for three shards)
    sends back the whole run's summary and time series, inline and in two processes."""
    scenario = shortened(load_scenario(Path("scenarios/faults.yaml")), 1)
    monkeypatch.setattr("simulator.runs.shards.SHARD_DEVICE_DAYS", 6.0)
    assert auto_shards(scenario) == 3
    whole = run(scenario)
    for workers in (1, 2):
        out, = run_batch([Task(scenario, keep="timeseries", shards="auto")], workers=workers)
        same_bytes(whole, out.results(scenario))
