"""POP3 server-side session semantics (RFC 1939, RFC 2449), SEMANTICS rules 1-7 and 9.

A maildrop wraps an account's INBOX with the optional exclusive lock; a session takes a
snapshot at login, marks deletions, and removes them only on QUIT (the UPDATE state).
"""

from __future__ import annotations

import builtins
from array import array
from bisect import bisect_left
from typing import Final, TypeVar

from simulator.mail.message import HEADER_BYTES, Message, command_cost
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.store import SEEN, Account, Entry, Mailbox

_T = TypeVar("_T")
AUTHORIZATION: Final = "AUTHORIZATION"
TRANSACTION: Final = "TRANSACTION"
UPDATE: Final = "UPDATE"
CLOSED: Final = "CLOSED"


def uidl_of(uidvalidity: int, uid: int) -> str:
    """Dovecot's default UIDL (``%08Xu%08Xv``): it changes when UIDVALIDITY does (rule 5).

    Dovecot's ``%X`` prints lower-case hex digits (checked against Dovecot 2.3).
    """
    return f"{uid:08x}{uidvalidity:08x}"


class Listing:
    """The UID, UIDL and size of every message of one INBOX, in UID order, as of the last
    :meth:`update`.

    A login copies it instead of formatting a UIDL per message in Python. It is exact
    because it is brought up to date from the mailbox's own append-only records: every
    message added since has a UID at or above the UIDNEXT seen last, every message removed
    since is in ``vanished`` past the length seen last, and a UIDVALIDITY reset replaces
    the mailbox object, which starts the listing afresh. Three aligned columns, the
    numbers as 8-byte integers: a map per column would cost an int object and a map slot
    per message held on every server for the whole run.
    """

    def __init__(self) -> None:
        self.box: Mailbox | None = None
        self.uidnext = 1
        self.gone = 0
        self.uids: array[int] = array("q")
        self.uidls: list[str] = []
        self.sizes: array[int] = array("q")

    def update(self, box: Mailbox) -> None:
        """Catch up with ``box``: forget what was removed, then add what arrived, in UID order."""
        if box is not self.box:
            self.box, self.uidnext, self.gone = box, 1, len(box.vanished)
            self.uids, self.uidls, self.sizes = array("q"), [], array("q")
        uids = self.uids
        for uid in box.vanished[self.gone:]:
            at = bisect_left(uids, uid)
            if at < len(uids) and uids[at] == uid:
                del uids[at], self.uidls[at], self.sizes[at]
        self.gone = len(box.vanished)
        newer = []
        for uid in reversed(box.entries):  # entries are in UID order: stop at the first old one
            if uid < self.uidnext:
                break
            newer.append(box.entries[uid])
        for entry in reversed(newer):
            uids.append(entry.uid)
            self.uidls.append(uidl_of(box.uidvalidity, entry.uid))
            self.sizes.append(entry.msg.size)
        self.uidnext = box.uidnext


class Maildrop:
    """The server side of POP3 for one account: the INBOX and who holds its lock."""

    def __init__(self, account: Account, lock: bool = True, seen_on_retr: bool = True) -> None:
        self.account = account
        self.lock = lock
        self.seen_on_retr = seen_on_retr
        self.holder: Session | None = None
        self.listing = Listing()

    def open(self, by: str = "") -> Session:
        """A new connection in the AUTHORIZATION state, made by ``by`` (a device id)."""
        return Session(self, by)


