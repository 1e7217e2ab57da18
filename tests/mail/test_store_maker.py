"""Every change to the store names who made it: a session's changes name the device that
opened the session (the world uses it for IDLE push and for who removed what); changes the
server makes itself (delivery, retention) name nobody."""

from __future__ import annotations

from simulator.mail import imap, pop3
from simulator.mail.store import DELETED, Account, StoreEvent

from .conftest import deliver


def _record(account: Account) -> list[StoreEvent]:
    """Every store event of ``account`` from now on."""
    events: list[StoreEvent] = []
    account.listeners.append(lambda _account, event: events.append(event))
    return events


def test_imap_changes_name_the_device_that_opened_the_session(account: Account,
                                                               server: imap.ImapServer) -> None:
    """Flags, a move and an expunge over one IMAP session all carry its maker."""
    uid_a, uid_b = deliver(account, "a@x", "b@x")
    events = _record(account)
    session = server.connect(by="ann/laptop")
    session.login()
    session.select("INBOX")
    session.store([uid_a], "+", [DELETED])
    session.move([uid_b], "Archive")
    session.expunge()
    assert [(e.kind, e.mid) for e in events] == [
        ("flags", "a@x"), ("add", "b@x"), ("expunge", "b@x"), ("expunge", "a@x")]
    assert {e.by for e in events} == {"ann/laptop"}


def test_pop3_removals_name_the_device_that_opened_the_session(account: Account,
                                                                maildrop: pop3.Maildrop) -> None:
    """DELE then QUIT removes the message; the removal names the POP3 session's maker."""
    deliver(account, "a@x")
    events = _record(account)
    session = maildrop.open(by="ann/phone")
    session.login()
    session.dele(1)
    session.quit()
    assert [(e.kind, e.by) for e in events if e.kind == "expunge"] == [("expunge", "ann/phone")]


def test_the_servers_own_changes_name_nobody(account: Account) -> None:
    """A delivery and a retention expunge are the server's: ``by`` is empty."""
    events = _record(account)
    [uid] = deliver(account, "a@x")
    account.expunge("INBOX", [uid], cause="retention")
    assert [(e.kind, e.by) for e in events] == [("add", ""), ("expunge", "")]
