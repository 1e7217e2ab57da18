"""POP3 commands of a trace against Dovecot's ``pop3`` process, in normal form.

Dovecot's preauthenticated ``pop3`` sends no greeting; "login" starts the process and
probes it with NOOP: ``+OK`` means the session is in TRANSACTION, ``-ERR [IN-USE]`` that
another session holds the lock (Dovecot waits up to 10 s for the lock before saying so).
"""

from __future__ import annotations

from typing import Any

from simulator.conformance.messages import mid_of
from simulator.conformance.runner import Obs
from simulator.conformance.wire import Pop3Conn, response_code

LOCK_WAIT = 25.0
"""Seconds to wait for the IN-USE answer (Dovecot's session lock timeout is 10 s)."""
MULTILINE = frozenset({"uidl", "list", "retr", "top"})


class Pop3Side:
    """Mixin for the Dovecot runner: its ``sessions`` hold :class:`Pop3Conn` for POP3."""

    server: Any
    sessions: dict[int, Any]

    def uidl(self, n: int, text: str) -> tuple[Any, ...]:
        """A UIDL line in normal form (provided by the runner)."""
        raise NotImplementedError

    def pop3_command(self, k: int, name: str, args: tuple[Any, ...]) -> Obs:
        """Run one POP3 command of session ``k`` and observe it."""
        if name == "login":
            return self._login(k)
        conn = self.sessions.get(k)
        if not isinstance(conn, Pop3Conn):
            return {"ok": False, "code": "BAD"}
        line = " ".join([name.upper(), *map(str, args)])
        ok, status, body = conn.command(line, multiline=name in MULTILINE)
        obs: Obs = {"ok": ok, "code": response_code(status) if not ok else ""}
        if ok and name in ("stat", "uidl", "list", "retr", "top"):
            obs["value"] = self._value(name, status, body, args)
        if name == "quit":
            conn.pipe.close(graceful=True)
            self.sessions[k] = None
        return obs

    def _login(self, k: int) -> Obs:
        """Start the process and probe it with NOOP: +OK, or -ERR [IN-USE] after the lock wait."""
        conn = self.server.pop3()
        conn.pipe.timeout = LOCK_WAIT
        ok, status, _ = conn.command("NOOP")
        conn.pipe.timeout = self.server.timeout
        if not ok:
            conn.pipe.close(graceful=True)
            return {"ok": False, "code": response_code(status)}
        self.sessions[k] = conn
        return {"ok": True, "code": ""}

    def _value(self, name: str, status: str, body: list[bytes], args: tuple[Any, ...]) -> Any:
        """The normal form of a successful POP3 reply, per command."""
        if name == "stat":
            count, octets = status.split()[1:3]
            return (int(count), int(octets))
        if name == "list":
            return [tuple(int(x) for x in line.split()) for line in body]
        if name == "uidl":
            pairs = (line.decode().split() for line in body)
            return [self.uidl(int(n), text) for n, text in pairs]
        message = b"".join(body)
        head = message.split(b"\r\n\r\n", 1)[0]
        if name == "retr":
            return (mid_of(head), len(message))
        lines = message.split(b"\r\n\r\n", 1)[1].count(b"\r\n") if b"\r\n\r\n" in message else 0
        return (mid_of(head), lines)
