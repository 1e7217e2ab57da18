"""report.html and comparison.html: one self-contained, deterministic page each, with the
metrics table, five labelled plots and (for a comparison) the decision guide."""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

import pytest

from simulator.analysis import Comparison, compare
from simulator.folders import rerender, write_comparison, write_run
from simulator.report.html import comparison_html, run_html
from simulator.runs import run
from simulator.scenario import parse_scenario
from tests.compare.helpers import tiny

PLOTS = ("fig-storage", "fig-agreement", "fig-propagation", "fig-offline", "fig-devices")


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    """The tiny scenario under three variants, two replications."""
    return compare(tiny(), ["pop3", "pop3-keep", "imap"], replications=2)


def external_references(page: str) -> list[str]:
    """Every URL the page would fetch or link to outside itself (SVG namespaces aside)."""
    urls = re.findall(r"(?:src|href)\s*=\s*[\"']?([^\"'\s>]+)", page)
    urls += re.findall(r"url\(([^)]*)\)", page)
    return [u for u in urls if re.match(r"(?i)(https?:)?//", u)]


def test_run_report_is_self_contained() -> None:
    """No script, no stylesheet or image from elsewhere: it opens without a network."""
    results = run(tiny(), variant="imap")
    page = run_html(results.summary, results.timeseries)
    assert external_references(page) == []
    assert "<script" not in page
    assert page.count("<svg") == 5
    for plot in PLOTS:
        assert f'id="{plot}"' in page


def test_same_run_same_bytes() -> None:
    """Two renders of the same run are byte-identical (fixed SVG salt, no dates)."""
    pages = []
    for _ in range(2):
        results = run(tiny(), variant="pop3")
        pages.append(run_html(results.summary, results.timeseries))
    assert pages[0] == pages[1]
    assert "Date" not in pages[0] and "<dc:date>" not in pages[0]


def test_plots_are_labelled_with_units(comparison: Comparison) -> None:
    """Axis labels say what is measured and in which unit."""
    page = comparison_html(comparison)
    for label in ("time (days)", "server storage, all accounts (", "agreement, mean over "
                  "devices (%)", "share of propagated changes", "offline reads that "
                  "succeeded (%)", "peak bytes of mail on the device ("):
        assert label in page


def test_comparison_page_has_table_plots_and_guide(comparison: Comparison) -> None:
    """The metrics table (every metric, every variant, best starred), five plots, the
    decision guide G1–G7 and a recommendation naming one of the variants."""
    page = comparison_html(comparison)
    assert external_references(page) == []
    table = page[page.index('<table class="metrics">'):]
    table = table[:table.index("</table>")]
    for row in comparison.rows:
        assert escape(row.metric.label) in table
    assert table.count("<tr>") == len(comparison.rows) + 1
    assert "★" in table
    assert page.count("<svg") == 5
    assert "Which protocol?" in page
    for code in ("G1", "G2", "G3", "G4", "G5", "G6", "G7"):
        assert f"<strong>{code}</strong>" in page
    advice = re.search(r'<p class="recommendation">(.*?)</p>', page, re.S)
    assert advice and any(f"{v} (" in advice.group(1) for v in comparison.variants)


def test_rerendering_from_disk_gives_the_same_pages(comparison: Comparison, tmp_path: Path) -> None:
    """`mailsim report DIR` rebuilds comparison.* and each report.* from the saved JSON and
    CSV, byte for byte."""
    dest = write_comparison(comparison, tmp_path / "cmp")
    before = {p: p.read_bytes() for p in dest.rglob("*") if p.suffix in (".html", ".md")}
    for p in before:
        p.write_text("stale")
    written = rerender(dest)
    assert sorted(written) == sorted(before)
    assert {p: p.read_bytes() for p in before} == before


def test_rerendering_a_run_folder(tmp_path: Path) -> None:
    """A `mailsim run` folder re-renders its report.md and report.html."""
    dest = write_run(run(tiny(), variant="imap"), tmp_path / "run")
    original = (dest / "report.html").read_bytes()
    (dest / "report.html").unlink()
    assert rerender(dest) == [dest / "report.md", dest / "report.html"]
    assert (dest / "report.html").read_bytes() == original


def test_a_scenario_without_mail_still_renders() -> None:
    """No mail at all: empty plots, 'n/a' bars and no warning from matplotlib; with one
    replication nothing can be shown, and the recommendation says it is provisional."""
    quiet = parse_scenario("mailsim: 1\nname: quiet\nduration: 1d\nusers:\n  - name: ann\n"
                           "    mail: {receive: 0/d}\n    devices:\n"
                           "      - {name: laptop, protocol: imap, uses: 1.0}\n", "<quiet>")
    page = comparison_html(compare(quiet, ["pop3", "imap"], replications=1))
    assert page.count("<svg") == 5 and "are within the zone on every criterion" in page
    assert "Provisional: H1 runs that broke a simulator invariant" in page
