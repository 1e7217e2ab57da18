"""Rule 14: APPEND assigns a new UID (APPENDUID, RFC 4315); sending is SMTP, and the copy
APPENDed to Sent is a second upload that uses server quota."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.message import Message
from simulator.mail.smtp import Submission
from simulator.mail.store import SEEN, Account

from .conftest import flags_of


def logged_in(server: imap.ImapServer) -> imap.Session:
    """An authenticated session with nothing selected (APPEND needs no selection)."""
    session = server.connect()
    session.login()
    return session


def test_rule14_append_returns_the_new_uid(account: Account, server: imap.ImapServer) -> None:
    """Rule 14: APPEND answers with the UID the message got (APPENDUID)."""
    session = logged_in(server)
    first = session.append("Sent", Message("s1", 500)).value
    second = session.append("Sent", Message("s2", 500)).value
    assert (first, second) == (1, 2)
    assert account.mailboxes["Sent"].entries[second].msg.mid == "s2"


def test_rule14_append_keeps_the_given_flags(account: Account, server: imap.ImapServer) -> None:
    """Rule 14: the flags given with APPEND are stored with the message."""
    logged_in(server).append("Sent", Message("s1", 500), [SEEN])
    assert flags_of(account, "s1", "Sent") == {SEEN}


def test_rule14_append_uploads_the_whole_message(server: imap.ImapServer) -> None:
    """Rule 14: APPEND costs the message size upstream, in one round trip."""
    reply = logged_in(server).append("Sent", Message("s1", 40_000))
    assert reply.cost.up >= 40_000 and reply.cost.round_trips == 1


def test_rule14_sending_is_smtp_and_the_sent_copy_uses_quota(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 14: SMTP submission stores nothing; the Sent copy is a second upload using quota."""
    msg = Message("s1", 20_000)
    sent = Submission().send(msg)
    assert account.used == 0 and sent.cost.up >= msg.size
    saved = logged_in(server).append("Sent", msg)
    assert account.used == msg.size
    assert sent.cost.up + saved.cost.up >= 2 * msg.size


def test_rule14_append_to_a_missing_mailbox_asks_to_create_it(server: imap.ImapServer) -> None:
    """Rule 14 (RFC 3501 §6.3.11): APPEND to a mailbox that does not exist is NO [TRYCREATE]."""
    reply = logged_in(server).append("Nowhere", Message("x", 500))
    assert not reply.ok and reply.code == "TRYCREATE"
