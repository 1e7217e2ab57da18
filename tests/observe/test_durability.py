"""The durability checker keeps what live mail needs and no more: its per-message state
follows the messages that still exist or are still expected, not every message of the run."""

from __future__ import annotations

from pathlib import Path

from simulator.observe.durability import Durability, Removed
from simulator.observe.history import History
from simulator.observe.verdict import Verdict
from simulator.runs.one import observe, resolve
from simulator.world.world import World

FAULTS = Path(__file__).parents[2] / "scenarios" / "faults.yaml"


def test_durability_forgets_what_no_answer_reads() -> None:
    """After a run with deletions, retention and a lost device: no zero server count, no
    empty body map, and a removal only for a message the person still expects."""
    _, resolved = resolve(FAULTS)
    history, observer = observe(resolved, keep_history=True)
    World(resolved, history).run()
    durability = observer.durability
    deleted = {e.mid for e in history.events if e.kind == "intent" and e.state is None}
    expected = {mid for mids in durability.intent.values() for mid in mids}
    assert deleted and durability.removal
    assert all(0 not in counts.values() for counts in durability.server.values())
    assert all(durability.bodies.values())
    assert set(durability.removal) <= expected
    assert not set(durability.removal) & deleted
    assert {mid for causes in durability.server_cause.values() for mid in causes} <= expected


def test_messages_with_bodies_on_the_same_devices_share_one_tuple_of_them() -> None:
    """Most of a person's mail has a body on the same few devices: one tuple of them each,
    not one per message."""
    _, resolved = resolve(FAULTS)
    history, observer = observe(resolved, keep_history=True)
    World(resolved, history).run()
    several = [held for held in observer.durability.bodies.values() if isinstance(held, tuple)]
    assert len(several) > len(set(several))
    assert len({id(held) for held in several}) == len(set(several))


def test_the_checkers_share_one_map_of_what_each_person_expects() -> None:
    """Consistency, durability and the verdict all read which messages each person expects
    (and two of them which ones each deleted): the observer gives them one map, kept by the
    consistency checker, not a copy each (it holds every message a person keeps)."""
    _, resolved = resolve(FAULTS)
    _, observer = observe(resolved, keep_history=False)
    observer.stories.close()
    intent = observer.consistency.intent
    assert observer.durability.intent is intent and observer.verdict.intent is intent
    assert observer.verdict.deleted is observer.consistency.deleted


def test_the_verdict_accounts_for_every_message_with_its_own_maps_too() -> None:
    """A verdict that keeps its own maps (no other checker's given) finds the same: a
    message delivered and then deleted, or still expected, is accounted for; one delivered
    that left the intent without a deletion is a violation, and not counted twice."""
    history = History()
    verdict = Verdict(history)
    for mid in ("m1", "m2", "m3"):
        history.add("deliver", 1.0, "ann", mid, 1000)
        history.add("intent", 1.0, "ann", mid, ("INBOX", frozenset()), "", "deliver")
    history.add("intent", 2.0, "ann", "m1", None, "ann/laptop", "delete")
    assert verdict.summary([])["valid"]
    history.add("intent", 3.0, "ann", "m2", None, "ann/laptop", "archive")
    block = verdict.summary([])
    assert not block["valid"] and block["violation_count"] == 1
    assert verdict.deleted == {"ann": {"m1"}} and verdict.left == {"m2"}


def test_a_removal_is_read_back_exactly_as_it_happened() -> None:
    """A removal is kept packed (its time and a shared (where, cause, how)): read back, it
    names the mailbox or device, the exact time, the cause and how, as recorded."""
    history = History()
    durability = Durability(history)
    history.add("intent", 1.0, "ann", "m1", ("INBOX", frozenset()), "", "deliver")
    history.add("intent", 1.0, "ann", "m2", ("INBOX", frozenset()), "", "deliver")
    history.add("store", 1.0, "ann", "add", "INBOX", 7, 1, "m1", "deliver")
    history.add("store", 1.0, "ann", "add", "INBOX", 7, 2, "m2", "deliver")
    history.add("view", 2.0, "ann/laptop", "m2", ("INBOX", frozenset()), 1, 1)
    history.add("store", 86_400.1234567, "ann", "expunge", "INBOX", 7, 1, "m1", "retention")
    history.add("store", 90_000.5, "ann", "expunge", "INBOX", 7, 2, "m2", "retention")
    history.add("view", 100_000.25, "ann/laptop", "m2", None, 0, 0)
    assert durability.removed("m1") == Removed("INBOX", 86_400.1234567, "retention", "")
    assert durability.removed("m2") == Removed(
        "ann/laptop", 100_000.25, "retention", "removed locally after the server's retention")
    assert durability.removed("m3") is None
    lost = {x["mid"]: x for x in durability.scan()[0]}
    assert lost["m1"]["last_seen"] == "server INBOX, removed at 86400s by retention"
    assert (lost["m1"]["removed_at_s"], lost["m1"]["removed_by"]) == (86_400.1234567,
                                                                        "retention")
