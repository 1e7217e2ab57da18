"""``mailsim report DIR``: write a folder's reports again from its saved JSON, so a person
can re-render after upgrading mailsim or changing the report code, without re-running."""

from __future__ import annotations

from pathlib import Path

from simulator.report.comparison_md import comparison_md
from simulator.report.files import write_text_atomic
from simulator.report.html import comparison_html, run_html
from simulator.report.load import ReportError, read_comparison, read_run
from simulator.report.markdown import run_report


def rerender_run(folder: Path) -> list[Path]:
    """report.md and report.html of one run folder."""
    summary, rows = read_run(folder)
    written = [folder / "report.md", folder / "report.html"]
    write_text_atomic(written[0], run_report(summary))
    write_text_atomic(written[1], run_html(summary, rows))
    return written


def rerender(folder: Path) -> list[Path]:
    """Every report in ``folder`` (a comparison folder or a run folder), re-rendered."""
    folder = Path(folder)
    if (folder / "comparison.json").exists():
        comparison = read_comparison(folder)
        written = []
        for variant in comparison.variants:
            written += rerender_run(folder / variant)
        for name, text in (("comparison.md", comparison_md(comparison)),
                           ("comparison.html", comparison_html(comparison))):
            write_text_atomic(folder / name, text)
            written.append(folder / name)
        return written
    if (folder / "summary.json").exists():
        return rerender_run(folder)
    raise ReportError(f"{folder}: no comparison.json or summary.json here; expected a folder "
                      "written by mailsim run or mailsim compare")
