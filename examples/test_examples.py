"""Each example client's bug is caught, with the anomaly its bug class leads to, and its
fixed version passes the same search: a hunt over generated scenarios with faults for the
client that forgets its queue, exhaustive drops for the two that mishandle a lost reply."""

from __future__ import annotations

from pathlib import Path

from simulator.scenario import Scenario
from simulator.testing.cuts import exhaustive_drops
from simulator.testing.edits import with_clients
from simulator.testing.hunt import hunt

HERE = Path(__file__).parent


def with_client(name: str, client: str) -> Scenario:
    """The example scenario ``name`` with every device running ``client``."""
    return with_clients(HERE / name, {"class": client})


def test_a_client_that_forgets_its_queue_on_disconnect_is_caught_only_with_faults() -> None:
    """Without faults the forgetful client converges (the issue's false comfort); with
    faults the hunt finds a scenario where a device ends differing from the person's intent,
    and the fixed client converges on every scenario of the same hunt."""
    bug, fix = "examples.forgetful_queue:ForgetfulQueue", "examples.forgetful_queue:FixedQueue"
    assert hunt(bug, "imap", faults=False, examples=15).failure is None
    caught = hunt(bug, "imap", faults=True, examples=40, shrink=False)
    assert caught.failure is not None, "the hunt should catch the forgotten queue"
    assert "divergent at the end" in caught.message
    assert caught.failure.summary["consistency"]["final_agreement"] < 1.0
    fixed = hunt(fix, "imap", faults=True, examples=caught.examples)
    assert fixed.failure is None, fixed.message
    assert fixed.faults > 0


def test_a_client_that_appends_again_after_a_lost_reply_duplicates_mail() -> None:
    """Cut the laptop's connection at each of its commands for half an hour: exactly the cuts
    after an APPEND leave a sent message in Sent twice (anomaly "duplicate"); searching by
    Message-ID first survives every cut."""
    window = (7 * 3600, 7.5 * 3600)
    cuts = exhaustive_drops(with_client("small.yaml", "examples.blind_append:BlindAppend"),
                            "u0/laptop", *window)
    broken = [c for c in cuts if not c.ok]
    assert broken and {(c.when, c.step.command) for c in broken} == {("after", "append")}
    for cut in broken:
        assert cut.results is not None
        assert cut.results.summary["consistency"]["anomalies"]["duplicate"] > 0
        assert "lost its connection after APPEND" in cut.story
    fixed = exhaustive_drops(with_client("small.yaml", "examples.blind_append:SearchingAppend"),
                             "u0/laptop", *window)
    assert len(fixed) == len(cuts)
    assert [c.verdict() for c in fixed if not c.ok] == []


def test_a_pop3_client_that_stores_after_quit_loses_mail_when_quit_goes_unanswered() -> None:
    """Cut the POP3 laptop's connection at each command for two hours: a lost reply to QUIT
    (the server has deleted) loses the mail held in memory; storing each message as RETR
    returns it loses nothing at any cut."""
    window = (0, 2 * 3600)
    cuts = exhaustive_drops(with_client("pop3.yaml", "examples.commit_on_quit:CommitOnQuit"),
                            "u0/laptop", *window)
    broken = [c for c in cuts if not c.ok]
    assert broken and all(c.lost > 0 for c in broken)
    assert {(c.when, c.step.command) for c in broken} == {("after", "quit")}
    assert all("exists nowhere" in c.story for c in broken)
    fixed = exhaustive_drops(with_client("pop3.yaml", "examples.commit_on_quit:StoreThenQuit"),
                             "u0/laptop", *window)
    assert [c.verdict() for c in fixed if not c.ok] == []
