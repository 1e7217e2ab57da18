"""Rule 3: DELE only marks, RSET unmarks, UPDATE removes; a drop removes nothing (RFC 1939 §5-6).

Also Dovecot's \\Seen after RETR: written when the session ends (QUIT or disconnect), forgotten
by RSET, optional (``seen_on_retr``, Dovecot's ``pop3_no_flag_updates``).
"""

from __future__ import annotations

from simulator.mail import imap, pop3
from simulator.mail.store import DELETED, SEEN, Account

from .conftest import deliver, flags_of, imap_select, mids, pop3_login


def test_rule3_dele_only_marks_and_drop_removes_nothing(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 3: DELE hides the message in this session; a drop before QUIT removes nothing."""
    deliver(account, "m1", "m2")
    session = pop3_login(maildrop)
    assert session.dele(1).ok
    assert session.stat().value == (1, 1_000)
    assert not session.retr(1).ok and not session.dele(1).ok
    session.drop_connection()
    session.autologout()
    assert mids(account) == ["m1", "m2"]


def test_rule3_rset_unmarks_every_marked_message(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 3: RSET unmarks everything marked in the session; QUIT then removes nothing."""
    deliver(account, "m1", "m2")
    session = pop3_login(maildrop)
    session.dele(1)
    session.dele(2)
    session.rset()
    assert session.stat().value == (2, 2_000)
    session.quit()
    assert mids(account) == ["m1", "m2"]


def test_rule3_quit_removes_exactly_the_marked_messages(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 3: QUIT (UPDATE) removes the marked messages and returns their UIDs."""
    uids = deliver(account, "m1", "m2", "m3")
    session = pop3_login(maildrop)
    session.dele(1)
    session.dele(3)
    assert session.quit().value == [uids[0], uids[2]]
    assert mids(account) == ["m2"]


def test_rule3_retr_sets_seen_only_when_the_session_ends(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 3 (Dovecot): RETR's \\Seen is written at QUIT, not while the session runs."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.retr(1)
    assert SEEN not in flags_of(account, "m1")
    session.quit()
    assert SEEN in flags_of(account, "m1")


def test_rule3_drop_still_sets_seen_when_the_server_notices(account: Account) -> None:
    """Rule 3 (Dovecot): a dropped session removes nothing but marks RETR'd mail \\Seen."""
    deliver(account, "m1", "m2")
    session = pop3_login(pop3.Maildrop(account, lock=False))
    session.retr(1)
    session.dele(1)
    session.drop_connection()
    assert mids(account) == ["m1", "m2"]
    assert SEEN in flags_of(account, "m1")


def test_rule3_abandoned_lock_holder_sets_seen_at_autologout(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 3/9: a silently dropped lock holder writes \\Seen only when autologout ends it."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.retr(1)
    session.drop_connection()
    assert SEEN not in flags_of(account, "m1")
    session.autologout()
    assert SEEN in flags_of(account, "m1")


def test_rule3_rset_forgets_the_pending_seen(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 3 (Dovecot): RSET also forgets RETR's \\Seen."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.retr(1)
    session.rset()
    session.quit()
    assert SEEN not in flags_of(account, "m1")


def test_rule3_seen_after_retr_can_be_switched_off(account: Account) -> None:
    """Rule 3: with ``seen_on_retr=False`` (pop3_no_flag_updates) RETR changes no flag."""
    deliver(account, "m1")
    session = pop3_login(pop3.Maildrop(account, seen_on_retr=False))
    session.retr(1)
    session.quit()
    assert flags_of(account, "m1") == frozenset()


def test_rule3_dele_accepts_a_message_expunged_meanwhile(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 3 (Dovecot): DELE of a snapshot message already expunged elsewhere is +OK."""
    deliver(account, "m1", "m2")
    session = pop3_login(pop3.Maildrop(account, lock=False))
    other = imap_select(server)
    other.store([1], "+", [DELETED])
    other.expunge()
    assert session.dele(1).ok
    assert session.stat().value == (1, 1_000)
    assert session.quit().value == []
    assert mids(account) == ["m2"]
