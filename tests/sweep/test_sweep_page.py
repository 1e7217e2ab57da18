"""The sweep page an analyst can read (issue 15): numbers in their units, charts chosen
from the grid's axes, charts without data left out with the reason, and who wins where —
the decision per point, also carried into points.csv."""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from matplotlib.collections import PolyCollection

from simulator.analysis.metrics import BY_KEY
from simulator.report.figures import Plot
from simulator.report.sweep_plots import (
    cells,
    chart_kind,
    heat_maps,
    line_chart,
    marker_chart,
    metric_chart,
)
from simulator.sweep import SweepResult, sweep
from simulator.sweep.grid import scale, scales
from tests.scenarios import two_devices, write

QUOTA = two_devices("imap", "{cache: full}", days=2, receive="60/d",
                    extra="server: {quota: 2MB}\n")
GRID = ["variant=pop3,imap", "server.quota=2MB,50MB"]


@pytest.fixture(scope="module")
def quota_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[SweepResult, Path]:
    """pop3 against imap at a 2 MB and a 50 MB quota, two replications each."""
    tmp = tmp_path_factory.mktemp("quota")
    result = sweep(write(tmp, QUOTA), GRID, replications=2, out=tmp / "sw")
    return result, tmp / "sw"


def text_outside_svg(html: str) -> str:
    """The page without its inline SVG (whose coordinates are not for reading)."""
    return re.sub(r"<svg.*?</svg>", "", html, flags=re.S)


def test_axes_with_units_are_numeric_and_variant_is_a_category() -> None:
    """Sizes, durations, rates and plain numbers make numeric axes (in SI units); the
    variant, words and flags are categories."""
    assert scale("server.quota", ["500MB", "1GB"]) == ("bytes", [5e8, 1e9])
    assert scale("duration", ["30d", "40d"]) == ("s", [30 * 86400.0, 40 * 86400.0])
    assert (scale("users[0].mail.receive", ["10/d", "20/d"]) or ("",))[0] == "rate"
    assert scale("x", [1, 2.5]) == ("count", [1.0, 2.5])
    assert scale("variant", ["pop3", "imap"]) is None
    assert scale("profiles.p.client.cache", ["full", "headers"]) is None
    assert scale("server.tls", [True, False]) is None


def test_the_chart_follows_the_axes() -> None:
    """Two numeric axes give heat maps, one gives lines along it, none gives markers
    grouped by the first category other than variant."""
    both = {"variant": None, "server.quota": ("bytes", [1.0]), "duration": ("s", [1.0])}
    assert chart_kind(list(both), both) == ("heat", "server.quota", "duration")
    one = {"variant": None, "duration": ("s", [1.0])}
    assert chart_kind(list(one), one) == ("lines", "duration", "")
    cats = {"variant": None, "cache": None}
    assert chart_kind(list(cats), cats) == ("markers", "cache", "")
    only = {"variant": None}
    assert chart_kind(list(only), only) == ("markers", "variant", "")


def _spec(axes: dict[str, list[Any]]) -> dict[str, Any]:
    """A sweep spec over these axes (two replications)."""
    return {"name": "t", "axes": list(axes), "values": axes, "replications": 2,
            "seeds": [1, 2], "scenario": "t.yaml"}


def _points(spec: dict[str, Any], key: str, means: list[float]) -> list[dict[str, Any]]:
    """Point rows in grid order with the given means and a half-width of 1."""
    axes = spec["axes"]
    combos = itertools.product(*(spec["values"][a] for a in axes))
    return [{**dict(zip(axes, c, strict=True)), "runs": 2, "all_valid": True,
             f"{key}.mean": m, f"{key}.ci95": 1.0} for c, m in zip(combos, means, strict=True)]


def test_a_numeric_axis_gets_a_line_and_a_band_per_value_of_the_others() -> None:
    """variant × duration: one line per variant over duration, each with a 95 % band."""
    spec = _spec({"variant": ["pop3", "imap"], "duration": ["30d", "40d", "50d"]})
    key = "server_storage.peak_bytes"
    data = cells(_points(spec, key, [1e5, 2e5, 3e5, 1e7, 2e7, 3e7]), spec["axes"], key)
    fig = line_chart(spec, data, scales(spec), BY_KEY[key], "duration")
    ax = fig.axes[0]
    assert [len(line.get_xdata()) for line in ax.lines] == [3, 3]
    assert sum(isinstance(c, PolyCollection) for c in ax.collections) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["30.0 d", "40.0 d", "50.0 d"]
    ticks = [ax.yaxis.get_major_formatter()(v, 0) for v in ax.get_yticks()]
    assert any(t.endswith(" MB") for t in ticks) and not any("e" in t for t in ticks)


def test_a_categorical_axis_gets_markers_with_error_bars_and_no_joining_line() -> None:
    """variant alone: one marker per variant with its interval; no line joins pop3 to
    imap."""
    spec = _spec({"variant": ["pop3", "pop3-keep", "imap"]})
    key = "consistency.agreement"
    data = cells(_points(spec, key, [0.5, 0.55, 0.99]), spec["axes"], key)
    fig = marker_chart(spec, data, BY_KEY[key], "variant")
    ax = fig.axes[0]
    joined = [line for line in ax.lines if len(line.get_xdata()) > 1
              and line.get_linestyle() not in ("None", "none", "")]
    assert joined == []
    assert sum(len(line.get_xdata()) == 1 and line.get_marker() == "o"
               for line in ax.lines) == 3
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50 %"


