"""Rule 12: delete is two steps, \\Deleted then EXPUNGE / UID EXPUNGE / CLOSE; LOGOUT, SELECT
of another mailbox and a drop expunge nothing; \\Deleted mail still uses quota."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.message import Message
from simulator.mail.store import DELETED, Account

from .conftest import deliver, imap_select, mids


def marked(server: imap.ImapServer, *uids: int) -> imap.Session:
    """A session on INBOX that has set \\Deleted on ``uids``."""
    session = imap_select(server)
    session.store(list(uids), "+", [DELETED])
    return session


def test_rule12_deleted_flag_alone_removes_nothing(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12: \\Deleted marks; the message stays and keeps its bytes."""
    deliver(account, "m1")
    marked(server, 1)
    assert mids(account) == ["m1"] and account.used == 1_000


def test_rule12_expunge_removes_every_deleted_message(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12: EXPUNGE removes all \\Deleted messages, whoever marked them."""
    deliver(account, "m1", "m2", "m3")
    marked(server, 1)
    session = marked(server, 3)
    assert session.expunge().value == [1, 3]
    assert mids(account) == ["m2"]


def test_rule12_uid_expunge_removes_only_named_deleted_uids(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12 (UIDPLUS): UID EXPUNGE removes the named UIDs that carry \\Deleted, no others."""
    deliver(account, "m1", "m2", "m3")
    marked(server, 1)
    session = marked(server, 2)
    assert session.uid_expunge([2, 3]).value == [2]
    assert mids(account) == ["m1", "m3"]


def test_rule12_close_expunges_and_deselects(account: Account, server: imap.ImapServer) -> None:
    """Rule 12: CLOSE silently expunges \\Deleted messages and leaves the selected state."""
    deliver(account, "m1", "m2")
    session = marked(server, 2)
    assert session.close().ok
    assert session.state == imap.AUTH
    assert mids(account) == ["m1"]


def test_rule12_close_expunges_only_what_the_session_knows(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12 as Dovecot does it: CLOSE expunges the \\Deleted messages of the session's
    view — current flags, but not mail added since its last command (no sync before CLOSE);
    every other command, a failed one too, first brings the view up to date."""
    deliver(account, "m1")
    session = imap_select(server)
    other = imap_select(server)
    other.store([1], "+", [DELETED])
    other.append("INBOX", Message("a2", 1_000), [DELETED])
    session.close()
    assert mids(account) == ["a2"], "m1 was known (its \\Deleted is current); a2 was not"
    session = imap_select(server)
    other.append("INBOX", Message("a3", 1_000), [DELETED])
    assert not session.fetch_body(99).ok  # a failed command still syncs the view
    session.close()
    assert mids(account) == []


def test_rule12_logout_does_not_expunge(account: Account, server: imap.ImapServer) -> None:
    """Rule 12: LOGOUT leaves \\Deleted messages in place."""
    deliver(account, "m1")
    marked(server, 1).logout()
    assert mids(account) == ["m1"]


def test_rule12_selecting_another_mailbox_does_not_expunge(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12: SELECT of another mailbox is not CLOSE: nothing is expunged."""
    deliver(account, "m1")
    marked(server, 1).select("Trash")
    assert mids(account) == ["m1"]


def test_rule12_a_dropped_connection_does_not_expunge(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 12: a broken connection expunges nothing."""
    deliver(account, "m1")
    marked(server, 1).drop_connection()
    assert mids(account) == ["m1"]


def test_rule12_deleted_messages_still_count_against_quota(server: imap.ImapServer) -> None:
    """Rule 12 (RFC 9208 §4.1.4): \\Deleted bytes count until expunged."""
    account = server.account
    account.quota = 1_500
    deliver(account, "m1")
    marked(server, 1)
    assert not account.fits(1_000)
    imap_select(server).expunge()
    assert account.fits(1_000)
