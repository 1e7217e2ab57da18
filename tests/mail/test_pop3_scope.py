"""Rules 7 and 8: POP3 sees INBOX only, with no flags and no upload; a deletion by one
device (DELE + QUIT) is a deletion for every device sharing the account."""

from __future__ import annotations

from simulator.mail import imap, pop3
from simulator.mail.message import Message
from simulator.mail.store import Account

from .conftest import deliver, imap_select, mids, pop3_login


def test_rule7_pop3_lists_only_the_inbox(account: Account, server: imap.ImapServer) -> None:
    """Rule 7: mail in Sent, Archive or Trash is invisible to POP3."""
    deliver(account, "m1", "m2")
    imap_session = imap_select(server)
    imap_session.move([1], "Archive")
    imap_session.append("Sent", Message("s1", 500))
    session = pop3_login(pop3.Maildrop(account))
    assert session.stat().value == (1, 1_000)
    assert session.message(1).mid == "m2"


def test_rule7_pop3_has_no_flag_or_upload_commands(maildrop: pop3.Maildrop) -> None:
    """Rule 7: a POP3 session offers no STORE, APPEND, COPY or folder selection."""
    session = pop3_login(maildrop)
    for name in ("store", "append", "copy", "move", "select", "expunge"):
        assert not hasattr(session, name)


def test_rule8_the_earliest_deletion_wins_for_every_device(account: Account) -> None:
    """Rule 8: once one device's DELE+QUIT removed a message, no other device gets it."""
    deliver(account, "m1", "m2")
    drop = pop3.Maildrop(account, lock=True)
    phone = pop3_login(drop)
    phone.dele(1)
    phone.quit()
    laptop = pop3_login(drop)
    assert [laptop.message(n).mid for n, _ in laptop.list().value] == ["m2"]
    assert mids(account) == ["m2"]


def test_rule8_leave_on_server_means_never_sending_dele(account: Account) -> None:
    """Rule 8: a session that downloads without DELE leaves everything for the next device."""
    deliver(account, "m1")
    drop = pop3.Maildrop(account)
    phone = pop3_login(drop)
    phone.retr(1)
    phone.quit()
    assert pop3_login(drop).stat().value == (1, 1_000)
