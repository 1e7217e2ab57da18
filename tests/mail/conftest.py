"""Small builders shared by the functional-core specifications."""

from __future__ import annotations

import pytest

from simulator.mail import imap, pop3
from simulator.mail.message import Message
from simulator.mail.store import Account


def deliver(account: Account, *mids: str, size: int = 1_000, folder: str = "INBOX") -> list[int]:
    """Store one message per mid in ``folder``; returns their UIDs."""
    return [account.add(folder, Message(mid, size), cause="deliver").uid for mid in mids]


def mids(account: Account, folder: str = "INBOX") -> list[str]:
    """The mids stored in ``folder``, in UID order."""
    return [e.msg.mid for e in account.mailboxes[folder].entries.values()]


def flags_of(account: Account, mid: str, folder: str = "INBOX") -> frozenset[str]:
    """The flags of the single copy of ``mid`` in ``folder``."""
    [entry] = [e for e in account.mailboxes[folder].entries.values() if e.msg.mid == mid]
    return entry.flags


def pop3_login(drop: pop3.Maildrop) -> pop3.Session:
    """A POP3 session already in TRANSACTION."""
    session = drop.open()
    assert session.login().ok
    return session


def imap_select(server: imap.ImapServer, folder: str = "INBOX") -> imap.Session:
    """An IMAP session logged in with ``folder`` selected."""
    session = server.connect()
    session.login()
    assert session.select(folder).ok
    return session


@pytest.fixture
def account() -> Account:
    """An account without quota."""
    return Account("user")


@pytest.fixture
def maildrop(account: Account) -> pop3.Maildrop:
    """The account's POP3 side with the RFC 1939 lock and Dovecot's \\Seen after RETR."""
    return pop3.Maildrop(account, lock=True, seen_on_retr=True)


@pytest.fixture
def server(account: Account) -> imap.ImapServer:
    """The account's IMAP side."""
    return imap.ImapServer(account)
