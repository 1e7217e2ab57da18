"""The HTML reports say what went wrong: every anomaly kind with its witnesses' stories and
the lost mail with where it last was."""

from __future__ import annotations

from pathlib import Path

from simulator.report.html import run_html, what_went_wrong
from simulator.runs import run

FAULTS = Path(__file__).parents[2] / "scenarios" / "faults.yaml"


def test_report_html_tells_each_witness_and_lost_message_story() -> None:
    """Each witness's story and each lost example's story appears on the page."""
    results = run(FAULTS)
    page = run_html(results.summary, results.timeseries)
    assert "What went wrong" in page
    witnesses = results.summary["consistency"]["anomaly_witnesses"]
    for rows in witnesses.values():
        for w in rows:
            assert w["story"].split("→")[-1].strip().replace("\\", "") in page.replace("\\", "")
    for example in results.summary["durability"]["lost_examples"]:
        assert example["mid"] in page
    assert "exists nowhere" in page


def test_a_clean_run_says_nothing_went_wrong() -> None:
    """No anomalies and nothing lost is said in so many words."""
    summary = {"consistency": {"anomalies": {"duplicate": 0}, "anomaly_witnesses": {}},
               "durability": {"lost": 0, "lost_examples": []}}
    assert "No anomalies and no lost mail" in what_went_wrong(summary)
