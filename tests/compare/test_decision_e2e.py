"""The decision end to end: `compare` on small scenarios whose right answer is known by
construction, its `decision` block in comparison.json, and the recommendation rendered in
comparison.md, comparison.html and the terminal from that block alone."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import simulator.analysis.comparison
from simulator.analysis import Comparison, compare
from simulator.analysis.decision import N0
from simulator.analysis.explain import show
from simulator.cli import app
from simulator.folders import read_comparison, write_comparison
from simulator.report.terminal import which_protocol
from simulator.runs import Executor
from simulator.scenario import parse_scenario
from tests.analysis.test_decision_runs import LOST, OFFLINE, ONE, QUOTA, VARIANTS
from tests.compare.helpers import tiny


def compared(text: str, variants: list[str], replications: int, tmp_path: Path,
             extra: str = "") -> tuple[Comparison, dict[str, Any], str, str]:
    """Compare the scenario (base seed 1), write its folder, and read back the decision
    block, comparison.md and comparison.html."""
    scenario = parse_scenario(text + extra + VARIANTS, "test.yaml")
    c = compare(scenario, variants, replications=replications, seed=1)
    dest = write_comparison(c, tmp_path / "cmp")
    data = json.loads((dest / "comparison.json").read_text())
    return (c, data["decision"], (dest / "comparison.md").read_text(),
            (dest / "comparison.html").read_text())


def criterion(decision: dict[str, Any], name: str) -> dict[str, Any]:
    """One criterion's entry in the decision block."""
    return next(c for c in decision["criteria"] if c["name"] == name)


def which(md: str) -> str:
    """The recommendation paragraph: the first paragraph under '## Which protocol?'."""
    return md.split("## Which protocol?\n\n", 1)[1].split("\n", 1)[0]


def test_a_quota_only_pop3_respects_leads_with_the_bounces(tmp_path: Path) -> None:
    """30 MB quota, about 12 MB of new mail a day, one desktop: IMAP bounces mail, POP3
    does not; comparison.json recommends pop3 with the bounces decided, and every
    rendering leads with the bounces and their numbers, as they are in comparison.json."""
    c, d, md, html = compared(QUOTA, ["pop3", "imap"], 3, tmp_path)
    bounced = criterion(d, "bounced")
    assert d["recommended"] == "pop3" and not d["provisional"]
    assert (bounced["status"], bounced["winners"]) == ("decided", ["pop3"])
    assert bounced["means"]["pop3"] == 0 and bounced["means"]["imap"] > 50
    lead = ("Hard failure, messages bounced for lack of room (mean per run over 3 "
            f"replications): pop3 0, imap {show('count', bounced['means']['imap'])}.")
    assert which(md).startswith(lead)
    assert "Recommended: pop3 (POP3), because H3 (messages bounced for lack of room) rules " \
           "out imap." in which(md)
    assert f'<p class="recommendation">{lead}' in html
    assert which_protocol(c).startswith(f"Which protocol? {lead}")
    pair = bounced["pairs"][0]
    assert f"pop3 has {show('count', pair['advantage'])} fewer than imap (95 % confidence " \
           f"bounds {show('count', pair['low'])} and {show('count', pair['high'])})" in which(md)


def test_a_lost_device_is_decided_with_two_replications_not_tied(tmp_path: Path) -> None:
    """The only laptop is wiped on day 2: POP3 loses over 100 messages for good, IMAP none;
    with 2 replications the criterion is decided for imap (not 'pop3 and imap'), and the
    table and the document's G7 row say so."""
    _, d, md, _ = compared(LOST, ["pop3", "imap"], 2, tmp_path)
    lost = criterion(d, "lost")
    assert lost["means"]["pop3"] > 100 and lost["means"]["imap"] == 0
    assert (lost["status"], lost["winners"], lost["replications_used"]) == (
        "decided", ["imap"], 2)
    assert d["recommended"] == "imap"
    assert which(md).startswith("Hard failure, messages lost for good")
    row = next(line for line in md.splitlines() if line.startswith("| H2 |"))
    assert "| decided | imap |" in row and "pop3 and imap" in row  # compared both, imap won
    g7 = next(line for line in md.splitlines() if line.startswith("| G7 | Use IMAP"))
    assert "| imap | agrees |" in g7


