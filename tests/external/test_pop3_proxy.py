"""The POP3 proxy between a fetcher and Dovecot: it logs the program in itself, relays the
transaction, counts commands and bytes, and cuts the connection the way a dropped link does
(no QUIT reaches Dovecot, so no DELE is committed, unless the cut came after QUIT)."""

from __future__ import annotations

import poplib
from collections.abc import Iterator
from contextlib import closing

import pytest

from simulator.conformance.dovecot import Settings
from simulator.external.pop3proxy import Pop3Proxy, multiline
from simulator.external.program import Cut
from tests.external.pop3_support import Account, fresh_account, require_dovecot


@pytest.fixture
def account() -> Iterator[Account]:
    """A fresh Dovecot account with two messages (Dovecot required)."""
    require_dovecot()
    with fresh_account() as acct:
        yield acct


def _login(proxy: Pop3Proxy) -> poplib.POP3:
    """A poplib client logged in through the proxy."""
    client = poplib.POP3("127.0.0.1", proxy.port, timeout=10)
    client.user("ann")
    client.pass_("anything")
    return client


def test_login_is_answered_by_the_proxy_and_the_transaction_reaches_dovecot(
    account: Account,
) -> None:
    """USER/PASS are answered by the proxy; STAT, UIDL and RETR come from Dovecot's mailbox;
    every command and byte the program exchanged is counted."""
    account.deliver("a", "b")
    with Pop3Proxy(account.access) as proxy, closing(_login(proxy)) as client:
        assert client.stat() == (2, 800)
        assert len(client.uidl()[1]) == 2
        assert b"Message-ID: <a@mailsim.test>" in client.retr(1)[1]
        client.quit()
    stats = proxy.stats
    assert stats.commands == 6 and not stats.cut
    assert stats.up == len(b"USER ann\r\nPASS anything\r\nSTAT\r\nUIDL\r\nRETR 1\r\nQUIT\r\n")
    assert stats.down > 400
    assert [line.split(" -> ")[0] for line in stats.transcript] == [
        "0 USER ann", "1 PASS ****", "2 STAT", "3 UIDL", "4 RETR 1", "5 QUIT"]


def test_dele_is_committed_only_by_quit(account: Account) -> None:
    """A DELE followed by QUIT removes the message from the server."""
    account.deliver("a", "b")
    with Pop3Proxy(account.access) as proxy, closing(_login(proxy)) as client:
        client.dele(1)
        client.quit()
    assert account.mids() == ["b"]


@pytest.mark.parametrize("cut", [("before", 3), ("after", 3)])
def test_a_cut_at_or_after_dele_commits_nothing(account: Account, cut: Cut) -> None:
    """Cut before DELE (never delivered) or after it (answer lost, connection dropped): the
    session ends without QUIT, so Dovecot keeps every message (RFC 1939 section 6)."""
    account.deliver("a", "b")
    with Pop3Proxy(account.access, cut=cut) as proxy, closing(_login(proxy)) as client:
        client.stat()
        with pytest.raises((poplib.error_proto, OSError)):
            client.dele(1)
            client.quit()
    assert proxy.stats.cut
    assert proxy.stats.commands == (3 if cut[0] == "before" else 4)
    assert account.mids() == ["a", "b"]


def test_a_cut_after_quit_commits_the_deletes(account: Account) -> None:
    """Cut after QUIT: Dovecot has already committed the DELEs, only the +OK is lost."""
    account.deliver("a", "b")
    with Pop3Proxy(account.access, cut=("after", 3)) as proxy, closing(_login(proxy)) as client:
        client.dele(1)
        with pytest.raises((poplib.error_proto, OSError)):
            client.quit()
    assert proxy.stats.cut
    assert account.mids() == ["b"]
    assert proxy.stats.transcript[-1].startswith("3 QUIT -> cut after (+OK")


def test_a_cut_before_login_never_starts_dovecot(account: Account) -> None:
    """Cut before PASS: the program is dropped before it is logged in."""
    with Pop3Proxy(account.access, cut=("before", 1)) as proxy, closing(
        poplib.POP3("127.0.0.1", proxy.port, timeout=10)
    ) as client:
        client.user("ann")
        with pytest.raises((poplib.error_proto, OSError)):
            client.pass_("x")
    assert proxy.stats.cut and proxy.stats.commands == 1


def test_the_cut_happens_once_per_run(account: Account) -> None:
    """After the cut a reconnecting program is served normally (one drawn drop per run)."""
    account.deliver("a")
    with Pop3Proxy(account.access, cut=("before", 2)) as proxy:
        with closing(_login(proxy)) as first, pytest.raises((poplib.error_proto, OSError)):
            first.stat()
        with closing(_login(proxy)) as second:
            assert second.stat() == (1, 400)
            second.quit()
    assert proxy.stats.sent == 7 and proxy.stats.commands == 6
    assert proxy.stats.transcript[2] == "2 STAT -> cut before"


def test_a_locked_mailbox_refuses_the_login_with_dovecots_answer() -> None:
    """With Dovecot's POP3 session lock on and another session open, the program's PASS gets
    Dovecot's own ``-ERR [IN-USE]`` (after Dovecot's lock wait) and nothing is relayed."""
    require_dovecot()
    with fresh_account(Settings(pop3_lock=True)) as account:
        account.deliver("a")
        other = account.dovecot.pop3()
        assert other.command("NOOP")[0]
        with Pop3Proxy(account.access) as proxy, closing(
            poplib.POP3("127.0.0.1", proxy.port, timeout=30)
        ) as client:
            client.user("ann")
            with pytest.raises(poplib.error_proto, match=r"IN-USE"):
                client.pass_("x")
            client.quit()
        account.dovecot.close(other)
    assert proxy.stats.commands == 3 and not proxy.stats.cut


def test_multiline_answers_are_those_of_rfc_1939() -> None:
    """RETR, TOP, CAPA and argument-less LIST/UIDL answer with a dot-terminated block."""
    assert all(multiline(c) for c in ("RETR 1", "top 1 0", "CAPA", "LIST", "UIDL"))
    assert not any(multiline(c) for c in ("LIST 1", "UIDL 2", "STAT", "DELE 1", "QUIT"))
