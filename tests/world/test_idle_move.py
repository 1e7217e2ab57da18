"""An IMAP device that idles in INBOX comes back to it after syncing other folders and
catches up on what changed there meanwhile (RFC 2177, RFC 6851; the regression
idle-move-while-away)."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from simulator.runs import run
from simulator.testing.assertions import (
    assert_converged,
    assert_no_anomalies,
    assert_nothing_lost,
    assert_valid,
)

SCENARIO = Path(__file__).parents[2] / "scenarios" / "regressions" / "idle-move-while-away.yaml"


def test_a_move_made_while_an_idling_device_syncs_other_folders_is_not_shown_twice() -> None:
    """idle-move-while-away: d0 archives m52 while d2's full sync has left INBOX for Sent;
    d2 then fetches m52's new UID in Archive. d2 resyncs INBOX on its way back to idle
    there, so m52 is shown once (it was shown in INBOX and Archive for 15 minutes, until
    d2's next poll), and the run converges with no anomaly."""
    results = run(SCENARIO, keep_history=True)
    assert_valid(results)
    assert_no_anomalies(results)
    assert_converged(results)
    assert_nothing_lost(results)
    views = [e for e in results.history.of("view") if (e.device, e.mid) == ("u0/d2", "m52@u0")]
    twice = [(a.t, b.t) for a, b in pairwise(views) if a.shown >= 2]
    assert twice, "the scenario still reaches the race (Archive fetched, INBOX not resynced)"
    assert all(end - start < 1.0 for start, end in twice), "a moment, not until the next poll"
    assert (views[-1].state[0], views[-1].shown) == ("Archive", 1)
