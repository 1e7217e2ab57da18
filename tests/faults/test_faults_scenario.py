"""scenarios/faults.yaml: a hostile week that exercises every fault. It runs with a valid
verdict, every fault shows up in the faults block, and report.md names each anomaly with
witnesses that tell what happened."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from simulator.folders import run_files
from simulator.runs import Results, run

FAULTS = Path(__file__).parents[2] / "scenarios" / "faults.yaml"
ANOMALIES = ("duplicate", "resurrected", "lost_flag_change", "local_only")


@cache
def results() -> Results:
    """One run of faults.yaml, shared by the tests below."""
    return run(FAULTS)


def test_faults_yaml_runs_with_a_valid_verdict() -> None:
    """Every message is accounted for despite everything that went wrong."""
    assert results().valid


def test_every_fault_happens() -> None:
    """Outage, partitions, link failures, drops (random, scripted, roaming), lost
    devices and a UIDVALIDITY reset all appear in the faults block."""
    faults = results().summary["faults"]
    assert faults["outages"]["count"] == 1
    assert faults["partitions"]["count"] == 2
    assert {"cellular", "office", "train"} <= set(faults["links"])
    drops = faults["connection_drops"]
    assert drops["random"] > 0 and drops["scripted"] == 2 and drops["roam"] > 0
    assert faults["devices_lost"] == 2
    assert faults["uidvalidity_resets"] == 1
    assert results().summary["server_storage"]["deferred"] > 0


def test_lost_mail_is_explained_by_the_faults_that_removed_it() -> None:
    """POP3 mail dies with the lost phone, old mail with retention; the IMAP phone's loss
    costs nothing."""
    durability = results().summary["durability"]
    assert set(durability["lost_by_cause"]) == {"device lost", "retention"}
    causes = {x["removed_by"] for x in durability["lost_examples"]}
    assert causes == {"device lost", "retention"}
    assert all(x["story"].endswith("exists nowhere") for x in durability["lost_examples"])
    lost_with_phone = [x for x in durability["lost_examples"] if x["removed_by"] == "device lost"]
    assert {x["user"] for x in lost_with_phone} == {"pat"}


def test_the_report_names_each_anomaly_with_witnesses_and_their_stories() -> None:
    """Each kind occurs, has up to five witnesses with a story, and report.md shows them."""
    consistency = results().summary["consistency"]
    report = run_files(results())["report.md"]
    assert isinstance(report, str)
    for kind in ANOMALIES:
        witnesses = consistency["anomaly_witnesses"][kind]
        assert consistency["anomalies"][kind] > 0
        assert 1 <= len(witnesses) <= 5
        for w in witnesses:
            assert w["story"] and "→" in w["story"]
            assert f"- {kind}: {w['mid']} on {w['device']} at " in report
            assert w["story"] in report


def test_the_timeline_shows_networks_partitions_and_drops() -> None:
    """timeseries.csv has per-network online counts, links down, partitions and drops."""
    csv = results().timeseries_csv().splitlines()
    header = csv[0].split(",")
    for column in ("online_by_network", "unreachable_devices", "networks_down",
                   "partitions_active", "connection_drops"):
        assert column in header
    rows = [dict(zip(header, line.split(","), strict=True)) for line in csv[1:]]
    assert any("office=" in r["online_by_network"] and "cellular=" in r["online_by_network"]
               for r in rows)
    assert any(r["partitions_active"] == "1" for r in rows)
    assert any(r["server_up"] == "0" for r in rows)
    drops = [int(r["connection_drops"]) for r in rows]
    assert drops == sorted(drops)  # a running count
    assert 0 < drops[-1] <= results().summary["faults"]["connection_drops"]["total"]


def test_faults_yaml_is_deterministic() -> None:
    """Random link failures and drops come from seeded streams: same bytes every time."""
    assert run(FAULTS).summary_json() == results().summary_json()
