"""Rule 2: message numbers are a snapshot taken at login (RFC 1939 §4)."""

from __future__ import annotations

from simulator.mail import imap, pop3
from simulator.mail.store import DELETED, Account

from .conftest import deliver, imap_select, pop3_login


def test_rule2_mail_arriving_during_a_session_is_invisible(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 2: STAT, LIST and UIDL ignore mail delivered after login; RETR of it fails."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    deliver(account, "m2")
    assert session.stat().value == (1, 1_000)
    assert [n for n, _ in session.list().value] == [1]
    assert len(session.uidl().value) == 1
    assert not session.retr(2).ok


def test_rule2_the_next_session_sees_the_new_mail(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 2: after QUIT, a new session's snapshot includes what arrived meanwhile."""
    deliver(account, "m1")
    first = pop3_login(maildrop)
    deliver(account, "m2")
    first.quit()
    second = pop3_login(maildrop)
    assert second.stat().value == (2, 2_000)


def test_rule2_noop_does_not_refresh_the_snapshot(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 2: NOOP keeps the snapshot; it is not a way to see new mail."""
    session = pop3_login(maildrop)
    deliver(account, "m1")
    session.noop()
    assert session.stat().value == (0, 0)


def test_rule2_numbers_stay_when_another_session_expunges(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 2: without the lock an IMAP expunge does not renumber; RETR of the gone one fails."""
    deliver(account, "m1", "m2")
    drop = pop3.Maildrop(account, lock=False)
    session = pop3_login(drop)
    other = imap_select(server)
    other.store([1], "+", [DELETED])
    other.expunge()
    assert [n for n, _ in session.list().value] == [1, 2]
    assert not session.retr(1).ok
    assert session.retr(2).value.mid == "m2"
