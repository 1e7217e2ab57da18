"""Rule 10: a message is identified by (mailbox, UIDVALIDITY, UID); UIDs strictly increase,
are never reused, UIDNEXT grows even past expunged messages; UIDVALIDITY changes when UIDs
cannot be kept (RFC 3501 §2.3.1.1)."""

from __future__ import annotations

import pytest

from simulator.mail import imap
from simulator.mail.message import Message
from simulator.mail.reply import ProtocolError
from simulator.mail.store import DELETED, Account

from .conftest import deliver, imap_select


def test_rule10_uids_strictly_increase(account: Account) -> None:
    """Rule 10: each new message gets a UID above every earlier one."""
    assert deliver(account, "m1", "m2", "m3") == [1, 2, 3]


def test_rule10_uidnext_grows_past_an_expunged_message(account: Account) -> None:
    """Rule 10: expunging the newest message does not give its UID back."""
    deliver(account, "m1", "m2")
    account.expunge("INBOX", [2], cause="test")
    assert deliver(account, "m3") == [3]
    assert account.mailboxes["INBOX"].uidnext == 4


def test_rule10_uids_are_per_mailbox(account: Account) -> None:
    """Rule 10: each mailbox numbers its own messages from 1 and has its own UIDVALIDITY."""
    deliver(account, "m1", "m2")
    assert deliver(account, "s1", folder="Sent") == [1]
    assert account.mailboxes["Sent"].uidvalidity != account.mailboxes["INBOX"].uidvalidity


def test_rule10_select_reports_uidvalidity_uidnext_and_count(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 10: SELECT tells the client UIDVALIDITY, UIDNEXT and how many messages exist."""
    deliver(account, "m1", "m2")
    account.expunge("INBOX", [1], cause="test")
    session = server.connect()
    session.login()
    info = session.select("INBOX").value
    box = account.mailboxes["INBOX"]
    assert (info.uidvalidity, info.uidnext, info.exists) == (box.uidvalidity, 3, 1)


def test_rule10_uidvalidity_reset_renumbers_under_a_new_validity(account: Account) -> None:
    """Rule 10: a reset keeps the messages but under a new UIDVALIDITY, numbered afresh."""
    deliver(account, "m1", "m2", "m3")
    account.expunge("INBOX", [1], cause="test")
    old = account.mailboxes["INBOX"].uidvalidity
    box = account.reset_uidvalidity("INBOX")
    assert box.uidvalidity > old
    assert [(e.uid, e.msg.mid) for e in box.entries.values()] == [(1, "m2"), (2, "m3")]


def test_rule10_a_session_on_a_reset_mailbox_must_reselect(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 10: after a reset the old selection is invalid; commands on it are refused."""
    deliver(account, "m1")
    session = imap_select(server)
    account.reset_uidvalidity("INBOX")
    with pytest.raises(ProtocolError, match="UIDVALIDITY"):
        session.fetch_flags()
    assert session.select("INBOX").ok


def test_rule10_a_stale_uid_on_a_session_open_across_a_reset_changes_nothing(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 10: UID 2 was m2 before the reset and is m3 after it; a STORE naming it on the
    session selected before the reset is refused and no message changes (Dovecot also
    refuses it: tests/conformance, selected_session_at_a_uidvalidity_reset)."""
    deliver(account, "m1", "m2", "m3")
    session = imap_select(server)
    account.expunge("INBOX", [1], cause="test")
    account.reset_uidvalidity("INBOX")
    with pytest.raises(ProtocolError, match="UIDVALIDITY"):
        session.store([2], "+", ["\\Flagged"])
    assert all(not e.flags for e in account.mailboxes["INBOX"].entries.values())


def test_rule10_a_failed_select_leaves_nothing_selected(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 10 (RFC 3501 §6.3.1): SELECT of a missing mailbox fails and deselects."""
    session = imap_select(server)
    reply = session.select("Nowhere")
    assert not reply.ok and reply.code == "NONEXISTENT"
    assert session.state == imap.AUTH and session.box is None


def test_rule10_append_after_expunge_gets_a_new_uid(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 10: APPEND never reuses the UID of an expunged draft."""
    session = imap_select(server, "Drafts")
    first = session.append("Drafts", Message("d1", 500)).value
    session.store([first], "+", [DELETED])
    session.expunge()
    assert session.append("Drafts", Message("d2", 500)).value == first + 1
