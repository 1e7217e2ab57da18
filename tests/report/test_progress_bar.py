"""The progress bar of long commands: done out of all, the time spent and the time left at
the pace so far, which runs taken from an interrupted command's kept ones do not set."""

from __future__ import annotations

import io

from rich.console import Console

from simulator.report.terminal import progress_bar


def drawn(*updates: tuple[float, int, int, str]) -> str:
    """The bar's last line after ``updates`` (each at its own time on a fake clock)."""
    now = [0.0]
    out = io.StringIO()
    with progress_bar(Console(file=out, width=120, force_terminal=False),
                      clock=lambda: now[0]) as update:
        for t, done, total, label in updates:
            now[0] = t
            update(done, total, label)
    return out.getvalue().strip().splitlines()[-1]


def test_the_bar_says_what_was_done_how_far_and_the_time_left() -> None:
    """The last run's name, done/total, time spent and time left: runs of three minutes
    each (longer than rich's own 30 s window), two to go, six minutes left."""
    line = drawn((180.0, 1, 4, "imap #1"), (360.0, 2, 4, "pop3 #1"))
    assert line.startswith("done pop3 #1") and "2/4" in line
    assert line.endswith("0:06:00 left 0:06:00")


def test_kept_runs_taken_at_the_start_do_not_set_the_pace() -> None:
    """Six runs resumed at once, then a run every 100 s: the two to go take 200 s (counting
    the resumed ones as done in that time would promise 29 s)."""
    line = drawn((0.0, 6, 10, "resumed"), (100.0, 7, 10, "imap #3"), (200.0, 8, 10, "x"))
    assert "8/10" in line and line.endswith("left 0:03:20")
    assert drawn((0.0, 6, 10, "resumed")).startswith("resumed")


def test_a_phase_of_its_own_gets_a_bar_of_its_own() -> None:
    """After the shards, the story merge (a label ending in "…") gets its own bar under the
    shards' (which stays as it was), with its megabytes and a time left at its own pace
    from its first telling on: 4 MB in 8 s, 10 to go."""
    merging = "merging the shards' story files (MB)…"
    now = [0.0]
    out = io.StringIO()
    with progress_bar(Console(file=out, width=120, force_terminal=False),
                      clock=lambda: now[0]) as update:
        for t, done, total, label in ((100.0, 4, 4, "shard 4"), (101.0, 0, 15, merging),
                                      (102.0, 1, 15, merging), (110.0, 5, 15, merging)):
            now[0] = t
            update(done, total, label)
    shards, merge = out.getvalue().strip().splitlines()[-2:]
    assert shards.startswith("done shard 4") and "4/4" in shards
    assert merge.startswith(merging) and "5/15" in merge
    assert merge.endswith("left 0:00:20")
