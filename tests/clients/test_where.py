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


_KEYS = ("m1@x", "m2@x", "L1", "L2")
_FOLDERS = ("INBOX", "Sent", "Archive", "Trash")
_PLACES = (1, 2, 3, 2**32 - 1, 2**32, 2**32 + 2)  # UIDs, and some no server gives
_STEPS = st.lists(st.tuples(st.sampled_from(_KEYS), st.sampled_from((*_FOLDERS, "drop")),
                            st.sampled_from(_PLACES), st.sampled_from(("own", "other", "kept"))),
                  max_size=30)


@given(_STEPS)
def test_every_key_reads_back_where_it_was_last_located(steps: list[tuple[str, str, int, str]]
                                                        ) -> None:
    """However a location is kept (a key that is its own Message-ID in a synced folder keeps
    one int), each key reads back the folder, UID and Message-ID it was last given, a move keeps
    the Message-ID, and each folder lists exactly the keys located in it."""
    where, plain = Where(), dict[str, tuple[str, int, str]]()
    for key, folder, uid, mid in steps:
        if folder == "drop":
            where.drop(key)
            plain.pop(key, None)
            continue
        if any(loc[:2] == (folder, uid) for k, loc in plain.items() if k != key):
            continue  # one key per UID in a folder, as on a server
        if mid == "kept" and key in plain:
            where.set(key, folder, uid)
            plain[key] = (folder, uid, plain[key][2])
        else:
            message_id = key if mid == "own" else f"{key}.other@y"
            where.set(key, folder, uid, message_id)
            plain[key] = (folder, uid, message_id)
    for key in _KEYS:
        assert where.get(key) == plain.get(key)
    for folder in _FOLDERS:
        assert sorted(where.cached(folder)) == sorted(
            (uid, key, mid) for key, (f, uid, mid) in plain.items() if f == folder)
        for uid in _PLACES:
            assert where.at(folder, uid) == next(
                (k for k, loc in plain.items() if loc[:2] == (folder, uid)), None)


def test_a_key_that_is_its_message_id_keeps_one_int() -> None:
    """The common case costs one int per message, not a tuple: in INBOX the UID itself,
    in the other synced folders the UID and the folder's number; in a folder the client does
    not sync, or under another key, the location is kept in full."""
    where = Where()
    where.set("m1@x", "INBOX", 7, "m1@x")
    assert where.of_key["m1@x"] == 7 and where.get("m1@x") == ("INBOX", 7, "m1@x")
    where.set("m1@x", "Archive", 3)
    assert isinstance(where.of_key["m1@x"], int)
    assert where.get("m1@x") == ("Archive", 3, "m1@x")
    where.set("m1@x", "Trash", 3)
    where.set("L1", "Sent", 4, "m2@x")
    assert where.of_key == {"m1@x": ("Trash", 3, "m1@x"), "L1": ("Sent", 4, "m2@x")}


def test_an_inbox_location_and_its_folder_share_one_uid_object() -> None:
    """A key located in INBOX holds the very int object that keys INBOX's map, one per
    message rather than two (the compiled build boxes an int anew for each map otherwise)."""
    where = Where()
    for uid in range(1000, 1100):
        where.set(f"m{uid}@x", "INBOX", uid, f"m{uid}@x")
    where.set("m1000@x", "Archive", 5000)
    where.set("m1000@x", "INBOX", 1000)
    inbox = {id(uid) for uid in where.by_folder["INBOX"]}
    assert len(inbox) == 100
    assert {id(loc) for loc in where.of_key.values()} == inbox
