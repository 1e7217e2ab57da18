"""The store holds one int object per message's UID, however it reached its maps: a server
keeps every message of every account, so a second copy of each UID would cost as much as
the map slot that holds it. Likewise one string per POP3 UIDL, and no sent mail kept by a
world's submission server."""

from __future__ import annotations

from simulator.mail.message import Message
from simulator.mail.smtp import Submission
from simulator.mail.store import SEEN, Account
from simulator.testing.driver import Bench


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


def test_a_pop3_download_is_keyed_by_the_listings_own_uidl_string() -> None:
    """A POP3 device keys each download by its UIDL, the very string object the maildrop's
    listing and the client's ``known`` hold: a device keeps no second string per message."""
    bench = Bench()
    for n in range(50):
        bench.account.add("INBOX", Message(f"m{n}@x", 1000 + n))
    laptop = bench.client("pop3", "laptop", leave_on_server=True)
    bench.sync(laptop)
    listed = {id(uidl) for uidl in bench.maildrop.listing.uidls}
    assert len(listed) == 50
    assert {id(key) for key in laptop.store.msgs} == listed
    assert {id(uidl) for uidl in laptop.known} == listed


def test_a_submission_server_that_keeps_nothing_still_accepts_and_counts() -> None:
    """A world's submission server keeps no sent mail (it would grow with the run): it
    accepts the same, at the same cost, and counts what it accepted."""
    keeping, bare = Submission(), Submission(keep=False)
    msg = Message("s1@ann", 4000)
    kept, sent = keeping.send(msg), bare.send(msg)
    assert (sent.ok, sent.value, sent.cost) == (kept.ok, kept.value, kept.cost)
    assert keeping.sent == [msg] and bare.sent == []
    assert keeping.accepted == bare.accepted == 1
