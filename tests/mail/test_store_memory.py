"""The store holds one int object per message's UID, however it reached its maps: a server
keeps every message of every account, so a second copy of each UID would cost as much as
the map slot that holds it."""

from __future__ import annotations

from simulator.mail.message import Message
from simulator.mail.store import SEEN, Account


def test_a_mailbox_keys_its_entries_and_its_modseq_order_by_the_same_uid_objects() -> None:
    """After adds, flag changes (which move an entry to the end of the MODSEQ order) and an
    expunge, both of a mailbox's maps are keyed by the same UID objects."""
    account = Account("ann")
    for n in range(300):
        account.add("INBOX", Message(f"m{n}@x", 1000))
    box = account.mailboxes["INBOX"]
    for uid in range(1, 300, 7):
        account.set_flags("INBOX", int(str(uid)), frozenset({SEEN}))  # a UID read off a wire
    account.expunge("INBOX", [5], "test")
    assert len(box.entries) == 299
    assert {id(uid) for uid in box.entries} == {id(uid) for uid in box._by_modseq}
    assert [e.uid for e in box.changed_since(301)] == list(range(1, 300, 7))  # 301: last add
