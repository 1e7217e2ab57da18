"""Rules 4 and 9: the exclusive maildrop lock and autologout (RFC 1939 §3-4, RFC 2449 §8.1.2)."""

from __future__ import annotations

from simulator.mail import pop3
from simulator.mail.store import Account

from .conftest import deliver, mids, pop3_login


def test_rule4_second_login_gets_in_use_while_locked(maildrop: pop3.Maildrop) -> None:
    """Rule 4: while one session holds the lock, another login fails with -ERR [IN-USE]."""
    pop3_login(maildrop)
    second = maildrop.open()
    reply = second.login()
    assert not reply.ok and reply.code == "IN-USE"
    assert second.state == pop3.AUTHORIZATION


def test_rule4_quit_releases_the_lock(maildrop: pop3.Maildrop) -> None:
    """Rule 4: after QUIT the next login succeeds."""
    first = pop3_login(maildrop)
    first.quit()
    assert maildrop.open().login().ok


def test_rule4_without_the_lock_sessions_overlap(account: Account) -> None:
    """Rule 4: Dovecot's default (no lock) lets two sessions work at once."""
    deliver(account, "m1", "m2")
    drop = pop3.Maildrop(account, lock=False)
    first, second = pop3_login(drop), pop3_login(drop)
    first.dele(1)
    second.dele(2)
    first.quit()
    second.quit()
    assert mids(account) == []


def test_rule9_abandoned_session_holds_the_lock_until_autologout(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 9: a silently dropped session keeps the lock until the server's autologout."""
    deliver(account, "m1")
    first = pop3_login(maildrop)
    first.dele(1)
    first.drop_connection()
    assert first.state == "ABANDONED"
    assert maildrop.open().login().code == "IN-USE"
    first.autologout()
    assert maildrop.open().login().ok
    assert mids(account) == ["m1"]


def test_rule9_drop_without_the_lock_holds_nothing(account: Account) -> None:
    """Rule 9: without a lock there is nothing to hold; the dropped session is simply closed."""
    drop = pop3.Maildrop(account, lock=False)
    session = pop3_login(drop)
    session.drop_connection()
    assert session.state == pop3.CLOSED
    assert drop.holder is None