def test_one_device_has_no_hard_failure_and_no_several_device_criterion(tmp_path: Path
                                                                      ) -> None:
    """One desktop, no fault, no quota: the hard failures are equivalent, the
    several-device criteria do not bear, the single-device one does."""
    _, d, md, _ = compared(ONE, ["pop3", "imap"], 2, tmp_path)
    for name in ("broken_verdict", "lost", "bounced", "missing_reads"):
        assert criterion(d, name)["status"] == "equivalent"
    assert criterion(d, "single_device")["bears"]
    for code in ("G4", "G5"):
        row = next(line for line in md.splitlines() if line.startswith(f"| {code} |"))
        assert "does not bear: the only account is used from one device" in row
    assert not which(md).startswith("Hard failure")
    assert d["recommended"] in ("pop3", "imap")


def test_offline_reading_required_rules_out_the_variant_without_a_cache(tmp_path: Path
                                                                       ) -> None:
    """min_offline_availability 0.99 in the scenario's decision: block: imap-online keeps
    no mail and reads nothing offline, so it is outside the limit and not recommended; the
    limits table says so."""
    _, d, md, html = compared(OFFLINE, ["pop3", "imap", "imap-online"], 2, tmp_path)
    assert d["violations"] == {"pop3": [], "imap": [], "imap-online":
                               ["min_offline_availability"]}
    assert d["recommended"] in ("pop3", "imap")
    assert "Outside the limit min_offline_availability (at least 99.0 %): imap-online 0.0 %" \
        in which(md)
    row = next(line for line in md.splitlines() if line.startswith("| min_offline_availability"))
    assert row.endswith("| imap-online |") and "at least 99.0 %" in row
    assert "limits of the scenario's decision: block" in html


def test_every_variant_outside_a_limit_gives_no_recommendation(tmp_path: Path) -> None:
    """max_bounced 0 and max_lost 0 on the lost laptop behind a tight quota: POP3 loses
    mail, IMAP bounces it; comparison.json recommends nothing and the text says so."""
    text = LOST.replace("duration: 3d", "duration: 3d\nserver: {quota: 4MB}")
    c, d, md, html = compared(text, ["pop3", "imap"], 2, tmp_path,
                              "decision:\n  limits: {max_bounced: 0, max_lost: 0}\n")
    assert d["recommended"] is None and d["eligible"] == []
    assert "No variant can be recommended" in which(md)
    assert "No variant can be recommended" in html
    assert "No variant can be recommended" in which_protocol(c)


def test_the_decision_reads_back_from_disk(tmp_path: Path) -> None:
    """A comparison folder loaded back carries the same decision (comparison.json is the
    one source of the rendered recommendation)."""
    c = compare(tiny(), ["pop3", "imap"], replications=2)
    loaded = read_comparison(write_comparison(c, tmp_path / "cmp"))
    assert c.decision is not None and loaded.decision is not None
    assert loaded.decision.as_dict() == c.decision.as_dict()
    assert len(c.replicated["pop3"]) == 2 and loaded.replicated == {}


