"""Connections dropped mid-sync, at a chosen command (`drop` events) or at random
(`drop_probability`): POP3 deletes nothing without QUIT and the lock lingers until
autologout (SEMANTICS 3, 9); an interrupted IMAP replay resumes at the first
unacknowledged action (rule 19); the verdict stays valid and IMAP converges."""

from __future__ import annotations

from types import SimpleNamespace

from simulator.clients.base import Cmd
from simulator.runs import Results, run
from simulator.world.faults import Drops
from tests.faults.helpers import (
    DAY,
    HOUR,
    device,
    go,
    of,
    on_server,
    scenario,
    sessions,
    shown_at_end,
)

POP3 = "{leave_on_server: false, poll: 5m}"
FIVE = "  - {at: 10h, deliver: {to: ann, count: 5, size: 50KB}}"


def test_a_pop3_session_dropped_before_quit_deletes_nothing() -> None:
    """The phone downloads and marks five messages, then the connection breaks before
    QUIT: the server still has every message, and the lock stays held until autologout
    (30 min), so the next session that deletes comes at least that much later."""
    events = FIVE + "\n  - {at: 10h, drop: ann/phone, before: quit}"
    results = go(scenario(device("phone", "pop3", POP3), events=events))
    drops = [e for e in of(results, "drop") if e.command == "quit"]
    assert [(e.when, e.cause) for e in drops] == [("before", "scripted")]
    dropped_at = drops[0].t
    assert sorted(on_server(results, until=dropped_at)) == sorted(
        f"e36000-{i}@ann" for i in range(1, 6))
    deletions = [e.t for e in of(results, "store") if e.change == "expunge"]
    assert deletions and min(deletions) >= dropped_at + 1800
    assert shown_at_end(results, "ann/phone") == {f"e36000-{i}@ann": 1 for i in range(1, 6)}
    assert on_server(results) == {}
    assert results.summary["durability"]["lost"] == 0
    assert results.valid


def test_a_pop3_quit_whose_reply_is_lost_still_deletes_and_downloads_nothing_twice() -> None:
    """The server carried out QUIT (the messages are gone from it) but the reply was lost:
    the phone keeps its copies, shows each once, and nothing is lost."""
    events = FIVE + "\n  - {at: 10h, drop: ann/phone, after: quit}"
    results = go(scenario(device("phone", "pop3", POP3), events=events))
    assert [(e.command, e.when) for e in of(results, "drop")] == [("quit", "after")]
    assert on_server(results) == {}
    assert shown_at_end(results, "ann/phone") == {f"e36000-{i}@ann": 1 for i in range(1, 6)}
    assert results.summary["consistency"]["anomalies"]["duplicate"] == 0
    assert results.summary["durability"]["lost"] == 0


def _offline_actions(drop: str) -> Results:
    """A laptop, offline 09:00-12:00, flags one message, archives it and deletes another;
    on reconnect its replay is interrupted as given. A phone follows along."""
    devices = "\n".join([
        device("laptop", "imap", "{cache: full, idle: true, poll: 10m}", 0.5),
        device("phone", "imap", "{cache: full, poll: 10m}", 0.5),
    ])
    events = "\n".join([
        "  - {at: 8h, deliver: {to: ann, count: 4, size: 50KB}}",
        "  - {at: 9h, offline: ann/laptop, for: 3h}",
        "  - {at: 10h, user: ann, on: laptop, do: flag}",
        "  - {at: 10h 01:00, user: ann, on: laptop, do: archive}",
        "  - {at: 10h 02:00, user: ann, on: laptop, do: delete}",
        f"  - {{at: 11h, drop: ann/laptop, {drop}}}",
    ])
    return go(scenario(devices, events=events, quiet="1d"))


def test_an_imap_replay_dropped_after_a_move_resumes_and_applies_every_action_once() -> None:
    """The MOVE to Archive reached the server but its reply did not: on the next session
    the replay goes on from there; each message ends in one place, as the person left it."""
    results = _offline_actions("after: move")
    assert [(e.command, e.when) for e in of(results, "drop")] == [("move", "after")]
    assert sorted(on_server(results).values()) == [1, 1, 1, 1]
    archived = [e.mid for e in of(results, "store") if e.change == "add" and e.mailbox == "Archive"]
    assert len(archived) == 1
    consistency = results.summary["consistency"]
    assert consistency["final_agreement"] == 1.0
    assert consistency["anomalies"]["duplicate"] == 0
    assert consistency["anomalies"]["lost_flag_change"] == 0
    assert results.valid


def test_an_imap_replay_dropped_before_a_flag_store_replays_it() -> None:
    """The +FLAGS never reached the server: it is sent again on the next session."""
    results = _offline_actions("before: store")
    assert [(e.command, e.when) for e in of(results, "drop")] == [("store", "before")]
    assert results.summary["consistency"]["final_agreement"] == 1.0
    assert results.valid


def _lost_append_reply(recovery: str) -> Results:
    """One laptop sends a message; the connection breaks after its APPEND to Sent."""
    devices = device("laptop", "imap", f"{{cache: full, idle: true, poll: 10m, "
                                       f"recovery: {recovery}}}")
    events = "\n".join([
        "  - {at: 10h, user: ann, on: laptop, do: send}",
        "  - {at: 9h, drop: ann/laptop, after: append}",
    ])
    return go(scenario(devices, events=events))


