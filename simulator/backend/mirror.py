"""The model Account of a Dovecot account, written only from what Dovecot reports.

An oracle IMAP session (CONDSTORE) reads every folder's UIDVALIDITY and HIGHESTMODSEQ in
one ``LIST ... RETURN (STATUS ...)``; for a folder whose HIGHESTMODSEQ moved it fetches
what changed since (``CHANGEDSINCE``) and the UIDs still there, and applies the
differences to the Account with Dovecot's own UIDs, naming the ``cause`` and ``by`` the
caller gives. The Account's listeners then write the usual ``store`` and
``server_bytes`` history, so every checker reads a Dovecot run as it reads a model run.

UIDVALIDITY: Dovecot's are clock times, which would make two runs differ; each folder's
Dovecot UIDVALIDITY stands for the Account's own (given out as the model gives them out),
and the sessions translate both ways (:meth:`Mirror.to_model`, :meth:`Mirror.to_dovecot`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from simulator.backend.letters import FIELDS, parse
from simulator.conformance.imap_view import fetch_items
from simulator.conformance.wire import ImapConn, Tagged
from simulator.mail.message import Message
from simulator.mail.store import SYSTEM_FLAGS, Account, Mailbox

STATUS = 'LIST "" "*" RETURN (STATUS (UIDVALIDITY HIGHESTMODSEQ))'
ROW = f"(UID FLAGS RFC822.SIZE {FIELDS})"

Fetched = tuple[int, Message, frozenset[str]]
"""One message as the oracle read it: UID, the model message, flags."""


def flags_of(items: dict[str, Any]) -> frozenset[str]:
    """The system flags of a FETCH response (``\\Recent`` and keywords left out)."""
    return frozenset(f.decode() for f in items.get("FLAGS", [])) & SYSTEM_FLAGS


def checked(result: Tagged, what: str) -> Tagged:
    """``result``, or an error naming the oracle command Dovecot refused."""
    if not result.ok:
        raise RuntimeError(f"Dovecot refused the mirror's {what}: {result.status} {result.code}")
    return result


class Mirror:
    """One account's model mirror and the oracle session that reads Dovecot for it."""

    def __init__(self, account: Account, connect: Callable[[], ImapConn]) -> None:
        self.account = account
        self.connect = connect
        self.conn = self._open()
        self.validity: dict[str, int] = {}  # folder -> the Dovecot UIDVALIDITY mirrored
        self.modseq: dict[str, int] = {}  # folder -> Dovecot's HIGHESTMODSEQ, last read
        for folder, (validity, modseq) in self._status().items():
            self.validity[folder], self.modseq[folder] = validity, modseq

    def _open(self) -> ImapConn:
        conn = self.connect()
        checked(conn.command("ENABLE CONDSTORE"), "ENABLE CONDSTORE")
        return conn

    def reopen(self) -> None:
        """A new oracle session, after :meth:`close` (Dovecot's indexes were removed)."""
        self.conn = self._open()

    def close(self) -> None:
        """End the oracle session."""
        self.conn.pipe.close(graceful=True)

    # -- UIDVALIDITY both ways -------------------------------------------------------------
    def to_model(self, folder: str, validity: int) -> int:
        """The Account's UIDVALIDITY for Dovecot's ``validity`` of ``folder``."""
        if validity != self.validity.get(folder):
            self.observe()  # a renumbering the mirror has not read yet
        box = self.account.mailboxes[folder]
        return box.uidvalidity if validity == self.validity.get(folder) else validity

    def to_dovecot(self, folder: str, validity: int) -> int:
        """Dovecot's UIDVALIDITY for the Account's ``validity`` of ``folder`` (an old one
        stays as it is, so Dovecot sees that it changed)."""
        box = self.account.mailboxes.get(folder)
        if box is not None and validity == box.uidvalidity:
            return self.validity[folder]
        return validity

    # -- reading Dovecot -------------------------------------------------------------------
    def _status(self) -> dict[str, tuple[int, int]]:
        """Every folder's (UIDVALIDITY, HIGHESTMODSEQ) as Dovecot reports it now."""
        result = checked(self.conn.command(STATUS), "LIST-STATUS")
        found = {}
        for response in result.untagged:
            if response[0] == b"STATUS" and isinstance(response[2], list):
                name = response[1].decode() if isinstance(response[1], bytes) else str(response[1])
                items = response[2]
                pairs = {items[i]: items[i + 1] for i in range(0, len(items) - 1, 2)}
                found[name] = (int(pairs[b"UIDVALIDITY"]), int(pairs[b"HIGHESTMODSEQ"]))
        return found

    def _fetch(self, folder: str, since: int) -> tuple[list[Fetched], set[int]]:
        """The messages of ``folder`` changed after MODSEQ ``since`` (all with 0), and the
        UIDs it holds; the folder is left unselected (Dovecot answers STATUS on the selected
        mailbox from the session's view, which would hide later changes)."""
        checked(self.conn.command(f"EXAMINE {folder}"), f"EXAMINE {folder}")
        tail = f" (CHANGEDSINCE {since})" if since else ""
        result = checked(self.conn.command(f"UID FETCH 1:* {ROW}{tail}"), "UID FETCH")
        rows = []
        for parsed in filter(None, map(fetch_items, result.untagged)):
            items = parsed[1]
            header = next((v for k, v in items.items() if k.startswith("BODY[")), b"")
            rows.append((int(items["UID"]), parse(header, int(items["RFC822.SIZE"])),
                         flags_of(items)))
        search = checked(self.conn.command("UID SEARCH ALL"), "UID SEARCH")
        present = {u for r in search.untagged if r[0] == b"SEARCH" for u in r[1:]
                   if isinstance(u, int)}
        checked(self.conn.command("UNSELECT"), "UNSELECT")  # STATUS of a selected mailbox
        return sorted(rows, key=lambda r: r[0]), present

    # -- writing the Account ---------------------------------------------------------------
    def observe(self, cause: str = "", by: str = "") -> None:
        """Read what changed in Dovecot since the last look and apply it to the Account:
        additions first, then flag changes, then expunges (a MOVE is never in neither
        folder), each folder in the Account's order and in UID order."""
        status = self._status()
        adds: list[tuple[str, Fetched]] = []
        flags: list[tuple[str, Fetched]] = []
        gone: list[tuple[str, list[int]]] = []
        for folder in list(self.account.mailboxes):
            validity, modseq = status[folder]
            if validity != self.validity[folder]:
                self._renumber(folder, validity)
            elif modseq != self.modseq[folder]:
                box = self.account.mailboxes[folder]
                rows, present = self._fetch(folder, self.modseq[folder])
                for row in rows:
                    (flags if row[0] in box.entries else adds).append((folder, row))
                gone.append((folder, sorted(set(box.entries) - present)))
            self.modseq[folder] = modseq
        moved = {mid for f, uids in gone for mid in self._mids(f, uids)} if cause == "move" \
            else set()
        for folder, (uid, msg, flagset) in adds:
            self._add(folder, uid, msg, flagset, cause, by, moved=msg.mid in moved)
        for folder, (uid, _, flagset) in flags:
            self.account.set_flags(folder, uid, flagset, by)
        for folder, uids in gone:
            if uids:
                self.account.expunge(folder, uids, cause, by)

    def _mids(self, folder: str, uids: list[int]) -> list[str]:
        box = self.account.mailboxes[folder]
        return [box.entries[u].msg.mid for u in uids]

    def _add(self, folder: str, uid: int, msg: Message, flagset: frozenset[str], cause: str,
             by: str, moved: bool = False) -> None:
        """Add ``msg`` under Dovecot's ``uid`` (UIDs Dovecot skipped are skipped here too);
        a ``moved`` message's bytes are not counted twice while it is in both folders, as
        the model's MOVE does (and as Dovecot's quota, which a MOVE never exceeds)."""
        box = self.account.mailboxes[folder]
        if uid < box.uidnext:
            raise RuntimeError(f"Dovecot reused UID {uid} in {self.account.name}/{folder}")
        box.uidnext = uid
        self.account.used -= msg.size if moved else 0
        try:
            self.account.add(folder, msg, flagset, cause, by)
        finally:
            self.account.used += msg.size if moved else 0

    def _renumber(self, folder: str, validity: int) -> None:
        """Dovecot renumbered ``folder`` under a new UIDVALIDITY: the Account's folder is
        replaced by a new one holding Dovecot's UIDs, one ``uidvalidity`` event each, as
        :meth:`Account.reset_uidvalidity` does (its private helpers are used on purpose:
        the numbering comes from Dovecot, not from the model's store stamps)."""
        account = self.account
        rows, _ = self._fetch(folder, 0)
        old = account.mailboxes[folder]
        new: Mailbox = account._new_mailbox(folder)
        account.mailboxes[folder] = new
        account.used -= old.bytes
        for uid, msg, flagset in rows:
            new.uidnext = uid
            entry = new.add(msg, flagset)
            account.used += msg.size
            account._emit("uidvalidity", new, entry)
        self.validity[folder] = validity
