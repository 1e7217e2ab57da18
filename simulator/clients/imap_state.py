"""What the IMAP client keeps between sessions: each folder's sync state, the queued
offline actions, the cache policy and where each local message lives on the server."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from simulator.mail.message import Message


@dataclass
class FolderState:
    """What the client last knew of one server mailbox."""

    uidvalidity: int = 0
    highestmodseq: int = 0
    last_uid: int = 0


class Action:
    """A queued offline action on local message ``key``: flag (+/-), move, expunge, append.

    Immutable by convention. A plain class with its own ``__init__``, not a dataclass:
    compiled, a dataclass keeps the ``__init__`` that ``dataclasses`` writes, which runs
    interpreted."""

    __slots__ = ("arg", "key", "kind", "msg", "op")

    def __init__(self, kind: str, key: str, op: str = "+", arg: str = "",
                 msg: Message | None = None) -> None:
        self.kind = kind
        self.key = key
        self.op = op
        self.arg = arg
        self.msg = msg

    def _fields(self) -> tuple[str, str, str, str, Message | None]:
        return (self.kind, self.key, self.op, self.arg, self.msg)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Action):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"Action(kind={self.kind!r}, key={self.key!r}, op={self.op!r}, "
                f"arg={self.arg!r}, msg={self.msg!r})")


@dataclass
class Cache:
    """The cache policy: which bodies are kept on the device."""

    mode: str = "full"
    recent_s: float | None = None

    def keeps(self, msg_date: float, now: float) -> bool:
        """Whether a body of a message written at ``msg_date`` is kept after sync."""
        if self.mode == "full":
            return True
        if self.mode == "recent":
            return self.recent_s is not None and now - msg_date <= self.recent_s
        return False


_NOWHERE: Final[dict[int, str]] = {}  # a folder with no located keys (never written to)
_FOLDERS: Final = ("INBOX", "Sent", "Archive")  # the folders a client syncs, numbered
_CODES: Final = {folder: code for code, folder in enumerate(_FOLDERS)}
_FOLDER: Final = 1 << 32  # a located key's folder number counts in these (a UID is below)


@dataclass
class Where:
    """Server location of local messages, both ways: each located key's folder, UID and
    Message-ID (kept for recovery by Message-ID even when the person deleted the local
    copy), and each folder's keys by UID. The client holds this for every message it
    knows, so a key that is its own Message-ID (every synced copy's, most of them) in one
    of the folders the client syncs keeps one int, its UID plus the folder's number times
    2^32 (UIDs are 32-bit, RFC 3501 §2.3.1.1; in INBOX, the UID itself); any other key a
    (folder, UID, Message-ID) tuple."""

    of_key: dict[str, int | tuple[str, int, str]] = field(default_factory=dict)
    by_folder: dict[str, dict[int, str]] = field(default_factory=dict)

    def set(self, key: str, folder: str, uid: int, mid: str | None = None) -> None:
        """``key`` is now ``uid`` in ``folder`` (``mid`` is needed the first time)."""
        old = self.of_key.pop(key, None)
        if old is not None:
            self._unfile(old)
            if mid is None:
                mid = key if isinstance(old, int) else old[2]
        assert mid is not None, f"{key}: located without its Message-ID"
        # Typed Any, one int object both keys the folder's map and locates a key in INBOX:
        # compiled code would box an ``int`` anew for each map.
        place: Any = uid
        code = _CODES.get(folder) if mid == key and uid < _FOLDER else None
        if code is None:
            self.of_key[key] = (folder, uid, mid)
        else:
            self.of_key[key] = place if code == 0 else uid + code * _FOLDER
        self.by_folder.setdefault(folder, {})[place] = key

    def get(self, key: str) -> tuple[str, int, str] | None:
        """(folder, UID, Message-ID) of ``key``, if it is located."""
        loc = self.of_key.get(key)
        if isinstance(loc, int):
            code, uid = divmod(loc, _FOLDER)
            return _FOLDERS[code], uid, key
        return loc

    def at(self, folder: str, uid: int) -> str | None:
        """The key located at ``uid`` in ``folder``, if any."""
        return self.by_folder.get(folder, _NOWHERE).get(uid)

    def drop(self, key: str) -> None:
        """``key`` has no server copy any more (as far as the client knows)."""
        old = self.of_key.pop(key, None)
        if old is not None:
            self._unfile(old)

    def _unfile(self, loc: int | tuple[str, int, str]) -> None:
        """Take a location that was just unlinked out of its folder's keys by UID."""
        if isinstance(loc, int):
            code, uid = divmod(loc, _FOLDER)
            self.by_folder[_FOLDERS[code]].pop(uid, None)
        else:
            self.by_folder[loc[0]].pop(loc[1], None)

    def cached(self, folder: str) -> list[tuple[int, str, str]]:
        """(UID, key, Message-ID) of every located key in ``folder``."""
        of_key = self.of_key
        return [(uid, key, key if isinstance(loc := of_key[key], int) else loc[2])
                for uid, key in self.by_folder.get(folder, _NOWHERE).items()]

    def in_folder(self, folder: str) -> list[str]:
        """Keys of the messages known in ``folder``."""
        return list(self.by_folder.get(folder, {}).values())

    def uids(self, folder: str) -> list[int]:
        """UIDs known in ``folder``, ascending."""
        return sorted(self.by_folder.get(folder, {}))

    def missing(self, folder: str, present: Iterable[int]) -> list[int]:
        """UIDs known in ``folder`` but not in ``present``, ascending (by a set difference:
        a resync finds few or none missing among many known). When the known UIDs, in the
        order they were located, begin the list ``present`` (the usual case: nothing was
        expunged, and new mail comes after them), none is missing: one list comparison
        tells, without building a set."""
        known = self.by_folder.get(folder, {})
        if isinstance(present, list) and present[:len(known)] == list(known):
            return []
        return sorted(known.keys() - present)
