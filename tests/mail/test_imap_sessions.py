"""Rule 13: several sessions on one mailbox; a session learns of the others' changes only in
the replies to its own commands (``Reply.updates``); IDLE hands them over at once."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.message import Message
from simulator.mail.store import DELETED, FLAGGED, Account

from .conftest import deliver, imap_select


def test_rule13_sessions_share_one_mailbox(account: Account, server: imap.ImapServer) -> None:
    """Rule 13: two sessions may select the same mailbox at once."""
    deliver(account, "m1")
    first, second = imap_select(server), imap_select(server)
    assert first.box is second.box


def test_rule13_news_arrives_only_with_a_reply(account: Account, server: imap.ImapServer) -> None:
    """Rule 13: a change by one session reaches the other in its next reply, then not again."""
    deliver(account, "m1", "m2")
    watcher, actor = imap_select(server), imap_select(server)
    actor.store([1], "+", [FLAGGED])
    actor.store([2], "+", [DELETED])
    actor.expunge()
    deliver(account, "m3")
    news = watcher.noop().updates
    assert [r.uid for r in news.flags] == [1]
    assert news.expunged == [2]
    assert [r.mid for r in news.new] == ["m3"]
    assert not watcher.noop().updates


def test_rule13_any_command_carries_the_news(account: Account, server: imap.ImapServer) -> None:
    """Rule 13: the news rides on whatever command the session sends next."""
    deliver(account, "m1", "m2")
    watcher, actor = imap_select(server), imap_select(server)
    actor.store([2], "+", [FLAGGED])
    reply = watcher.fetch_flags([1])
    assert [r.uid for r in reply.value] == [1]
    assert [r.uid for r in reply.updates.flags] == [2]


def test_rule13_idle_hands_over_pending_news(account: Account, server: imap.ImapServer) -> None:
    """Rule 13: IDLE returns what happened since the session was last told."""
    watcher = imap_select(server)
    deliver(account, "m1")
    assert [r.mid for r in watcher.idle().updates.new] == ["m1"]


def test_rule13_own_changes_are_reported_too(account: Account, server: imap.ImapServer) -> None:
    """Rule 13: a session is told about its own APPEND into the selected mailbox."""
    session = imap_select(server, "Sent")
    reply = session.append("Sent", Message("s1", 500))
    assert [r.uid for r in reply.updates.new] == [reply.value]


def test_rule13_a_failed_command_carries_no_news(server: imap.ImapServer) -> None:
    """Rule 13 (Dovecot): a NO reply carries no news; it stays for the next command."""
    account = server.account
    account.quota = 1_500
    watcher = imap_select(server)
    deliver(account, "m1")
    failed = watcher.append("INBOX", Message("big", 1_000))
    assert not failed.ok and not failed.updates
    assert [r.mid for r in watcher.noop().updates.new] == ["m1"]


def test_rule13_news_for_another_mailbox_is_not_reported(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 13: a session hears only about its selected mailbox."""
    watcher = imap_select(server, "Sent")
    deliver(account, "m1")
    assert not watcher.noop().updates