def test_an_append_whose_reply_is_lost_is_found_by_message_id_and_not_sent_again() -> None:
    """APPEND to Sent succeeded but the reply was lost: the careful client (the default)
    searches Sent by Message-ID on the next session (RFC 4549 §4.3), finds the copy and
    does not append it again — one copy on the server, one on the device."""
    results = _lost_append_reply("careful")
    assert [(e.command, e.when) for e in of(results, "drop")] == [("append", "after")]
    appended = [e for e in of(results, "store") if e.change == "add" and e.mailbox == "Sent"]
    assert len(appended) == 1
    assert shown_at_end(results, "ann/laptop") == {"s1@ann": 1}
    assert results.summary["consistency"]["anomalies"]["duplicate"] == 0
    assert results.valid


def test_with_naive_recovery_an_append_whose_reply_is_lost_is_sent_again_and_shows_twice() -> None:
    """``recovery: naive``: the client appends again, the server keeps two copies and the
    device shows the message twice — a duplicate whose witness tells the story."""
    results = _lost_append_reply("naive")
    consistency = results.summary["consistency"]
    assert consistency["anomalies"]["duplicate"] == 1
    witness = consistency["anomaly_witnesses"]["duplicate"][0]
    assert witness["mid"] == "s1@ann"
    assert "ann/laptop lost its connection after APPEND" in witness["story"]
    assert witness["story"].endswith("→ ann/laptop shows s1@ann more than once")
    assert results.valid


RANDOM = "  flaky: {latency: 40ms, bandwidth: 20Mbit, drop_probability: 0.1}"


def _random_drops(seed: int) -> Results:
    """Two IMAP devices on a link that drops one command in ten, then a quiet day."""
    devices = "\n".join([
        device("laptop", "imap", "{cache: full, idle: true, poll: 10m}", 0.5,
               "network: flaky"),
        device("phone", "imap", "{cache: full, poll: 15m}", 0.5, "network: flaky"),
    ])
    habits = "{check_every: 1h, delete: 0.3, archive: 0.3, flag: 0.2, reply: 0.1}"
    return go(scenario(devices, seed=seed, receive="40/d", send="5/d", habits=habits,
                       networks=RANDOM, quiet="1d"))


def test_random_drops_keep_the_verdict_and_imap_devices_still_converge() -> None:
    """With one command in ten breaking the connection (half before the server sees it,
    half after), every message is accounted for and both devices end as intended."""
    results = _random_drops(seed=3)
    drops = results.summary["faults"]["connection_drops"]
    assert drops["random"] > 50 and drops["before"] > 0 and drops["after"] > 0
    assert results.valid
    assert results.summary["consistency"]["final_agreement"] == 1.0
    assert results.summary["durability"]["lost"] == 0


def test_random_drops_are_the_same_for_the_same_seed() -> None:
    """Drops come from a seeded stream per device: a rerun gives the same bytes."""
    assert _random_drops(seed=3).summary_json() == _random_drops(seed=3).summary_json()


def test_no_drop_probability_means_no_random_drops() -> None:
    """The default network never drops connections on its own."""
    results = run(scenario(device("phone", "pop3", POP3), receive="50/d", days=2))
    assert results.summary["faults"]["connection_drops"]["total"] == 0
    assert len(sessions(results, "ann/phone")) > 2 * DAY / HOUR


def _line(chance: float, key: str = "ann/laptop") -> SimpleNamespace:
    """The parts of a line that its Drops read: seed, key, link and a history."""
    history = SimpleNamespace(add=lambda *fields: None)
    link = SimpleNamespace(drop_probability=chance)
    world = SimpleNamespace(scenario=SimpleNamespace(seed=7), history=history)
    return SimpleNamespace(world=world, key=key, device=SimpleNamespace(link=link), id=key,
                           env=SimpleNamespace(now=0.0))


def test_a_real_programs_run_is_cut_where_a_built_in_clients_commands_would_be() -> None:
    """For a device running a real program, the drop of its next run is drawn with the
    same per-command draws a built-in client's commands get (half before a command, half
    after it): the cut is at the first command where those draws break the connection."""
    for key in ("ann/laptop", "bob/phone", "cy/desktop"):
        drawn = Drops(_line(0.05, key)).cut()
        built_in = Drops(_line(0.05, key))
        expected = None
        for n in range(10_000):
            if built_in.before(Cmd("noop")):
                expected = (("before", n), "random")
                break
            if built_in.after(Cmd("noop")):
                expected = (("after", n), "random")
                break
        assert drawn == expected is not None


def test_a_scripted_drop_cuts_a_programs_run_at_its_first_command() -> None:
    """A scripted drop (whatever command it names) cuts the program's next run at its first
    command, before or after it as the event says, once; with no chance of a drop and
    nothing scripted a run is never cut."""
    drops = Drops(_line(0.0))
    assert drops.cut() is None
    drops.script("after", "fetch_new")
    drops.script("before", "")
    assert drops.cut() == (("before", 0), "scripted")
    assert drops.cut() == (("after", 0), "scripted")
    assert drops.cut() is None
