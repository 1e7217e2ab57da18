"""Rule 11: system flags and keywords; FETCH BODY[] sets \\Seen, BODY.PEEK[] does not."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.store import ANSWERED, DELETED, DRAFT, FLAGGED, SEEN, SYSTEM_FLAGS, Account

from .conftest import deliver, flags_of, imap_select


def test_rule11_the_five_system_flags(account: Account) -> None:
    """Rule 11: \\Seen \\Answered \\Flagged \\Deleted \\Draft are the system flags."""
    assert {SEEN, ANSWERED, FLAGGED, DELETED, DRAFT} == SYSTEM_FLAGS


def test_rule11_body_fetch_sets_seen(account: Account, server: imap.ImapServer) -> None:
    """Rule 11: FETCH BODY[] returns the message and marks it \\Seen."""
    deliver(account, "m1")
    reply = imap_select(server).fetch_body(1, peek=False)
    assert reply.value.mid == "m1"
    assert SEEN in flags_of(account, "m1")


def test_rule11_body_peek_leaves_flags_alone(account: Account, server: imap.ImapServer) -> None:
    """Rule 11: FETCH BODY.PEEK[] returns the message and changes nothing."""
    deliver(account, "m1")
    reply = imap_select(server).fetch_body(1, peek=True)
    assert reply.value.mid == "m1" and reply.cost.down >= 1_000
    assert flags_of(account, "m1") == frozenset()


def test_rule11_store_adds_removes_and_replaces(account: Account, server: imap.ImapServer) -> None:
    """Rule 11: +FLAGS adds, -FLAGS removes, FLAGS replaces the whole set."""
    deliver(account, "m1")
    session = imap_select(server)
    session.store([1], "+", [FLAGGED, SEEN])
    session.store([1], "-", [SEEN])
    assert flags_of(account, "m1") == {FLAGGED}
    session.store([1], "=", [ANSWERED, DRAFT])
    assert flags_of(account, "m1") == {ANSWERED, DRAFT}


def test_rule11_keywords_are_flags_too(account: Account, server: imap.ImapServer) -> None:
    """Rule 11: keywords such as $Forwarded are stored like system flags."""
    deliver(account, "m1")
    imap_select(server).store([1], "+", ["$Forwarded"])
    assert flags_of(account, "m1") == {"$Forwarded"}


def test_rule11_store_reports_only_real_changes(account: Account, server: imap.ImapServer) -> None:
    """Rule 11: STORE answers with the messages whose flags actually changed."""
    deliver(account, "m1", "m2")
    session = imap_select(server)
    session.store([1], "+", [SEEN])
    changed = session.store([1, 2], "+", [SEEN]).value
    assert [r.uid for r in changed] == [2]


def test_rule11_store_skips_uids_that_no_longer_exist(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 11/19: flags sent for an expunged UID are dropped silently."""
    deliver(account, "m1")
    session = imap_select(server)
    account.expunge("INBOX", [1], cause="elsewhere")
    reply = session.store([1], "+", [FLAGGED])
    assert reply.ok and reply.value == []
