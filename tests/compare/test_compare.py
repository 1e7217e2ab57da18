"""compare(): every variant × replication with common random numbers, means with 95%
intervals, the best variant per metric, and a results folder written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.analysis import METRICS, Comparison, compare
from simulator.analysis.comparison import best_of
from simulator.analysis.metrics import BY_KEY
from simulator.analysis.stats import Stat
from simulator.folders import OutputExists, run_files, write_comparison
from simulator.runs import replication_seeds, run
from simulator.scenario import ScenarioError
from tests.compare.helpers import tiny


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """The tiny scenario under pop3 and imap, three replications."""
    return compare(tiny(), ["pop3", "imap"], replications=3)


def test_replication_seeds_start_with_the_base_seed_and_are_stable() -> None:
    """Replication 0 is the scenario's own seed; the others are derived from (seed, r)."""
    seeds = replication_seeds(5, 4)
    assert seeds[0] == 5
    assert len(set(seeds)) == 4
    assert replication_seeds(5, 4) == seeds
    assert replication_seeds(6, 2)[1] != seeds[1]


def test_every_variant_runs_with_the_same_seeds(comparison: Comparison) -> None:
    """Common random numbers: the seed list is shared, one value per replication."""
    assert comparison.seeds == replication_seeds(5, 3)
    for row in comparison.rows:
        for variant in comparison.variants:
            assert len(row.values[variant]) == 3


def test_same_seed_same_mail_in_every_variant() -> None:
    """With one seed, pop3 and imap see the very same deliveries (ids and times)."""
    deliveries = [
        [(e.t, e.mid) for e in run(tiny(), seed=11, variant=v).history.of("deliver")]
        for v in ("pop3", "imap")
    ]
    assert deliveries[0] == deliveries[1] and deliveries[0]


def test_first_replication_is_the_plain_run(comparison: Comparison) -> None:
    """Each variant's folder holds exactly what `mailsim run --variant V` gives."""
    plain = run(tiny(), variant="imap")
    assert comparison.results["imap"].summary_json() == plain.summary_json()


def test_every_contract_metric_has_a_row_with_a_direction(comparison: Comparison) -> None:
    """The table covers the results contract's numbers, each higher- or lower-is-better."""
    keys = {r.metric.key for r in comparison.rows}
    for key in ("consistency.agreement", "consistency.propagation_s.p95",
                "consistency.anomalies.resurrected", "server_storage.time_over_quota_s",
                "offline_availability.ratio", "reads.fetch_latency_s.p50",
                "device_storage.peak_bytes", "durability.lost", "traffic.round_trips",
                "security.plaintext_logins"):
        assert key in keys
    assert all(m.better in ("higher", "lower", "neither") for m in METRICS)


def test_means_are_the_means_of_the_replications(comparison: Comparison) -> None:
    """The mean of a row is the plain mean of that variant's replication values."""
    row = comparison.row("traffic.bytes_down")
    values = row.values["pop3"]
    assert row.stats["pop3"].mean == pytest.approx(sum(values) / len(values))
    assert row.stats["pop3"].ci95 is not None


def test_best_follows_the_metric_direction() -> None:
    """Higher-is-better picks the largest mean, lower-is-better the smallest; ties share
    the mark; when every variant is equal nobody is marked."""
    agreement, lost = BY_KEY["consistency.agreement"], BY_KEY["durability.lost"]
    stats = {"a": Stat(0.5, None, 1), "b": Stat(0.9, None, 1), "c": Stat(0.9, None, 1)}
    assert best_of(agreement, stats) == ["b", "c"]
    assert best_of(lost, stats) == ["a"]
    assert best_of(lost, {"a": Stat(0, None, 1), "b": Stat(0, None, 1)}) == []
    assert best_of(lost, {"a": Stat(None, None, 0), "b": Stat(2, None, 1)}) == []


def test_imap_agrees_better_than_pop3_on_two_devices(comparison: Comparison) -> None:
    """A sanity check on real numbers: with two devices IMAP is marked best on agreement."""
    assert comparison.row("consistency.agreement").best == ["imap"]


def test_workers_give_byte_identical_results(comparison: Comparison) -> None:
    """Running in two worker processes changes nothing: the same comparison.json and the
    same first-replication summaries and time series (from which every report is drawn)."""
    parallel = compare(tiny(), ["pop3", "imap"], replications=3, workers=2)
    assert parallel.to_json() == comparison.to_json()
    for variant in comparison.variants:
        assert run_files(parallel.results[variant]) == run_files(comparison.results[variant])


def test_write_lays_out_one_folder_per_variant(comparison: Comparison, tmp_path: Path) -> None:
    """The folder: <variant>/ results folders plus comparison.json, .md and .html."""
    dest = write_comparison(comparison, tmp_path / "cmp")
    names = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    for variant in ("pop3", "imap"):
        for name in ("summary.json", "timeseries.csv", "report.md", "report.html",
                     "scenario.yaml"):
            assert f"{variant}/{name}" in names
    for name in ("comparison.json", "comparison.md", "comparison.html"):
        assert name in names
    data = json.loads((dest / "comparison.json").read_text())
    assert data["seeds"] == comparison.seeds
    assert [v["name"] for v in data["variants"]] == ["pop3", "imap"]


def test_write_never_overwrites_without_force(comparison: Comparison, tmp_path: Path) -> None:
    """An existing folder is kept unless force is given."""
    dest = tmp_path / "cmp"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(OutputExists):
        write_comparison(comparison, dest)
    assert (dest / "keep.txt").read_text() == "mine"
    write_comparison(comparison, dest, force=True)
    assert (dest / "comparison.json").exists() and not (dest / "keep.txt").exists()


def test_default_variants_are_the_scenarios_own() -> None:
    """Without a list, compare runs the scenario's variants (else the built-in ones)."""
    own = tiny("variants:\n  a: {protocol: pop3}\n  b: {protocol: imap}\n")
    assert compare(own, replications=1).variants == ["a", "b"]


def test_bad_requests_fail_before_running() -> None:
    """An unknown variant is a ScenarioError; fewer than one replication a ValueError."""
    with pytest.raises(ScenarioError):
        compare(tiny(), ["pop3", "nope"], replications=1)
    with pytest.raises(ValueError):
        compare(tiny(), ["pop3"], replications=0)
