"""Deliberately broken clients, injected through a scenario's ``client: {class: ...}``, to
show that mailsim catches what a sync algorithm gets wrong."""

from __future__ import annotations

import multiprocessing
import os

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


class DiesInAHelper(ImapClient):
    """Kills the process it syncs in when that is a helper process (a crash in a user's
    code, say in a C extension): the run must stop with a clear error and keep what
    finished. In the main process it is the built-in client."""

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        if multiprocessing.parent_process() is not None:
            os._exit(3)
        return (yield from super().sync(conn, now, fresh, full))
