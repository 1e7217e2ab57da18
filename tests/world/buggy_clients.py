"""Deliberately broken clients, injected through a scenario's ``client: {class: ...}``, to
show that mailsim catches what a sync algorithm gets wrong."""

from __future__ import annotations

from simulator.clients.base import Conn, SyncGen
from simulator.clients.imap import ImapClient
from simulator.clients.pop3 import Pop3Client


class ForgetfulPop3(Pop3Client):
    """Leaves mail on the server but forgets its UIDL list after each session."""

    sessions = 0

    def key_for(self, uidl: str) -> str:
        return f"p{self.sessions}:{uidl}"

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        result = yield from super().sync(conn, now, fresh, full)
        self.known.clear()
        self.sessions += 1
        return result


class RudeImap(ImapClient):
    """Sends a command IMAP does not have."""

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        yield from super().sync(conn, now, fresh, full)
        yield conn.xyzzy()
