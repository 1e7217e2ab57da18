"""Drive a client's sync generator against the functional core with no world and no clock:
the quickest way to test sync logic, and to cut the connection at any chosen command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.clients.base import Client, Cmd, Conn, ConnectionLost, SyncGen, execute
from simulator.clients.imap import ImapClient
from simulator.clients.local import LocalStore
from simulator.clients.pop3 import Pop3Client
from simulator.mail import imap, pop3
from simulator.mail.smtp import Submission
from simulator.mail.store import Account
from simulator.scenario.devices import ClientSettings


@dataclass
class SyncRun:
    """What one driven sync did: the commands sent, whether it finished, its return value."""

    commands: list[Cmd] = field(default_factory=list)
    finished: bool = False
    value: Any = None


class Bench:
    """One account on a server and any number of client devices talking to it."""

    def __init__(self, quota: int | None = None, pop3_lock: bool = True) -> None:
        self.account = Account("user", quota)
        self.maildrop = pop3.Maildrop(self.account, lock=pop3_lock)
        self.imap = imap.ImapServer(self.account)
        self.submission = Submission()
        self.sessions: dict[str, Any] = {}

    def client(self, kind: type[Client] | str, name: str = "dev", **settings: Any) -> Client:
        """A client of ``kind`` (class, "pop3" or "imap") with settings given as keywords
        (the scenario's client settings; unset keys take the scenario format's defaults)."""
        cls = {"pop3": Pop3Client, "imap": ImapClient}.get(kind, kind)  # type: ignore[call-overload]
        return cls(name, ClientSettings.model_validate(settings), LocalStore())

    def session_for(self, client: Client) -> Any:
        """The open session of ``client`` (a new one if none is open)."""
        if client.device not in self.sessions:
            self.sessions[client.device] = (
                self.maildrop.open() if client.protocol == "pop3" else self.imap.connect()
            )
        return self.sessions[client.device]

    def drop(self, client: Client) -> None:
        """Break ``client``'s connection (no goodbye)."""
        session = self.sessions.pop(client.device, None)
        if session is not None:
            session.drop_connection()
            client.disconnected()

    def close(self, client: Client) -> None:
        """Forget ``client``'s session after a clean end (QUIT or a finished POP3 sync)."""
        self.sessions.pop(client.device, None)
        client.disconnected()

    def sync(self, client: Client, now: float = 0.0, drop_after: int | None = None,
             full: bool = True, reply_lost: bool = False) -> SyncRun:
        """Run one sync; with ``drop_after=k`` the connection breaks after k commands (with
        ``reply_lost``, after the server carried out the k-th but before its reply came)."""
        fresh = client.device not in self.sessions
        return self.drive(client, client.sync(_CONN, now, fresh, full), drop_after, reply_lost)

    def drive(self, client: Client, gen: SyncGen, drop_after: int | None = None,
              reply_lost: bool = False) -> SyncRun:
        """Feed ``gen`` replies from ``client``'s session until it ends or the link drops."""
        run = SyncRun()
        session = self.session_for(client)
        try:
            cmd = next(gen)
            while True:
                if drop_after is not None and len(run.commands) >= drop_after:
                    return self._cut(client, gen, run)
                run.commands.append(cmd)
                reply = execute(cmd, session, self.submission, client.protocol)
                if reply_lost and len(run.commands) == drop_after:
                    return self._cut(client, gen, run)
                if reply.updates:
                    client.untagged(reply.updates)
                cmd = gen.send(reply)
        except StopIteration as stop:
            run.finished, run.value = True, stop.value
        if client.protocol == "pop3" or getattr(session, "state", "") == "LOGOUT":
            self.close(client)
        return run

    def _cut(self, client: Client, gen: SyncGen, run: SyncRun) -> SyncRun:
        """The connection breaks: the client is told before it gets another reply."""
        self.drop(client)
        try:
            gen.throw(ConnectionLost())
        except (ConnectionLost, StopIteration):
            return run
        raise AssertionError("client kept going after ConnectionLost")


_CONN = Conn()
