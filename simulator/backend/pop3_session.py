"""A built-in client's POP3 session on Dovecot: the methods and Reply shapes of
:class:`simulator.mail.pop3.Session`, each command sent to Dovecot's ``pop3`` process.

Dovecot's preauthenticated ``pop3`` sends no greeting: LOGIN starts the process and probes
it with NOOP. With ``pop3_lock_session`` a second session waits 10 s (wall clock, fixed in
Dovecot) for the lock before Dovecot answers ``-ERR [IN-USE]``; so while one of this run's
sessions holds the lock (logged in, or dropped and not yet logged out) LOGIN answers IN-USE
without starting a process, as Dovecot would (tests/backend pin that Dovecot does). UIDLs
are Dovecot's (``%08Xu%08Xv``) with the UIDVALIDITY part translated to the mirror's, as
for IMAP. QUIT, and a connection's end, write what Dovecot writes (expunges, the \\Seen
of retrieved messages), which the mirror then reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.backend.install import TIMEOUT
from simulator.backend.letters import parse
from simulator.conformance.wire import Pop3Conn, response_code
from simulator.mail.message import HEADER_BYTES, Message, command_cost
from simulator.mail.pop3 import AUTHORIZATION, CLOSED, TRANSACTION, uidl_of
from simulator.mail.reply import ProtocolError, Reply

if TYPE_CHECKING:
    from simulator.backend.server import DovecotServer

LOCK_WAIT = 25.0
"""Seconds to wait for the IN-USE answer (Dovecot's session lock timeout is 10 s)."""
ABANDONED = "ABANDONED"


class Pop3Session:
    """One POP3 connection of a device to a Dovecot account."""

    def __init__(self, server: DovecotServer, user: str, by: str = "") -> None:
        self.server, self.user, self.by = server, user, by
        self.state = AUTHORIZATION
        self.conn: Pop3Conn | None = None

    # -- helpers ---------------------------------------------------------------------------
    def _need(self, state: str) -> Pop3Conn:
        if self.state != state or self.conn is None:
            raise ProtocolError(f"POP3 command in {self.state}, needs {state}")
        return self.conn

    def _send(self, text: str, multiline: bool = False) -> tuple[bool, str, list[bytes]]:
        return self._need(TRANSACTION).command(text, multiline)

    def _end(self, cause: str) -> None:
        """Close the process (EOF: Dovecot ends the session as on a disconnect) and read
        what it wrote."""
        if self.conn is not None:
            self.server.install.close(self.conn.pipe)
            self.conn = None
            self.server.observe(self.user, cause, self.by)
        self.server.pop3_holders[self.user].discard(self)

    def _uidl(self, text: str) -> str:
        """Dovecot's UIDL with its UIDVALIDITY part in the mirror's numbering."""
        if len(text) != 16:
            return text
        try:
            uid, validity = int(text[:8], 16), int(text[8:], 16)
        except ValueError:
            return text
        return uidl_of(self.server.mirrors[self.user].to_model("INBOX", validity), uid)

    @staticmethod
    def _message(body: list[bytes], size: int | None = None) -> Message:
        data = b"".join(body)
        return parse(data.split(b"\r\n\r\n", 1)[0], len(data) if size is None else size)

    # -- commands --------------------------------------------------------------------------
    def login(self) -> Reply:
        """USER + PASS: start the process; IN-USE when another session holds the lock."""
        if self.state != AUTHORIZATION or self.conn is not None:
            raise ProtocolError(f"POP3 command in {self.state}, needs {AUTHORIZATION}")
        cost = command_cost(round_trips=2)
        holders = self.server.pop3_holders[self.user]
        if self.server.config.pop3_lock and holders:
            return Reply(False, cost=cost, code="IN-USE", text="maildrop already locked")
        conn = self.server.install.pop3(self.user)
        conn.pipe.timeout = LOCK_WAIT
        ok, status, _ = conn.command("NOOP")
        conn.pipe.timeout = TIMEOUT
        if not ok:
            self.server.install.close(conn.pipe)
            return Reply(False, cost=cost, code=response_code(status) or "IN-USE", text=status)
        self.conn, self.state = conn, TRANSACTION
        holders.add(self)
        return Reply(True, cost=cost)

    def stat(self) -> Reply:
        """STAT: count and octets, not counting marked messages."""
        ok, status, _ = self._send("STAT")
        count, octets = status.split()[1:3]
        return Reply(ok, (int(count), int(octets)), command_cost())

    def uidl(self) -> Reply:
        """UIDL: (number, unique id) for every unmarked message."""
        ok, _, body = self._send("UIDL", multiline=True)
        rows = [(int(n), self._uidl(u)) for n, u in (line.decode().split() for line in body)]
        return Reply(ok, rows, command_cost(down=30 * len(rows)))

    def list(self) -> Reply:
        """LIST: (number, size) for every unmarked message."""
        ok, _, body = self._send("LIST", multiline=True)
        rows = [(int(n), int(s)) for n, s in (line.split() for line in body)]
        return Reply(ok, rows, command_cost(down=15 * len(rows)))

    def retr(self, n: int) -> Reply:
        """RETR n: the whole message (Dovecot writes its \\Seen when the session ends)."""
        ok, _, body = self._send(f"RETR {n}", multiline=True)
        if not ok:
            return Reply(False, cost=command_cost(), text="no such message")
        msg = self._message(body)
        return Reply(True, msg, command_cost(down=msg.size))

    def top(self, n: int, lines: int = 0) -> Reply:
        """TOP n lines: headers and ``lines`` body lines; the value is the message."""
        ok, status, _ = self._send(f"LIST {n}")
        if not ok:
            return Reply(False, cost=command_cost(), text="no such message")
        size = int(status.split()[2])
        _, _, body = self._send(f"TOP {n} {lines}", multiline=True)
        msg = self._message(body, size)
        return Reply(True, msg, command_cost(down=min(size, HEADER_BYTES + 80 * lines)))

    def dele(self, n: int) -> Reply:
        """DELE n: marked; nothing is removed before QUIT."""
        ok, _, _ = self._send(f"DELE {n}")
        return Reply(ok, cost=command_cost(), text="" if ok else "no such message")

    def rset(self) -> Reply:
        """RSET: unmark every message."""
        ok, _, _ = self._send("RSET")
        return Reply(ok, cost=command_cost())

    def noop(self) -> Reply:
        """NOOP."""
        ok, _, _ = self._send("NOOP")
        return Reply(ok, cost=command_cost())

    def quit(self) -> Reply:
        """QUIT: Dovecot's UPDATE state removes the marked messages; the UIDs removed."""
        if self.state == AUTHORIZATION:
            self.state = CLOSED
            return Reply(True, [], command_cost())
        box = self.server.accounts[self.user].mailboxes["INBOX"]
        before = set(box.entries)
        self._send("QUIT")
        self._end("pop3-quit")
        self.state = CLOSED
        after = set(self.server.accounts[self.user].mailboxes["INBOX"].entries)
        return Reply(True, sorted(before - after), command_cost())

    def drop_connection(self) -> None:
        """The connection broke: with the lock Dovecot does not notice (the process is
        stopped, holding the lock until autologout); without, it sees EOF at once."""
        if self.state in (CLOSED, ABANDONED):
            return
        if self.conn is not None and self.server.config.pop3_lock:
            self.conn.pipe.freeze()
            self.state = ABANDONED
            return
        self._end("")
        self.state = CLOSED

    def autologout(self) -> None:
        """The server's inactivity timer fired: the session ends, nothing is removed."""
        self._end("")
        self.state = CLOSED