class Session:
    """One POP3 connection. Message numbers are 1-based indexes into the login snapshot."""

    def __init__(self, drop: Maildrop, by: str = "") -> None:
        self.drop = drop
        self.by = by  # who the store's events name as having made the changes
        self.state = AUTHORIZATION
        self.snapshot: list[Entry] = []
        self.uidls: list[str] = []  # the snapshot's UIDLs and sizes, message number n at n-1
        self.sizes: list[int] = []
        self.uidvalidity = 0
        self.marked: set[int] = set()
        self.retrieved: set[int] = set()
        self.to_mark_seen: set[int] = set()

    def _need(self, state: str) -> None:
        if self.state != state:
            raise ProtocolError(f"POP3 command in {self.state}, needs {state}")

    def _listed(self, n: int) -> bool:
        """Whether ``n`` names a message of the snapshot that this session has not marked."""
        return 1 <= n <= len(self.snapshot) and n not in self.marked

    def _entry(self, n: int) -> Entry | None:
        if not self._listed(n):
            return None
        entry = self.snapshot[n - 1]
        box = self.drop.account.mailboxes["INBOX"]
        return entry if box.entries.get(entry.uid) is entry else None

    def login(self) -> Reply:
        """USER + PASS: take the lock (or fail with IN-USE) and snapshot the INBOX (rules 2, 4)."""
        self._need(AUTHORIZATION)
        cost = command_cost(round_trips=2)
        holder = self.drop.holder
        if self.drop.lock and holder is not None and holder is not self:
            return Reply(False, cost=cost, code="IN-USE", text="maildrop already locked")
        if self.drop.lock:
            self.drop.holder = self
        box = self.drop.account.mailboxes["INBOX"]
        self.snapshot = list(box.entries.values())
        listing = self.drop.listing
        listing.update(box)
        self.uidls, self.sizes = list(listing.uidls), listing.sizes.tolist()
        self.uidvalidity = box.uidvalidity
        self.state = TRANSACTION
        return Reply(True, cost=cost)

    def stat(self) -> Reply:
        """Count and octets of the snapshot, not counting marked messages."""
        self._need(TRANSACTION)
        sizes = [size for _, size in self._rows(self.sizes)]
        return Reply(True, (len(sizes), sum(sizes)), command_cost())

    def uidl(self) -> Reply:
        """(number, unique id) for every unmarked message of the snapshot (rule 5)."""
        self._need(TRANSACTION)
        rows = self._rows(self.uidls)
        return Reply(True, rows, command_cost(down=30 * len(rows)))

    def list(self) -> Reply:
        """(number, size) for every unmarked message of the snapshot."""
        self._need(TRANSACTION)
        rows = self._rows(self.sizes)
        return Reply(True, rows, command_cost(down=15 * len(rows)))

    def _rows(self, column: builtins.list[_T]) -> builtins.list[tuple[int, _T]]:
        """(number, value) for every unmarked message, from a column aligned with the snapshot."""
        if not self.marked:  # the usual case (listing before any DELE): no test per message
            return list(enumerate(column, 1))
        return [(n, value) for n, value in enumerate(column, 1) if n not in self.marked]

    def retr(self, n: int) -> Reply:
        """The whole message ``n``; Dovecot also sets \\Seen on it (rule 3's note).

        As in Dovecot, the \\Seen flag is only noted here and written when the session
        ends (QUIT, or the server noticing the disconnect); RSET forgets it.
        """
        self._need(TRANSACTION)
        entry = self._entry(n)
        if entry is None:
            return Reply(False, cost=command_cost(), text="no such message")
        self.retrieved.add(n)
        if self.drop.seen_on_retr and SEEN not in entry.flags:
            self.to_mark_seen.add(n)
        return Reply(True, entry.msg, command_cost(down=entry.msg.size))

    def top(self, n: int, lines: int = 0) -> Reply:
        """Headers plus ``lines`` body lines (rule 6); the value is the message, bytes are fewer."""
        self._need(TRANSACTION)
        entry = self._entry(n)
        if entry is None:
            return Reply(False, cost=command_cost(), text="no such message")
        down = min(entry.msg.size, HEADER_BYTES + 80 * lines)
        return Reply(True, entry.msg, command_cost(down=down))

    def dele(self, n: int) -> Reply:
        """Mark ``n`` for deletion; nothing is removed before QUIT (rule 3).

        Any message of the snapshot can be marked, even one another session expunged
        meanwhile (possible without the lock): Dovecot answers +OK, and QUIT skips it.
        """
        self._need(TRANSACTION)
        if not self._listed(n):
            return Reply(False, cost=command_cost(), text="no such message")
        self.marked.add(n)
        return Reply(True, cost=command_cost())

    def rset(self) -> Reply:
        """Unmark every message marked in this session (and forget RETR's pending \\Seen)."""
        self._need(TRANSACTION)
        self.marked.clear()
        self.to_mark_seen.clear()
        return Reply(True, cost=command_cost())

    def noop(self) -> Reply:
        """Do nothing; the snapshot does not change (rule 2)."""
        self._need(TRANSACTION)
        return Reply(True, cost=command_cost())

    def quit(self) -> Reply:
        """Enter UPDATE: remove the marked messages, release the lock, close (rule 1, 3)."""
        if self.state == AUTHORIZATION:
            self.state = CLOSED
            return Reply(True, [], command_cost())
        self._need(TRANSACTION)
        self.state = UPDATE
        uids = [self.snapshot[n - 1].uid for n in sorted(self.marked)]
        self._mark_seen(skip=self.marked)
        removed = self.drop.account.expunge("INBOX", uids, cause="pop3-quit", by=self.by)
        self._release()
        self.state = CLOSED
        return Reply(True, removed, command_cost())

    def drop_connection(self) -> None:
        """The connection broke: nothing is removed; a held lock stays until autologout (rule 9).

        Without the lock the server is taken to notice at once and, like Dovecot, writes
        the \\Seen flags of retrieved messages; an abandoned lock holder does that at
        autologout.
        """
        if self.state not in (CLOSED, "ABANDONED"):
            if self.drop.holder is self:
                self.state = "ABANDONED"
            else:
                self._mark_seen()
                self.state = CLOSED

    def autologout(self) -> None:
        """The server's inactivity timer fired: release the lock, remove nothing."""
        if self.state in (TRANSACTION, "ABANDONED"):
            self._mark_seen()
        self._release()
        self.state = CLOSED

    def _mark_seen(self, skip: set[int] | None = None) -> None:
        """Write \\Seen on messages retrieved in this session, except ``skip``.

        QUIT skips the messages it is about to remove; a session ending without QUIT marks
        every retrieved message, DELE'd ones included (they stay), as Dovecot does.
        """
        box = self.drop.account.mailboxes["INBOX"]
        for n in sorted(self.to_mark_seen - (skip or set())):
            entry = self.snapshot[n - 1]
            if box.entries.get(entry.uid) is entry and SEEN not in entry.flags:
                self.drop.account.set_flags("INBOX", entry.uid, entry.flags | {SEEN}, self.by)
        self.to_mark_seen.clear()

    def _release(self) -> None:
        if self.drop.holder is self:
            self.drop.holder = None

    def message(self, n: int) -> Message | None:
        """The message behind number ``n`` of the snapshot (for clients' bookkeeping)."""
        entry = self._entry(n)
        return entry.msg if entry else None
