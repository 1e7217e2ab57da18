"""The IMAP tunnel between a program and Dovecot: what it counts and where it cuts.

A scripted client (the conformance harness's ``ImapConn``) talks to Dovecot through the
tunnel, so each test knows exactly which command is number N.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.conformance.dovecot import Dovecot
from simulator.conformance.proc import Pipe, ServerHung
from simulator.conformance.wire import ImapConn
from simulator.external import launch, tunnel
from simulator.external.program import Cut
from simulator.mail.store import SEEN
from tests.external.imap_account import new_account, require, server_state


@pytest.fixture
def account() -> Iterator[Dovecot]:
    """An account with m0 and m1 in INBOX."""
    require()
    acc = new_account(["m0", "m1"])
    yield acc
    acc.shutdown()


def _pipe(account: Dovecot, stats: Path, cut: Cut | None = None) -> Pipe:
    """A tunnel process in front of ``account``'s imap, as a program would start it."""
    access = account.access()
    argv = tunnel.command(stats, access.imap, dict(access.env), cut)
    return Pipe(argv, launch.environment(stats.parent), timeout=5.0)


def _connect(account: Dovecot, stats: Path, cut: Cut | None = None) -> ImapConn:
    """A scripted IMAP session on ``account`` through the tunnel."""
    return ImapConn(_pipe(account, stats, cut))


def _stats(conn: ImapConn, stats: Path) -> dict[str, object]:
    """Hang up and read what the tunnel counted for the connection."""
    conn.pipe.close(graceful=True)
    return tunnel.ledger(stats)[-1]


def test_counts_tagged_commands_and_bytes(account: Dovecot, tmp_path: Path) -> None:
    """SELECT, an APPEND with a literal, IDLE (with its DONE) and LOGOUT are four commands;
    bytes up are exactly what the client wrote; the server's answers are counted down."""
    stats = tmp_path / "t.jsonl"
    conn = _connect(account, stats)
    body = b"Message-ID: <new@x>\r\n\r\nhello\r\n"
    assert conn.command("SELECT INBOX").ok
    assert conn.command("APPEND INBOX", body).ok
    assert conn.idle().ok
    assert conn.command("LOGOUT").ok
    sent = (b"c1 SELECT INBOX\r\n" + f"c2 APPEND INBOX {{{len(body)}+}}\r\n".encode() + body
            + b"\r\nc3 IDLE\r\nDONE\r\nc4 LOGOUT\r\n")
    got = _stats(conn, stats)
    assert got["commands"] == 4 and got["up"] == len(sent) and got["cut"] is False
    assert isinstance(got["down"], int) and got["down"] > 300


def test_cut_before_never_delivers_the_command(account: Dovecot, tmp_path: Path) -> None:
    """before:1 drops the link when the client sends command 1: the STORE never reaches
    Dovecot and the client sees the connection end."""
    stats = tmp_path / "t.jsonl"
    conn = _connect(account, stats, ("before", 1))
    assert conn.command("SELECT INBOX").ok
    with pytest.raises(ServerHung):
        conn.command("UID STORE 1 +FLAGS (\\Seen)")
    got = _stats(conn, stats)
    assert got["commands"] == 1 and got["cut"] is True
    assert server_state(account)["INBOX"] == [("m0", frozenset()), ("m1", frozenset())]


def test_cut_after_runs_the_command_but_loses_its_answer(account: Dovecot,
                                                          tmp_path: Path) -> None:
    """after:1 delivers the STORE and waits for Dovecot's answer, then drops the link: the
    flag is set on the server although the client never learnt that it succeeded."""
    stats = tmp_path / "t.jsonl"
    conn = _connect(account, stats, ("after", 1))
    assert conn.command("SELECT INBOX").ok
    with pytest.raises(ServerHung):
        conn.command("UID STORE 1 +FLAGS (\\Seen)")
    got = _stats(conn, stats)
    assert got["commands"] == 2 and got["cut"] is True
    assert server_state(account)["INBOX"] == [("m0", frozenset({SEEN})), ("m1", frozenset())]


