"""Rule 1: POP3 states AUTHORIZATION → TRANSACTION → UPDATE, UPDATE only by QUIT (RFC 1939 §3)."""

from __future__ import annotations

import pytest

from simulator.mail import pop3
from simulator.mail.reply import ProtocolError
from simulator.mail.store import Account

from .conftest import deliver, mids, pop3_login


def test_rule1_a_new_connection_starts_in_authorization(maildrop: pop3.Maildrop) -> None:
    """Rule 1: a fresh connection is in AUTHORIZATION and transaction commands are refused."""
    session = maildrop.open()
    assert session.state == pop3.AUTHORIZATION
    with pytest.raises(ProtocolError):
        session.stat()


def test_rule1_login_enters_transaction(maildrop: pop3.Maildrop) -> None:
    """Rule 1: a successful login (USER+PASS) moves the session to TRANSACTION."""
    session = pop3_login(maildrop)
    assert session.state == pop3.TRANSACTION
    with pytest.raises(ProtocolError):
        session.login()


def test_rule1_quit_from_transaction_enters_update_and_closes(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 1: QUIT in TRANSACTION applies the deletions (UPDATE) and ends the session."""
    deliver(account, "m1", "m2")
    session = pop3_login(maildrop)
    session.dele(1)
    reply = session.quit()
    assert reply.ok and session.state == pop3.CLOSED
    assert mids(account) == ["m2"]
    with pytest.raises(ProtocolError):
        session.stat()


def test_rule1_quit_in_authorization_closes_without_update(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 1: QUIT before login just closes; no UPDATE state, nothing removed."""
    deliver(account, "m1")
    session = maildrop.open()
    assert session.quit().ok
    assert session.state == pop3.CLOSED
    assert mids(account) == ["m1"]


def test_rule1_nothing_but_quit_enters_update(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 1: a drop, NOOP or RSET never enters UPDATE: the marked message stays."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.dele(1)
    session.noop()
    session.drop_connection()
    session.autologout()
    assert mids(account) == ["m1"]