def test_two_numeric_axes_get_a_heat_map_per_variant_reading_the_interval() -> None:
    """variant × quota × receive: a heat map per variant; each cell's text gives the
    mean and the 95 % half-width in the metric's unit."""
    spec = _spec({"variant": ["pop3", "imap"], "server.quota": ["1MB", "10MB"],
                  "users[0].mail.receive": ["10/d", "20/d"]})
    key = "server_storage.peak_bytes"
    data = cells(_points(spec, key, [1e6 * i for i in range(1, 9)]), spec["axes"], key)
    fig = heat_maps(spec, data, scales(spec), BY_KEY[key], "server.quota",
                    "users[0].mail.receive")
    panels = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in panels] == ["variant=pop3", "variant=imap"]
    texts = [t.get_text() for t in panels[1].texts]
    assert "5MB\n± 1B" in texts and len(texts) == 4


def test_a_metric_no_run_has_is_left_out_with_the_reason() -> None:
    """A metric with no figure at any point is not drawn; the sentence says why."""
    spec = _spec({"variant": ["pop3", "imap"]})
    key = "offline_availability.ratio"
    points = [{"variant": v, "runs": 2, "all_valid": True, f"{key}.mean": None,
               f"{key}.ci95": None} for v in ("pop3", "imap")]
    got = metric_chart(spec, points, scales(spec), key)
    assert not isinstance(got, Plot) and "no run of the sweep had a figure" in got


def test_the_page_shows_numbers_in_their_units(quota_sweep: tuple[SweepResult, Path]) -> None:
    """Percentages, bytes in KB/MB and quotas in human units; no raw floats such as
    1.5e+05 or 0.5004 anywhere outside the charts."""
    text = text_outside_svg((quota_sweep[1] / "sweep.html").read_text())
    assert re.search(r"\d+\.\d %", text) and re.search(r"\d+\.\d (KB|MB)", text)
    assert "<td>2.0 MB</td>" in text and "<td>50.0 MB</td>" in text
    assert not re.search(r"\d\.?\d*e[+-]\d", text)
    assert not re.search(r"[ >]0\.\d{3,}", text)


def test_the_page_leaves_out_empty_charts_and_says_why(
        quota_sweep: tuple[SweepResult, Path]) -> None:
    """Nobody is offline in this scenario: no offline-availability chart, one line instead."""
    html = (quota_sweep[1] / "sweep.html").read_text()
    assert 'id="fig-sweep-offline_availability-ratio"' not in html
    assert "Offline availability: no run of the sweep had a figure" in html
    assert 'id="fig-sweep-server_storage-peak_bytes"' in html


def test_who_wins_where_finds_the_quota_boundary(quota_sweep: tuple[SweepResult, Path]) -> None:
    """A 2 MB quota bounces mail kept on the server (imap), so pop3 is recommended there;
    with 50 MB nothing bounces and imap wins on missing reads. The page shows both."""
    result, out = quota_sweep
    picks = {d.label: d.decision.recommended for d in result.decisions}
    assert picks == {"server.quota=2MB": "pop3", "server.quota=50MB": "imap"}
    html = (out / "sweep.html").read_text()
    assert "<h2>Who wins where</h2>" in html and 'id="fig-sweep-wins"' in html
    assert "H3 (messages bounced for lack of room) rules out imap" in html


def test_points_csv_carries_the_decision_at_each_point(
        quota_sweep: tuple[SweepResult, Path]) -> None:
    """Every row has its point's recommended variant, whether it is provisional, and per
    criterion the best variant and its status; full precision is kept for the means."""
    rows = list(csv.DictReader(io.StringIO((quota_sweep[1] / "points.csv").read_text())))
    assert {(r["server.quota"], r["recommended"]) for r in rows} == {("2MB", "pop3"),
                                                                    ("50MB", "imap")}
    assert {r["provisional"] for r in rows} == {"False"}
    tight = next(r for r in rows if r["server.quota"] == "2MB")
    assert tight["best.bounced"] == "pop3" and tight["best.bounced.status"] == "decided"
    assert tight["best.offline_reading.status"] == "does not bear"
    assert len(tight["consistency.agreement.mean"].split(".")[1]) > 4


def test_points_parquet_has_the_same_columns(quota_sweep: tuple[SweepResult, Path]) -> None:
    """points.parquet holds the points table, decision columns included."""
    pq = pytest.importorskip("pyarrow.parquet", reason="the parquet extra is not installed")
    table = pq.read_table(quota_sweep[1] / "points.parquet")
    assert "recommended" in table.column_names and table.num_rows == 4


def test_without_a_variant_axis_there_is_no_decision(tmp_path: Path) -> None:
    """A grid without variant decides nothing: no decision columns, and the page says
    how to add the axis."""
    result = sweep(write(tmp_path, QUOTA), ["server.quota=2MB,50MB"], replications=1,
                   out=tmp_path / "sw")
    assert result.decisions == [] and "recommended" not in result.points[0]
    assert "--grid variant=pop3,imap" in (tmp_path / "sw" / "sweep.html").read_text()
