"""Matching a cache to a renumbered mailbox by Message-ID (the careful recovery from a
UIDVALIDITY change, as isync 1.4 does)."""

from __future__ import annotations

from simulator.clients.renumber import match
from simulator.mail.imap import Row


def row(uid: int, mid: str) -> Row:
    return Row(uid, mid, 1_000, frozenset(), 1)


def test_each_cached_key_gets_the_new_uid_of_its_message_id() -> None:
    """Keys follow their Message-ID whatever the new numbering."""
    out = match([(5, "L1", "m1"), (9, "L2", "m2")], [row(1, "m2"), row(2, "m1")])
    assert [(key, r.uid) for key, r in out.found] == [("L2", 1), ("L1", 2)]
    assert out.new == [] and out.gone == []


def test_copies_sharing_a_message_id_are_paired_in_uid_order() -> None:
    """Two copies of one message stay two, in the order they had."""
    out = match([(7, "L2", "s1"), (3, "L1", "s1")], [row(1, "s1"), row(2, "s1")])
    assert [(key, r.uid) for key, r in out.found] == [("L1", 1), ("L2", 2)]


def test_rows_left_over_are_new_and_keys_left_over_have_gone() -> None:
    """A message only on the server is new; one only in the cache was expunged."""
    out = match([(1, "L1", "m1"), (2, "L2", "m2")], [row(1, "m2"), row(2, "m3")])
    assert [(key, r.uid) for key, r in out.found] == [("L2", 1)]
    assert [r.mid for r in out.new] == ["m3"]
    assert out.gone == ["L1"]
