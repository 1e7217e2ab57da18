"""IMAP server-side session semantics (RFC 3501/9051 + IDLE, UIDPLUS, MOVE, CONDSTORE,
QRESYNC, QUOTA), SEMANTICS rules 10-17.

Sessions share one :class:`Account`; a session learns of other sessions' changes only in
the replies to its own commands (``Reply.updates``), as rule 13 requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from simulator.mail.message import Message, command_cost
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.store import DELETED, SEEN, Account, Entry, Mailbox, OverQuota

NOT_AUTH: Final = "NOT_AUTH"
AUTH: Final = "AUTH"
SELECTED: Final = "SELECTED"
LOGOUT: Final = "LOGOUT"
FLAG_ROW_BYTES: Final = 60
ENVELOPE_BYTES: Final = 300
SEARCH_HEADER_BYTES: Final = 40  # "UID SEARCH HEADER Message-ID <...@...>" around the mid
SELECT_BYTES: Final = 120  # the untagged FLAGS, EXISTS, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ lines
SELECT_COST: Final = command_cost(down=SELECT_BYTES)


class Row(NamedTuple):
    """One message as a FETCH reports it: UID, Message-ID, size, flags and MODSEQ (an
    immutable named tuple: one is built per message reported, quicker than a dataclass)."""

    uid: int
    mid: str
    size: int
    flags: frozenset[str]
    modseq: int
    date: float = 0.0
    msg: Message | None = None
    """The stored message these fields describe, when the model's server built the row: a
    client may keep this immutable value instead of an equal copy of its own (one object
    per message, not one per device); rows read from a real server carry none."""


_new: Final = tuple.__new__
_ROW: Final = Row  # Final: compiled code reads a C static, not a dict


@dataclass(slots=True)
class Updates:
    """Untagged news about the selected mailbox: new UIDs, expunged UIDs, changed flags."""

    new: list[Row] = field(default_factory=list)
    expunged: list[int] = field(default_factory=list)
    flags: list[Row] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.expunged or self.flags)


class SelectInfo:
    """What SELECT reports, with QRESYNC's VANISHED and changed rows when asked for.

    A plain class with its own ``__init__``, not a dataclass: compiled, a dataclass keeps
    the ``__init__`` that ``dataclasses`` writes, which runs interpreted, and every SELECT
    builds one."""

    __slots__ = ("changed", "exists", "highestmodseq", "uidnext", "uidvalidity", "vanished")

    def __init__(self, uidvalidity: int, uidnext: int, exists: int, highestmodseq: int,
                 vanished: list[int] | None = None, changed: list[Row] | None = None) -> None:
        self.uidvalidity = uidvalidity
        self.uidnext = uidnext
        self.exists = exists
        self.highestmodseq = highestmodseq
        self.vanished: list[int] = [] if vanished is None else vanished
        self.changed: list[Row] = [] if changed is None else changed

    def __repr__(self) -> str:
        return (f"SelectInfo(uidvalidity={self.uidvalidity!r}, uidnext={self.uidnext!r}, "
                f"exists={self.exists!r}, highestmodseq={self.highestmodseq!r}, "
                f"vanished={self.vanished!r}, changed={self.changed!r})")


def row(entry: Entry) -> Row:
    """The FETCH view of a stored entry."""
    msg = entry.msg  # tuple.__new__ is Row(...) without the Python call of Row.__new__
    return _new(_ROW, (entry.uid, msg.mid, msg.size, entry.flags, entry.modseq, msg.date, msg))


class ImapServer:
    """The IMAP side of one account; any number of sessions may be open at once (rule 13)."""

    def __init__(self, account: Account) -> None:
        self.account = account

    def connect(self, by: str = "") -> Session:
        """A new connection in the not-authenticated state, made by ``by`` (a device id)."""
        return Session(self.account, by)


class Session:
    """One IMAP connection and what it has been told about its selected mailbox."""

    def __init__(self, account: Account, by: str = "") -> None:
        self.account = account
        self.by = by  # who the store's events name as having made the changes
        self.state = NOT_AUTH
        self.box: Mailbox | None = None
        self._told_modseq = 0
        self._told_uidnext = 1
        self._view_uidnext = 1  # messages below this UID are in the session's view

    # -- state helpers -------------------------------------------------------------------
    def _selected(self, sync: bool = True) -> Mailbox:
        """The selected mailbox; with ``sync`` the view is first brought up to date."""
        if self.state != SELECTED or self.box is None:
            raise ProtocolError(f"IMAP command in {self.state}, needs SELECTED")
        box = self.box
        if self.account.mailboxes[box.name] is not box:
            raise ProtocolError("selected mailbox was replaced (UIDVALIDITY changed)")
        if sync:  # _sync_view, whose tests were just made
            self._view_uidnext = box.uidnext
        return box

    def _sync_view(self) -> None:
        """Bring the view up to date, as the server does before every command but CLOSE."""
        box = self.box
        if self.state == SELECTED and box is not None and self.account.mailboxes[box.name] is box:
            self._view_uidnext = box.uidnext

    def _reply(self, value: object = None, down: int = 0, up: int = 0) -> Reply:
        return Reply(True, value, command_cost(down=down, up=up), "", "", self._updates())

    def _updates(self) -> Updates | None:
        """What changed since this session was last told (rule 13: replies carry the news);
        None when no mailbox is selected or nothing changed (most replies: none is built)."""
        box = self.box
        if self.state != SELECTED or box is None or self.account.mailboxes[box.name] is not box:
            return None
        if box.highestmodseq == self._told_modseq:
            return None  # nothing changed (every change raises HIGHESTMODSEQ)
        news = Updates([], [], [])
        for entry in box.changed_since(self._told_modseq):
            rows = news.new if entry.uid >= self._told_uidnext else news.flags
            rows.append(row(entry))
        news.expunged = [u for u in box.vanished_since(self._told_modseq) if u < self._told_uidnext]
        self._told_modseq, self._told_uidnext = box.highestmodseq, box.uidnext
        self._view_uidnext = box.uidnext
        return news

    def _live(self, box: Mailbox, uids: Iterable[int]) -> list[Entry]:
        return [box.entries[u] for u in sorted(set(uids)) if u in box.entries]

    # -- commands ------------------------------------------------------------------------
    def login(self) -> Reply:
        """LOGIN (or AUTHENTICATE): one round trip."""
        if self.state != NOT_AUTH:
            raise ProtocolError("LOGIN twice")
        self.state = AUTH
        return Reply(True, cost=command_cost())

    def select(self, mailbox: str, qresync: tuple[int, int] | None = None) -> Reply:
        """SELECT; with ``qresync=(uidvalidity, modseq)`` also VANISHED and changed rows.

        Selecting another mailbox does not expunge the previous one (rule 12).
        """
        if self.state == NOT_AUTH or self.state == LOGOUT:
            raise ProtocolError("SELECT before LOGIN")
        box = self.account.mailboxes.get(mailbox)
        if box is None:  # a failed SELECT leaves no mailbox selected (RFC 3501 6.3.1)
            self.state, self.box = AUTH, None
            return Reply(False, cost=command_cost(), code="NONEXISTENT")
        self.state, self.box = SELECTED, box
        self._told_modseq, self._told_uidnext = box.highestmodseq, box.uidnext
        self._view_uidnext = box.uidnext
        info = SelectInfo(box.uidvalidity, box.uidnext, len(box.entries), box.highestmodseq,
                          [], [])
        if qresync is None or qresync[0] != box.uidvalidity:
            return Reply(True, info, SELECT_COST)
        info.vanished = box.vanished_since(qresync[1])
        info.changed = [row(e) for e in box.changed_since(qresync[1])]
        down = SELECT_BYTES + 12 * len(info.vanished) + FLAG_ROW_BYTES * len(info.changed)
        return Reply(True, info, command_cost(down=down))

    def search_all(self) -> Reply:
        """UID SEARCH ALL: every UID in the mailbox (how CONDSTORE clients find expunges)."""
        box = self._selected()
        uids = list(box.entries)
        return self._reply(uids, down=8 * len(uids))

    def search_message_id(self, mid: str) -> Reply:
        """UID SEARCH HEADER Message-ID <mid>: the UIDs holding ``mid`` (RFC 3501 6.4.4), how
        a careful client finds an APPEND whose reply it never saw (RFC 4549 4.3)."""
        box = self._selected()
        uids = [e.uid for e in box.entries.values() if e.msg.mid == mid]
        return self._reply(uids, down=8 * len(uids), up=SEARCH_HEADER_BYTES + len(mid))

    def fetch_flags(self, uids: Iterable[int] | None = None, changedsince: int = 0) -> Reply:
        """UID FETCH 1:* (FLAGS) [CHANGEDSINCE m]; expunged UIDs are simply absent."""
        box = self._selected()
        if changedsince:
            entries = box.changed_since(changedsince)
            if uids is not None:
                wanted = set(uids)
                entries = [e for e in entries if e.uid in wanted]
        else:
            entries = list(box.entries.values()) if uids is None else self._live(box, uids)
        rows = [row(e) for e in entries]
        return self._reply(rows, down=FLAG_ROW_BYTES * len(rows))

    def fetch_new(self, after_uid: int, headers: bool = True) -> Reply:
        """UID FETCH n+1:* (UID FLAGS RFC822.SIZE ENVELOPE [BODY.PEEK[HEADER]])."""
        box = self._selected()
        newer = []
        for uid in reversed(box.entries):  # entries are in UID order: stop at the first old one
            if uid <= after_uid:
                break
            newer.append(box.entries[uid])
        rows = [row(e) for e in reversed(newer)]
        per = ENVELOPE_BYTES + FLAG_ROW_BYTES
        down = sum(per + (min(r.size, 2_000) if headers else 0) for r in rows)
        return self._reply(rows, down=down)

    def fetch_body(self, uid: int, peek: bool = True) -> Reply:
        """UID FETCH uid BODY[] (sets \\Seen, rule 11) or BODY.PEEK[] (does not)."""
        box = self._selected()
        entry = box.entries.get(uid)
        if entry is None:
            return Reply(False, cost=command_cost(), text="no such message")
        if not peek and SEEN not in entry.flags:
            self.account.set_flags(box.name, uid, entry.flags | {SEEN}, self.by)
        return self._reply(entry.msg, down=entry.msg.size)

    def store(self, uids: Iterable[int], op: str, flags: Iterable[str]) -> Reply:
        """UID STORE uids +FLAGS/-FLAGS/FLAGS; UIDs expunged meanwhile are skipped (rule 19)."""
        box = self._selected()
        flagset = frozenset(flags)
        changed = []
        for entry in self._live(box, uids):
            new = {"+": entry.flags | flagset, "-": entry.flags - flagset, "=": flagset}[op]
            if self.account.set_flags(box.name, entry.uid, new, self.by):
                changed.append(row(entry))
        return self._reply(changed, down=FLAG_ROW_BYTES * len(changed))

    def _no_such_mailbox(self, mailbox: str) -> Reply | None:
        """``NO [TRYCREATE]`` when ``mailbox`` does not exist (RFC 3501 6.3.11, 6.4.7)."""
        if mailbox in self.account.mailboxes:
            return None
        return Reply(False, cost=command_cost(), code="TRYCREATE")

    def copy(self, uids: Iterable[int], dest: str) -> Reply:
        """UID COPY: new UIDs in ``dest`` with the same flags (COPYUID); all or nothing on quota.

        Every flag is kept, \\Deleted included (RFC 3501 6.4.7; Dovecot does the same).
        """
        box = self._selected()
        if (missing := self._no_such_mailbox(dest)) is not None:
            return missing
        entries = self._live(box, uids)
        if not self.account.fits(sum(e.msg.size for e in entries)):
            return Reply(False, cost=command_cost(), code="OVERQUOTA")
        mapping = {
            e.uid: self.account.add(dest, e.msg, e.flags, "copy", self.by, e.stored).uid
            for e in entries
        }
        return self._reply(mapping)

    def move(self, uids: Iterable[int], dest: str) -> Reply:
        """UID MOVE: each message is in the source or the target, never neither (RFC 6851)."""
        box = self._selected()
        if (missing := self._no_such_mailbox(dest)) is not None:
            return missing
        mapping = {}
        for entry in self._live(box, uids):
            self.account.used -= entry.msg.size  # a move never needs more quota
            try:
                added = self.account.add(
                    dest, entry.msg, entry.flags, "move", self.by, entry.stored
                )
            finally:
                self.account.used += entry.msg.size
            self.account.expunge(box.name, [entry.uid], cause="move", by=self.by)
            mapping[entry.uid] = added.uid
        return self._reply(mapping)

    def uid_expunge(self, uids: Iterable[int]) -> Reply:
        """UID EXPUNGE: remove only the given UIDs that carry \\Deleted (UIDPLUS, rule 19)."""
        box = self._selected()
        doomed = [e.uid for e in self._live(box, uids) if DELETED in e.flags]
        return self._reply(self.account.expunge(box.name, doomed, cause="imap-expunge", by=self.by))

    def expunge(self) -> Reply:
        """EXPUNGE: remove every \\Deleted message of the mailbox, whoever marked it."""
        box = self._selected()
        doomed = [e.uid for e in box.entries.values() if DELETED in e.flags]
        return self._reply(self.account.expunge(box.name, doomed, cause="imap-expunge", by=self.by))

    def close(self) -> Reply:
        """CLOSE: silently expunge the \\Deleted messages of the session's view, then leave.

        Unlike the other commands CLOSE does not bring the view up to date first, so a message
        that arrived since the session's last command stays, \\Deleted or not (Dovecot 2.3;
        docs/fidelity.md). Flags are current: \\Deleted set by another session counts.
        """
        box = self._selected(sync=False)
        doomed = [
            e.uid for e in box.entries.values() if DELETED in e.flags and e.uid < self._view_uidnext
        ]
        self.account.expunge(box.name, doomed, cause="imap-close", by=self.by)
        self.state, self.box = AUTH, None
        return Reply(True, cost=command_cost())

    def append(self, mailbox: str, msg: Message, flags: Iterable[str] = ()) -> Reply:
        """APPEND: a new UID (APPENDUID) or ``NO [OVERQUOTA]`` (rules 14, 17)."""
        if self.state not in (AUTH, SELECTED):
            raise ProtocolError("APPEND before LOGIN")
        self._sync_view()
        if (missing := self._no_such_mailbox(mailbox)) is not None:
            missing.cost = command_cost(up=msg.size)
            return missing
        try:
            entry = self.account.add(mailbox, msg, flags, cause="append", by=self.by)
        except OverQuota:
            return Reply(False, cost=command_cost(up=msg.size), code="OVERQUOTA")
        reply = Reply(True, entry.uid, command_cost(up=msg.size), updates=self._updates())
        return reply

    def noop(self) -> Reply:
        """NOOP: nothing but the pending news (rule 13)."""
        if self.state == SELECTED:
            self._selected()
        return self._reply()

    def idle(self) -> Reply:
        """IDLE: the news so far; the world keeps the command open until news arrives."""
        return self.noop()

    def logout(self) -> Reply:
        """LOGOUT: close without expunging (rule 12)."""
        self.state, self.box = LOGOUT, None
        return Reply(True, cost=command_cost())

    def drop_connection(self) -> None:
        """The connection broke: no expunge, nothing else changes (rule 12)."""
        self.state, self.box = LOGOUT, None
