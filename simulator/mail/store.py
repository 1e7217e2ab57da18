"""The server's message store: accounts, mailboxes, UIDs, UIDVALIDITY, MODSEQ, flags, quota.

Plain data with invariants enforced here (UIDs never reused, MODSEQ strictly rising), so
that POP3 and IMAP sessions are thin views over one store, as in Dovecot.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from simulator.mail.message import Message

FOLDERS: Final = ("INBOX", "Sent", "Drafts", "Trash", "Archive")
SEEN: Final = "\\Seen"
ANSWERED: Final = "\\Answered"
FLAGGED: Final = "\\Flagged"
DELETED: Final = "\\Deleted"
DRAFT: Final = "\\Draft"
SYSTEM_FLAGS: Final = frozenset({SEEN, ANSWERED, FLAGGED, DELETED, DRAFT})

_FLAG_SETS: Final[dict[frozenset[str], frozenset[str]]] = {}


def shared_flags(flags: Iterable[str]) -> frozenset[str]:
    """One object per distinct set of flags: every stored copy of every message holds one,
    but a run has only a handful of distinct sets, and a frozenset is ~200 bytes. Exact:
    frozensets are immutable and compare by value."""
    flagset = frozenset(flags)
    return _FLAG_SETS.setdefault(flagset, flagset)


class OverQuota(Exception):
    """The store refuses a message because the account would exceed its quota."""


class Entry:
    """A message as held in one mailbox: its UID, flags, last MODSEQ and store stamp.

    ``stored`` orders the stored file by when it was written (see :meth:`Account.add`);
    a renumbering after a UIDVALIDITY reset follows it, as Dovecot's Maildir does. A plain
    class with its own ``__init__``, not a dataclass: compiled, a dataclass keeps the
    ``__init__`` that ``dataclasses`` writes, which runs interpreted.
    """

    __slots__ = ("flags", "modseq", "msg", "stored", "uid")

    def __init__(self, uid: int, msg: Message, flags: frozenset[str], modseq: int,
                 stored: int = 0) -> None:
        self.uid = uid
        self.msg = msg
        self.flags = flags
        self.modseq = modseq
        self.stored = stored

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return (self.uid, self.msg, self.flags, self.modseq, self.stored) == (
            other.uid, other.msg, other.flags, other.modseq, other.stored)

    def __repr__(self) -> str:
        return (f"Entry(uid={self.uid!r}, msg={self.msg!r}, flags={self.flags!r}, "
                f"modseq={self.modseq!r}, stored={self.stored!r})")


class StoreEvent(NamedTuple):
    """A change to the store, reported to listeners (the world turns it into history); an
    immutable named tuple, built once per change."""

    kind: str  # "add" | "expunge" | "flags" | "uidvalidity"
    mailbox: str
    uidvalidity: int
    uid: int
    mid: str
    cause: str = ""
    by: str = ""  # who made the change over a session (a device id); "" for the server


_new: Final = tuple.__new__
_STORE_EVENT: Final = StoreEvent  # Final: compiled code reads a C static, not a dict

Listener = Callable[["Account", StoreEvent], None]


@dataclass
class Mailbox:
    """One IMAP mailbox: entries in UID order plus the state clients resynchronise against."""

    name: str
    uidvalidity: int
    uidnext: int = 1
    highestmodseq: int = 1
    entries: dict[int, Entry] = field(default_factory=dict)
    vanished: array[int] = field(default_factory=lambda: array("q"))
    """The UID of every expunge, append-only: QRESYNC and the POP3 listing (pop3.Listing)
    read its tail. Two arrays of 8-byte integers, not a list of tuples: they grow with the
    run's expunges, not with the mail held."""
    vanished_at: array[int] = field(default_factory=lambda: array("q"))
    """The MODSEQ of each expunge in ``vanished`` (rising)."""
    _by_modseq: dict[Any, Any] = field(default_factory=dict, repr=False)
    """Each entry's UID, in MODSEQ order, mapped to itself: the one int object that also
    keys ``entries`` (typed Any: compiled code boxes an ``int`` anew wherever it stores one,
    and a UID object costs more than the slot that holds it)."""
    _stamps: bytearray = field(default_factory=bytearray, repr=False)
    """One bit per store stamp (``stored``), set while an entry has it: stamps are small
    rising numbers, a mailbox holds each at most once, and a bit costs far less than a set's
    element (an int object and a slot) for every message held."""

    def _bump(self) -> int:
        self.highestmodseq += 1
        return self.highestmodseq

    def add(self, msg: Message, flags: Iterable[str] = (), stored: int = 0) -> Entry:
        """Store ``msg`` under the next UID (UIDNEXT only ever grows)."""
        entry = Entry(self.uidnext, msg, shared_flags(flags), self._bump(), stored)
        uid: Any = entry.uid  # one object for both maps (see _by_modseq)
        self.entries[uid] = entry
        self._by_modseq[uid] = uid
        byte = stored >> 3
        if byte >= len(self._stamps):
            self._stamps.extend(bytes(byte + 64 - len(self._stamps)))
        self._stamps[byte] |= 1 << (stored & 7)
        self.uidnext += 1
        return entry

    def set_flags(self, uid: int, flags: frozenset[str]) -> bool:
        """Replace the flags of ``uid``; MODSEQ rises only on a real change."""
        entry = self.entries[uid]
        if entry.flags == flags:
            return False
        entry.flags = shared_flags(flags)
        entry.modseq = self._bump()
        same = self._by_modseq.pop(uid)  # to the end, as the object that keys ``entries``
        self._by_modseq[same] = same
        return True

    def remove(self, uid: int) -> Entry:
        """Expunge ``uid``, remembering it as vanished at a new MODSEQ (for QRESYNC)."""
        entry = self.entries.pop(uid)
        del self._by_modseq[uid]
        self._stamps[entry.stored >> 3] &= ~(1 << (entry.stored & 7)) & 0xFF
        self.vanished_at.append(self._bump())
        self.vanished.append(uid)
        return entry

    def holds_stamp(self, stored: int) -> bool:
        """Whether an entry here has store stamp ``stored`` (a file of that name exists)."""
        byte = stored >> 3
        return byte < len(self._stamps) and bool(self._stamps[byte] >> (stored & 7) & 1)

    def changed_since(self, modseq: int) -> list[Entry]:
        """Entries whose MODSEQ is above ``modseq``, in UID order; costs only what changed."""
        found = []
        for uid in reversed(self._by_modseq):
            entry = self.entries[uid]
            if entry.modseq <= modseq:
                break
            found.append(entry)
        return sorted(found, key=lambda e: e.uid)

    def vanished_since(self, modseq: int) -> list[int]:
        """UIDs expunged after ``modseq``, ascending."""
        start = bisect.bisect_right(self.vanished_at, modseq)
        return sorted(self.vanished[start:])

    @property
    def bytes(self) -> int:
        """Bytes held, \\Deleted messages included."""
        return sum(e.msg.size for e in self.entries.values())