def test_pipelined_commands_before_the_cut_still_arrive(account: Dovecot,
                                                        tmp_path: Path) -> None:
    """Commands written in one burst with the cut one (a pipelining program): those before
    the cut reach Dovecot, the cut one and later ones do not."""
    stats = tmp_path / "t.jsonl"
    conn = _connect(account, stats, ("before", 3))
    assert conn.command("SELECT INBOX").ok
    conn.pipe.send(b"c2 UID STORE 1 +FLAGS (\\Seen)\r\nc3 NOOP\r\n"
                   b"c4 UID STORE 2 +FLAGS (\\Flagged)\r\nc5 NOOP\r\n")
    got = _stats(conn, stats)
    assert got["commands"] == 3 and got["cut"] is True
    assert got["lines"] == ["SELECT INBOX", "UID STORE 1 +FLAGS (\\Seen)", "NOOP"]
    assert server_state(account)["INBOX"] == [("m0", frozenset({SEEN})), ("m1", frozenset())]


def test_literals_are_data_not_commands_or_answers(account: Dovecot, tmp_path: Path) -> None:
    """Lines inside a literal that look like commands (going up) or like the tagged answer
    (coming down) are data: the count is right and the cut after the FETCH still delivers
    the whole FETCH response before the link drops."""
    stats = tmp_path / "t.jsonl"
    conn = _connect(account, stats, ("after", 2))
    body = b"Message-ID: <trap@x>\r\n\r\nc3 OK fake answer\r\nc9 LOGOUT\r\n"
    assert conn.command("SELECT INBOX").ok
    assert conn.command("APPEND INBOX", body).ok
    conn.pipe.send(b"c3 UID FETCH 3 BODY.PEEK[]\r\n")
    response = conn._line()
    assert response.startswith(b"* 3 FETCH") and body in response
    with pytest.raises(ServerHung):
        conn.pipe.readline()
    got = _stats(conn, stats)
    assert got["commands"] == 3 and got["cut"] is True


def test_a_run_counts_across_connections_and_stays_down_after_a_cut(
        account: Dovecot, tmp_path: Path) -> None:
    """The numbering goes on over a run's connections (one ledger): with before:3, the
    second connection is cut at its second command; a third connection is refused at once
    (no greeting), as the link is down for the rest of the run."""
    stats = tmp_path / "t.jsonl"
    first = _connect(account, stats, ("before", 3))
    assert first.command("SELECT INBOX").ok and first.command("NOOP").ok
    _stats(first, stats)
    second = _connect(account, stats, ("before", 3))
    assert second.command("SELECT INBOX").ok
    with pytest.raises(ServerHung):
        second.command("UID STORE 1 +FLAGS (\\Seen)")
    _stats(second, stats)
    refused = _pipe(account, stats, ("before", 3))
    with pytest.raises(ServerHung, match="closed its output"):
        ImapConn(refused)
    refused.close()
    assert [(r["commands"], r["cut"], r["refused"]) for r in tunnel.ledger(stats)] == [
        (2, False, False), (1, True, False), (0, False, True)]
    totals = tunnel.totals(stats)
    assert (totals["connections"], totals["commands"], totals["cut"]) == (3, 3, True)
    assert totals["lines"] == ["SELECT INBOX", "NOOP", "SELECT INBOX"]
    assert server_state(account)["INBOX"] == [("m0", frozenset()), ("m1", frozenset())]


def test_bad_cut_argument_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    """A malformed --cut is rejected by the argument parser with what is expected."""
    with pytest.raises(SystemExit) as exc:
        tunnel.main(["--stats", "x.json", "--cut", "during:3", "--", "true"])
    assert exc.value.code == 2
    assert "expected before:N or after:N" in capsys.readouterr().err
