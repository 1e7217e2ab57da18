"""The one place a client's command meets the server: a session method by name, or SMTP
submission for ``smtp_send``; anything else is a protocol error naming the protocol."""

from __future__ import annotations

import pytest

from simulator.clients.base import Cmd, Conn, execute
from simulator.mail import pop3
from simulator.mail.message import Message
from simulator.mail.reply import ProtocolError
from simulator.mail.smtp import Submission
from simulator.mail.store import Account

CONN = Conn()


def test_a_command_calls_the_session_method_of_its_name() -> None:
    """``conn.stat()`` after login is the session's STAT."""
    session = pop3.Maildrop(Account("user")).open()
    execute(CONN.login(), session, Submission(), "pop3")
    reply = execute(CONN.stat(), session, Submission(), "pop3")
    assert reply.ok and tuple(reply.value) == (0, 0)


def test_smtp_send_goes_to_submission_not_the_session() -> None:
    """Sending is SMTP: the submission server accepts the message, whatever the session."""
    submission = Submission()
    reply = execute(CONN.smtp_send(Message("s1@user", 900)), None, submission, "imap")
    assert reply.ok and [m.mid for m in submission.sent] == ["s1@user"]


@pytest.mark.parametrize("name", ["no_such_command", "_release"])
def test_unknown_or_private_commands_are_protocol_errors(name: str) -> None:
    """A name the session lacks, or one of its private helpers, is refused by name (built
    as a Cmd directly: Conn will not build private names)."""
    session = pop3.Maildrop(Account("user")).open()
    with pytest.raises(ProtocolError, match=f"no such pop3 command '{name}'"):
        execute(Cmd(name), session, Submission(), "pop3")


def test_conn_builds_the_same_command_each_time_a_name_is_used() -> None:
    """A Conn keeps the builder of each name it was asked for; every call still builds a
    new command from its own arguments, and private names are still refused."""
    conn = Conn()
    assert conn.dele(3) == Cmd("dele", (3,), {})
    assert conn.dele(4) == Cmd("dele", (4,), {})
    assert conn.select("INBOX", qresync=None) == Cmd("select", ("INBOX",), {"qresync": None})
    with pytest.raises(AttributeError):
        conn._private()