class Account:
    """A user's mailboxes on the server with a byte quota shared by all of them."""

    def __init__(self, name: str, quota: int | None = None, uidvalidity_base: int = 1000) -> None:
        self.name = name
        self.quota = quota
        self.used = 0
        self._next_uidvalidity = uidvalidity_base
        self._stamps = 0  # store stamps handed out: files written, in order
        self.mailboxes: dict[str, Mailbox] = {f: self._new_mailbox(f) for f in FOLDERS}
        self.listeners: list[Listener] = []

    def _new_mailbox(self, name: str) -> Mailbox:
        self._next_uidvalidity += 1
        return Mailbox(name, self._next_uidvalidity)

    def _emit(self, kind: str, box: Mailbox, entry: Entry, cause: str = "", by: str = "") -> None:
        event = _new(_STORE_EVENT,  # StoreEvent(...) without the Python call of its __new__
                     (kind, box.name, box.uidvalidity, entry.uid, entry.msg.mid, cause, by))
        for listener in self.listeners:
            listener(self, event)

    def fits(self, size: int) -> bool:
        """Whether ``size`` more bytes stay within the quota."""
        return self.quota is None or self.used + size <= self.quota

    def add(self, mailbox: str, msg: Message, flags: Iterable[str] = (), cause: str = "",
            by: str = "", stored: int = 0) -> Entry:
        """Add ``msg`` to ``mailbox`` or raise :class:`OverQuota` (delivery, APPEND, COPY).

        ``stored`` is the source's store stamp for a COPY or MOVE: like Dovecot's hard link,
        which keeps the file's name (so its write time), the copy keeps it, unless the
        mailbox already holds that file, when (like Dovecot's fallback) it is written anew.
        0 (delivery, APPEND) writes a new file: the next stamp.
        """
        if not self.fits(msg.size):
            raise OverQuota(f"{self.name}: {self.used}+{msg.size} > {self.quota}")
        box = self.mailboxes[mailbox]
        if not stored or box.holds_stamp(stored):
            self._stamps += 1
            stored = self._stamps
        entry = box.add(msg, flags, stored)
        self.used += msg.size
        self._emit("add", box, entry, cause, by)
        return entry

    def set_flags(self, mailbox: str, uid: int, flags: frozenset[str], by: str = "") -> bool:
        """Set the flags of a stored message; returns whether anything changed."""
        box = self.mailboxes[mailbox]
        changed = box.set_flags(uid, flags)
        if changed:
            self._emit("flags", box, box.entries[uid], by=by)
        return changed

    def expunge(self, mailbox: str, uids: Iterable[int], cause: str, by: str = "") -> list[int]:
        """Remove ``uids`` (those still present) and free their bytes; ``cause`` names why
        and ``by`` who."""
        box = self.mailboxes[mailbox]
        gone = []
        for uid in sorted(uids):
            if uid in box.entries:
                entry = box.remove(uid)
                self.used -= entry.msg.size
                self._emit("expunge", box, entry, cause, by)
                gone.append(uid)
        return gone

    def reset_uidvalidity(self, mailbox: str) -> Mailbox:
        """Renumber ``mailbox`` under a new UIDVALIDITY, as a server restored from backup does.

        New UIDs follow the store stamps, not the old UIDs: Dovecot's Maildir rebuilds its
        UID list from the files sorted by name, which begins with the time of writing.
        """
        old = self.mailboxes[mailbox]
        new = self._new_mailbox(mailbox)
        self.mailboxes[mailbox] = new
        for entry in sorted(old.entries.values(), key=lambda e: e.stored):
            added = new.add(entry.msg, entry.flags, entry.stored)
            self._emit("uidvalidity", new, added)
        return new

    def find(self, mid: str) -> list[tuple[str, int]]:
        """(mailbox, uid) of every stored copy of ``mid`` (slow; for tests and checkers)."""
        return [
            (box.name, e.uid)
            for box in self.mailboxes.values()
            for e in box.entries.values()
            if e.msg.mid == mid
        ]
