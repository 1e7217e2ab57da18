"""The durability checker keeps what live mail needs and no more: its per-message state
follows the messages that still exist or are still expected, not every message of the run."""

from __future__ import annotations

from pathlib import Path

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
    """Consistency, durability and the verdict all read which messages each person expects:
    the observer gives them one map, kept by the consistency checker, not a copy each (it
    holds every message a person keeps)."""
    _, resolved = resolve(FAULTS)
    _, observer = observe(resolved, keep_history=False)
    observer.stories.close()
    intent = observer.consistency.intent
    assert observer.durability.intent is intent and observer.verdict.intent is intent
