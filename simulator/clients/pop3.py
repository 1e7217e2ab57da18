"""A POP3 client with the settings real clients offer (SEMANTICS rules 5-8, claims P1-P4).

It downloads every message it has not seen (UIDL bookkeeping), keeps everything else
local (folders, flags, sent mail), and deletes from the server as configured: on download,
N days after *this device's* download, or when deleted locally.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from mypy_extensions import mypyc_attr

from simulator.clients.base import Client, Conn, SyncGen
from simulator.clients.parts import Store
from simulator.mail.message import Message
from simulator.mail.store import SEEN

if TYPE_CHECKING:
    from simulator.scenario.devices import ClientSettings


@mypyc_attr(allow_interpreted_subclasses=True)
class Pop3Client(Client):
    """Thunderbird/Outlook-style POP3: leave on server, delete after N days, delete when
    deleted locally; sent mail and flags never leave the device (rule 7)."""

    protocol = "pop3"
    merges_accounts = True  # downloads go to local folders: every account into one Inbox

    def __init__(self, device: str, settings: ClientSettings, store: Store) -> None:
        super().__init__(device, settings, store)
        self.known: dict[str, float] = {}  # UIDL -> when this device downloaded it
        self.deleted_here: set[str] = set()  # UIDLs deleted locally, DELE at next session
        self.outbox: list[Message] = []
        self._seq = 0
        self.leave = settings.leave_on_server
        self.delete_after = settings.delete_after
        self.delete_deleted = settings.delete_when_deleted_locally

    def key_for(self, uidl: str) -> str:
        """The local key of a downloaded message (override to change bookkeeping): its
        UIDL, the very string the listing and ``known`` hold, so a message held costs no
        key of its own (UIDLs are hex digits: no Message-ID or ``s:`` key is one)."""
        return uidl

    def pending(self) -> bool:
        """Mail waits in the outbox."""
        return bool(self.outbox)

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        """Send the outbox, then USER/PASS, UIDL, LIST, RETR the new, DELE as set, QUIT."""
        while self.outbox:
            yield conn.smtp_send(self.outbox[0])
            self.outbox.pop(0)
        reply = yield conn.login()
        if not reply.ok:  # IN-USE: another device holds the maildrop lock
            yield conn.quit()
            return False
        rows = (yield conn.uidl()).value
        listed = (yield conn.list()).value
        held = len(self.known)
        after = math.inf if self.delete_after is None else self.delete_after
        deleted = self.deleted_here if self.delete_deleted else ()
        todo, found = self._todo(rows, now, after, deleted)
        sizes: dict[int, int] | None = None  # built when a message is new to this device
        doomed: set[str] = set()
        stamp: Any = now  # one float object for every download of this session (compiled
        # code would box a float anew for each)
        for n, uidl, new in todo:
            if new:
                if sizes is None:
                    sizes = dict(listed)
                if not self.store.room_for(sizes[n]):
                    continue  # disk full: leave it on the server, do not delete it
                got = yield conn.retr(n)
                if not got.ok:
                    continue
                self.store.put(self.key_for(uidl), got.value, "INBOX", frozenset(), body=True)
                self.known[uidl] = stamp
                if not (not self.leave or now - stamp >= after or uidl in deleted):
                    continue
            if (yield conn.dele(n)).ok:
                doomed.add(uidl)
        yield conn.quit()
        if found < held:  # some held message is no longer listed: forget it too
            doomed |= self.known.keys() - {uidl for _, uidl in rows}
        self._forget(doomed)
        return True

    def _todo(self, rows: list[tuple[int, str]], now: float, after: float,
              deleted: Collection[str]) -> tuple[list[tuple[int, str, bool]], int]:
        """The listed messages this session acts on, in order, as (number, UIDL, new to this
        device), and how many held messages the listing names (a UIDL names one message).

        Rule 8, tested in one plain loop (the session's generator then walks only these):
        download the new; delete on download, N days after this device's download, or
        when deleted here (``after``: the days setting, or infinity; ``deleted``: the UIDLs to
        delete as deleted here). None held before can be due by age if the oldest download is
        not: a - b falls as b grows, also in floating point, so ``aged`` skips the
        subtraction exactly."""
        known = self.known
        every = not self.leave
        aged = len(known) > 0 and after < math.inf and now - min(known.values()) >= after
        todo: list[tuple[int, str, bool]] = []
        found = 0
        for n, uidl in rows:
            fetched = known.get(uidl)
            if fetched is None:
                todo.append((n, uidl, True))
                continue
            found += 1
            if every or (aged and now - fetched >= after) or uidl in deleted:
                todo.append((n, uidl, False))
        return todo, found

    def _forget(self, uidls: set[str]) -> None:
        """Drop the bookkeeping of messages no longer on the server."""
        for uidl in uidls:
            self.known.pop(uidl, None)
            self.deleted_here.discard(uidl)

    def lost(self) -> None:
        """Local mail, UIDL list and outbox are gone."""
        self.store.wipe()
        self.known.clear()
        self.deleted_here.clear()
        self.outbox.clear()

    def mark(self, mid: str, flag: str) -> bool:
        """Flags stay on this device (rule 7)."""
        local = self.store.shown(mid)
        if local is None:
            return False
        self.store.update(local.key, flags=local.flags | {flag})
        return True

    def archive(self, mid: str) -> bool:
        """Move to the local Archive folder."""
        local = self.store.shown(mid)
        if local is None:
            return False
        self.store.update(local.key, folder="Archive")
        return True

    def delete(self, mid: str) -> bool:
        """Remove locally; remember the UIDL if the server copy should go too."""
        local = self.store.shown(mid)
        if local is None:
            return False
        self.store.remove(local.key)
        uidl = next((u for u in self.known if self.key_for(u) == local.key), None)
        if uidl is not None:
            self.deleted_here.add(uidl)
        return True

    def send(self, msg: Message) -> None:
        """Keep the only copy in the local Sent folder (claim P4) and queue it for SMTP."""
        self._seq += 1
        self.store.put(f"s:{self._seq}", msg, "Sent", frozenset({SEEN}), body=True)
        self.outbox.append(msg)