def test_auto_replications_stop_once_decided_with_a_stated_reason(tmp_path: Path) -> None:
    """`--replications auto` on the lost laptop: batches run until Kim & Nelson's procedure
    settles every criterion that bears on the choice, well before the maximum; the
    decision block, the Markdown and the terminal say how many runs and why it stopped."""
    path = tmp_path / "lost.yaml"
    path.write_text(LOST + VARIANTS)
    out = tmp_path / "cmp"
    result = CliRunner().invoke(app, ["compare", str(path), "--variants", "pop3,imap",
                                      "--replications", "auto", "--max", "30",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    d = json.loads((out / "comparison.json").read_text())["decision"]
    assert d["procedure"] == "kn" and d["first_stage"] == 5 and d["max_replications"] == 30
    assert d["undecided"] == [] and 5 <= d["replications"] < 30
    assert d["stopped"] == "every criterion that bears on the choice is settled"
    reason = (f"Replications stopped at {d['replications']}: every criterion that bears on "
              "the choice is settled.")
    assert reason in (out / "comparison.md").read_text()
    assert reason in " ".join(result.output.split())


def test_auto_replications_stop_at_the_maximum_and_name_what_stayed_undecided() -> None:
    """With a maximum below Kim & Nelson's first stage nothing can be settled: the runs
    stop at the maximum, the decision says so, and the paragraph names the criteria left
    undecided as provisional."""
    c = compare(tiny(), ["pop3", "imap"], replications="auto", max_replications=3)
    d = c.decision
    assert d is not None and d.replications == 3 and len(c.seeds) == 3
    assert d.stopped == "the maximum of 3 replications was reached" and d.undecided
    assert d.provisional
    assert "stayed undecided after 3 replications" in which_protocol(c)


@pytest.mark.parametrize("executor", [{"workers": 2}, {"dask": "local", "workers": 2}])
def test_auto_replications_give_the_same_bytes_on_any_executor(executor: dict[str, Any]
                                                                ) -> None:
    """The auto loop's batches on local processes or on Dask give the same comparison.json
    as in this process."""
    if "dask" in executor:
        pytest.importorskip("dask.distributed")
    here = compare(tiny(), ["pop3", "imap"], replications="auto", max_replications=8)
    there = compare(tiny(), ["pop3", "imap"], replications="auto", max_replications=8,
                    **executor)
    assert there.to_json() == here.to_json()


def test_auto_replications_keep_one_set_of_workers_for_every_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The auto loop runs its batches on one executor: its helper processes (or Dask
    cluster) start once, not once a batch."""
    made: list[Executor] = []

    class Counted(Executor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(simulator.analysis.comparison, "Executor", Counted)
    c = compare(tiny(), ["pop3", "imap"], replications="auto", max_replications=8, workers=2)
    assert c.decision is not None and c.decision.replications > N0
    assert len(made) == 1 and made[0]._batches > 1


def renderings(x: float) -> set[str]:
    """Every way the paragraph may print the number x (a count, a share in percent or
    percentage points, a size or a duration, as explain.show and explain.interval do)."""
    out = {show(unit, x).split(" ")[0] for unit in ("count", "bytes", "s")}
    out |= {f"{100 * x:.1f}", f"{100 * x:.4g}", f"{100 * x:.0f}", f"{x:g}"}
    return out


def numbers_in(node: Any) -> list[float]:
    """Every number anywhere in a JSON value."""
    if isinstance(node, dict):
        return [x for v in node.values() for x in numbers_in(v)]
    if isinstance(node, list):
        return [x for v in node for x in numbers_in(v)]
    if isinstance(node, int | float) and not isinstance(node, bool):
        return [float(node)]
    return []


def test_every_number_in_the_paragraph_is_in_comparison_json(tmp_path: Path) -> None:
    """Each number the recommendation paragraph prints is a value of comparison.json's
    decision block, rounded for reading (criterion codes such as H3 are names)."""
    _, d, md, _ = compared(QUOTA, ["pop3", "imap"], 3, tmp_path,
                           "decision:\n  limits: {max_traffic: 1MB}\n")
    allowed = {r for x in numbers_in(d) for r in renderings(x)}
    printed = re.findall(r"(?<![A-Za-z\d.])-?\d+(?:,\d{3})*(?:\.\d+)?", which(md))
    assert printed and [n for n in printed if n not in allowed] == []
