"""Where an IMAP client's messages live on the server: the UIDs a resync finds expunged are
exactly the known ones the server no longer lists, whichever way they are found."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from simulator.clients.imap_state import Where

_UIDS = st.lists(st.integers(1, 40), unique=True, max_size=25)


@given(_UIDS, _UIDS, st.booleans())
def test_missing_is_the_known_uids_the_server_no_longer_lists(
        known: list[int], listed: list[int], prefix: bool) -> None:
    """``missing`` equals the set difference, sorted: also when the known UIDs begin the
    listing (the shortcut), in any order they were located in."""
    where = Where()
    for n, uid in enumerate(known):
        where.set(f"L{n}", "INBOX", uid, f"m{uid}")
    present = known + [u for u in listed if u not in known] if prefix else listed
    assert where.missing("INBOX", present) == sorted(set(known) - set(present))
    assert where.missing("INBOX", set(present)) == sorted(set(known) - set(present))
    assert where.missing("Sent", present) == []


def test_a_moved_key_keeps_its_message_id_and_leaves_its_old_place() -> None:
    """Located again without a Message-ID (a MOVE's new UID), a key keeps the one it had;
    its old place is free, the new one names it, and a dropped key is nowhere."""
    where = Where()
    where.set("L1", "INBOX", 7, "m1@x")
    where.set("L1", "Archive", 3)
    assert where.at("INBOX", 7) is None and where.at("Archive", 3) == "L1"
    assert where.cached("Archive") == [(3, "L1", "m1@x")] and where.cached("INBOX") == []
    where.drop("L1")
    assert where.at("Archive", 3) is None and "L1" not in where.of_key
