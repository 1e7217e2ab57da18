"""POP3 server-side session semantics (RFC 1939, RFC 2449), SEMANTICS rules 1-7 and 9.

A maildrop wraps an account's INBOX with the optional exclusive lock; a session takes a
snapshot at login, marks deletions, and removes them only on QUIT (the UPDATE state).
"""

from __future__ import annotations

from simulator.mail.message import HEADER_BYTES, Message, command_cost
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.store import SEEN, Account, Entry

AUTHORIZATION, TRANSACTION, UPDATE, CLOSED = "AUTHORIZATION", "TRANSACTION", "UPDATE", "CLOSED"


def uidl_of(uidvalidity: int, uid: int) -> str:
    """Dovecot's default UIDL (``%08Xu%08Xv``): it changes when UIDVALIDITY does (rule 5)."""
    return f"{uid:08X}{uidvalidity:08X}"


class Maildrop:
    """The server side of POP3 for one account: the INBOX and who holds its lock."""

    def __init__(self, account: Account, lock: bool = True, seen_on_retr: bool = True) -> None:
        self.account = account
        self.lock = lock
        self.seen_on_retr = seen_on_retr
        self.holder: Session | None = None

    def open(self) -> Session:
        """A new connection in the AUTHORIZATION state."""
        return Session(self)


class Session:
    """One POP3 connection. Message numbers are 1-based indexes into the login snapshot."""

    def __init__(self, drop: Maildrop) -> None:
        self.drop = drop
        self.state = AUTHORIZATION
        self.snapshot: list[Entry] = []
        self.uidvalidity = 0
        self.marked: set[int] = set()
        self.retrieved: set[int] = set()

    def _need(self, state: str) -> None:
        if self.state != state:
            raise ProtocolError(f"POP3 command in {self.state}, needs {state}")

    def _entry(self, n: int) -> Entry | None:
        if not 1 <= n <= len(self.snapshot) or n in self.marked:
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
        self.uidvalidity = box.uidvalidity
        self.state = TRANSACTION
        return Reply(True, cost=cost)

    def stat(self) -> Reply:
        """Count and octets of the snapshot, not counting marked messages."""
        self._need(TRANSACTION)
        live = [e for n, e in enumerate(self.snapshot, 1) if n not in self.marked]
        return Reply(True, (len(live), sum(e.msg.size for e in live)), command_cost())

    def uidl(self) -> Reply:
        """(number, unique id) for every unmarked message of the snapshot (rule 5)."""
        self._need(TRANSACTION)
        rows = [
            (n, uidl_of(self.uidvalidity, e.uid))
            for n, e in enumerate(self.snapshot, 1)
            if n not in self.marked
        ]
        return Reply(True, rows, command_cost(down=30 * len(rows)))

    def list(self) -> Reply:
        """(number, size) for every unmarked message of the snapshot."""
        self._need(TRANSACTION)
        rows = [(n, e.msg.size) for n, e in enumerate(self.snapshot, 1) if n not in self.marked]
        return Reply(True, rows, command_cost(down=15 * len(rows)))

    def retr(self, n: int) -> Reply:
        """The whole message ``n``; Dovecot also sets \\Seen on it (rule 3's note)."""
        self._need(TRANSACTION)
        entry = self._entry(n)
        if entry is None:
            return Reply(False, cost=command_cost(), text="no such message")
        self.retrieved.add(n)
        if self.drop.seen_on_retr and SEEN not in entry.flags:
            self.drop.account.set_flags("INBOX", entry.uid, entry.flags | {SEEN})
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
        """Mark ``n`` for deletion; nothing is removed before QUIT (rule 3)."""
        self._need(TRANSACTION)
        if self._entry(n) is None:
            return Reply(False, cost=command_cost(), text="no such message")
        self.marked.add(n)
        return Reply(True, cost=command_cost())

    def rset(self) -> Reply:
        """Unmark every message marked in this session."""
        self._need(TRANSACTION)
        self.marked.clear()
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
        removed = self.drop.account.expunge("INBOX", uids, cause="pop3-quit")
        self._release()
        self.state = CLOSED
        return Reply(True, removed, command_cost())

    def drop_connection(self) -> None:
        """The connection broke: nothing is removed; a held lock stays until autologout (rule 9)."""
        if self.state != CLOSED:
            self.state = CLOSED if self.drop.holder is not self else "ABANDONED"

    def autologout(self) -> None:
        """The server's inactivity timer fired: release the lock, remove nothing."""
        self._release()
        self.state = CLOSED

    def _release(self) -> None:
        if self.drop.holder is self:
            self.drop.holder = None

    def message(self, n: int) -> Message | None:
        """The message behind number ``n`` of the snapshot (for clients' bookkeeping)."""
        entry = self._entry(n)
        return entry.msg if entry else None
