"""Rules 17, 21 and 22: quota. APPEND/COPY over quota get NO [OVERQUOTA]; delivery over quota
never reaches the mailbox; only EXPUNGE or DELE + QUIT free space."""

from __future__ import annotations

import pytest

from simulator.mail import imap, pop3
from simulator.mail.message import Message
from simulator.mail.store import DELETED, Account, OverQuota

from .conftest import deliver, imap_select, mids, pop3_login


@pytest.fixture
def full() -> Account:
    """An account with a 3,000-byte quota holding two 1,000-byte messages."""
    account = Account("user", quota=3_000)
    deliver(account, "m1", "m2")
    return account


def test_rule17_append_over_quota_is_overquota(full: Account) -> None:
    """Rule 17: an APPEND that would exceed the quota fails with NO [OVERQUOTA], stores nothing."""
    session = imap.ImapServer(full).connect()
    session.login()
    reply = session.append("Sent", Message("s1", 1_001))
    assert not reply.ok and reply.code == "OVERQUOTA"
    assert mids(full, "Sent") == [] and full.used == 2_000


def test_rule17_the_quota_is_inclusive(full: Account) -> None:
    """Rule 17: a message that fills the quota exactly is accepted."""
    session = imap.ImapServer(full).connect()
    session.login()
    assert session.append("Sent", Message("s1", 1_000)).ok
    assert full.used == full.quota


def test_rule17_copy_over_quota_copies_nothing(full: Account) -> None:
    """Rule 17: a COPY that does not fit as a whole fails and copies no message."""
    reply = imap_select(imap.ImapServer(full)).copy([1, 2], "Archive")
    assert reply.code == "OVERQUOTA" and mids(full, "Archive") == []


def test_rule17_move_needs_no_extra_quota(full: Account) -> None:
    """Rule 17: MOVE at a full quota works, the bytes only change folder."""
    full.quota = full.used
    reply = imap_select(imap.ImapServer(full)).move([1, 2], "Trash")
    assert reply.ok and mids(full, "Trash") == ["m1", "m2"] and full.used == 2_000


def test_rule21_delivery_over_quota_never_reaches_the_mailbox(full: Account) -> None:
    """Rule 21: the store refuses an over-quota delivery (LMTP 552/452); nothing is stored."""
    with pytest.raises(OverQuota):
        full.add("INBOX", Message("big", 1_001), cause="deliver")
    assert mids(full) == ["m1", "m2"] and full.used == 2_000


def test_rule22_deleted_flag_and_logout_free_nothing(full: Account) -> None:
    """Rule 22: \\Deleted, LOGOUT and selecting elsewhere keep the bytes."""
    session = imap_select(imap.ImapServer(full))
    session.store([1, 2], "+", [DELETED])
    session.select("Trash")
    session.logout()
    assert full.used == 2_000


def test_rule22_expunge_frees_space(full: Account) -> None:
    """Rule 22: EXPUNGE frees the bytes of the removed messages."""
    session = imap_select(imap.ImapServer(full))
    session.store([1], "+", [DELETED])
    session.expunge()
    assert full.used == 1_000


def test_rule22_pop3_dele_frees_space_only_at_quit(full: Account) -> None:
    """Rule 22: POP3 DELE frees nothing until QUIT; a drop frees nothing at all."""
    drop = pop3.Maildrop(full, lock=False)
    dropped = pop3_login(drop)
    dropped.dele(1)
    dropped.drop_connection()
    session = pop3_login(drop)
    session.dele(1)
    assert full.used == 2_000
    session.quit()
    assert full.used == 1_000


def test_rule22_moving_to_trash_frees_nothing(full: Account) -> None:
    """Rule 22: Trash is on the server too: a move keeps the bytes."""
    imap_select(imap.ImapServer(full)).move([1], "Trash")
    assert full.used == 2_000
