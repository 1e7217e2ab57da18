"""What ``mailsim compare`` shows in the terminal: a rich progress bar (on stderr) while
the runs go, then the comparison table with the best variant per metric marked, and the
decision: its paragraph and a table criterion by criterion."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from simulator.analysis import fmt
from simulator.analysis.comparison import Comparison
from simulator.analysis.explain import paragraph
from simulator.analysis.stats import Stat
from simulator.report.decision_table import CRITERIA_HEAD, criteria_rows, summary_line


def parse_variants(text: str | None) -> list[str] | None:
    """'pop3, imap' -> ['pop3', 'imap']; None or blank -> None (the default variants)."""
    if text is None:
        return None
    names = [n.strip() for n in text.split(",") if n.strip()]
    return names or None


def comparison_table(c: Comparison) -> Table:
    """Rows = metrics, columns = variants; mean ± 95% CI; best per row starred in green."""
    reps = len(c.seeds)
    table = Table(title=f"{c.scenario['name']}: {len(c.variants)} variants × {reps} "
                        f"replication{'s' if reps > 1 else ''}",
                  caption="mean (± 95% CI below); ★ best; ↑ higher / ↓ lower is better",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    table.add_column("metric", max_width=26)
    for v in c.variants:
        table.add_column(f"{v}\n{'/'.join(c.protocols[v])}", justify="right", no_wrap=True)
    for row in c.rows:
        arrow = {"higher": " ↑", "lower": " ↓"}.get(row.metric.better, "")
        cells = [cell(row.metric.unit, row.stats[v], v in row.best) for v in c.variants]
        table.add_row(Text(row.metric.label + arrow), *cells)
    return table


def cell(unit: str, s: Stat, best: bool) -> Text:
    """The mean on one line and '±half-width' (dim) under it; green with a star when best."""
    text = Text(("★ " if best else "") + fmt.short(unit, s.mean),
                style="bold green" if best else "")
    if s.ci95:
        text.append(f"\n±{fmt.short(unit, s.ci95)}", style="dim")
    return text


def print_comparison(console: Console, c: Comparison) -> None:
    """The comparison table and the decision's table, at their natural width when writing
    to a file or pipe (no squeezing into 80 columns), at the terminal's width otherwise."""
    for table in (comparison_table(c), decision_table(c)):
        if table is not None:
            print_natural(console, table)


def print_natural(console: Console, table: Table) -> None:
    """``table`` at the terminal's width, or at its natural width when writing to a file or
    pipe (rich caps ``print(width=...)`` at the console's width, so the width is raised
    for this print and restored)."""
    if console.is_terminal:
        console.print(table)
        return
    natural = console.measure(table, options=console.options.update_width(1000)).maximum
    saved, console.width = console.width, max(console.width, natural)
    try:
        console.print(table)
    finally:
        console.width = saved


PACE_S = 7 * 86400.0
"""How far back the pace is taken: the whole command (rich's default, 30 s, forgets the
pace between runs that take minutes, and never says the time left)."""


@contextmanager
def progress_bar(console: Console, clock: Callable[[], float] | None = None
                 ) -> Iterator[Callable[[int, int, str], None]]:
    """A progress callback (runs of a batch, hours of a run, shards) drawing a bar on
    ``console``, with the time spent and the time left at the pace since the first run
    finished here (runs taken from an interrupted command's kept ones, "resumed", come
    first and set no pace). A label ending in "…" names a phase with units of its own (the
    merge of a sharded run's story files): it gets a bar of its own, with its own pace,
    under the runs' (which stays as it was). ``clock``: seconds now (default: a monotonic
    clock)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False, get_time=clock,
                  speed_estimate_period=PACE_S) as bar:
        task = bar.add_task("runs", total=None)
        phases: dict[str, TaskID] = {}

        def update(done: int, total: int, label: str) -> None:
            """Advance the bar to ``done`` of ``total``."""
            if label.endswith("…"):
                if label not in phases:
                    phases[label] = bar.add_task(label, total=total, completed=done)
                bar.update(phases[label], completed=done, total=total)
                return
            what = "resumed" if label == "resumed" else f"done {label}"
            bar.update(task, completed=done, total=total, description=what)

        yield update


def which_protocol(c: Comparison) -> str:
    """The decision's recommendation paragraph, under a heading, with how it was decided."""
    if c.decision is None:
        return "Which protocol? This comparison has no decision."
    return f"Which protocol? {paragraph(c.decision)}\n{summary_line(c.decision)}"


def decision_table(c: Comparison) -> Table | None:
    """The decision criterion by criterion (the criteria that bear on the organisation;
    the others are named in the paragraph; the means are in the table above)."""
    if c.decision is None:
        return None
    table = Table(title="The decision, criterion by criterion (hard failures first)",
                  box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False)
    keep = [0, 1, 5, 6, 7]  # code, criterion, status, best, paired difference
    for i in keep:
        table.add_column(CRITERIA_HEAD[i], max_width=60 if i == 7 else 24)
    for c_result, row in zip(c.decision.criteria, criteria_rows(c.decision), strict=True):
        if c_result.bears:
            table.add_row(*(Text(row[i]) for i in keep))
    return table
