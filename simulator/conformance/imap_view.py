"""A Dovecot IMAP session as the model sees one: its sequence map and the news it is told.

Dovecot tells a session about new messages with ``EXISTS`` (a count), about expunges with
``VANISHED`` (QRESYNC is enabled on every session) and about flag changes with unsolicited
``FETCH``. :class:`ImapView` keeps the session's sequence-number → UID map from those
responses and turns them into the model's ``Updates``: new rows, expunged UIDs, changed
flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.conformance.messages import mid_of
from simulator.conformance.wire import ImapConn, Tagged, Value

ROW_ITEMS = "(UID FLAGS RFC822.SIZE MODSEQ BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])"
"""What the harness fetches for a message it has just learnt exists."""


def uid_set(text: bytes | int) -> list[int]:
    """Expand an IMAP sequence set like ``1:3,7`` into UIDs."""
    out: list[int] = []
    for part in str(text if isinstance(text, int) else text.decode()).split(","):
        lo, _, hi = part.partition(":")
        a, b = int(lo), int(hi or lo)
        out.extend(range(min(a, b), max(a, b) + 1))
    return out


def fetch_items(response: list[Value]) -> tuple[int, dict[str, Any]] | None:
    """``(seq, {item: value})`` for an untagged ``n FETCH (...)`` response, else None."""
    if len(response) < 3 or response[1] != b"FETCH" or not isinstance(response[0], int):
        return None
    items = response[2]
    assert isinstance(items, list)
    pairs = {}
    for i in range(0, len(items) - 1, 2):
        key = items[i]
        assert isinstance(key, bytes)
        pairs[key.decode().upper()] = items[i + 1]
    return response[0], pairs


def header_mid(items: dict[str, Any]) -> str | None:
    """The Message-ID (as a model mid) in a FETCH of the Message-ID header field."""
    for key, value in items.items():
        if key.startswith("BODY[HEADER.FIELDS") and isinstance(value, bytes):
            return mid_of(value)
    return None


def code_value(code: str, name: str) -> str | None:
    """The argument text of response code ``name`` in ``code`` (``"UIDNEXT 7"`` → ``"7"``)."""
    head, _, rest = code.partition(" ")
    return rest if head.upper() == name else None


@dataclass
class Row:
    """What the harness knows of one message of the selected mailbox."""

    uid: int
    flags: tuple[str, ...] = ()
    modseq: int = 0
    mid: str | None = None
    size: int = 0


@dataclass
class News:
    """Updates collected during one step, in the model's terms (raw UIDs and MODSEQs)."""

    new: list[Row] = field(default_factory=list)
    expunged: list[int] = field(default_factory=list)
    flags: dict[int, Row] = field(default_factory=dict)


class ImapView:
    """The selected mailbox as one Dovecot session has been told about it."""

    def __init__(self, conn: ImapConn) -> None:
        self.conn = conn
        self.folder = ""
        self.seq: list[int | None] = []  # UID per sequence number; None until fetched
        self.news = News()

    def reset(self, folder: str, uids: list[int]) -> None:
        """A mailbox was just selected (or none, with ``folder=""``)."""
        self.folder, self.seq, self.news = folder, list(uids), News()

    def absorb(self, result: Tagged, results_are_updates: bool) -> list[tuple[int, dict]]:
        """Apply a command's untagged responses; return its FETCH responses in order.

        FETCH responses also count as flag news when ``results_are_updates`` (STORE and
        the implicit \\Seen of BODY[]); a FETCH answering FETCH FLAGS is a result only.
        """
        fetched = []
        for response in result.untagged:
            if len(response) >= 2 and response[1] == b"EXISTS":
                count = response[0]
                assert isinstance(count, int)
                self.seq.extend([None] * (count - len(self.seq)))
            elif response and response[0] == b"VANISHED":
                self._vanish(response)
            elif (parsed := fetch_items(response)) is not None:
                fetched.append(parsed)
                if results_are_updates:
                    self._flag_news(*parsed)
        return fetched

    def _vanish(self, response: list[Value]) -> None:
        """Apply ``VANISHED uids`` to the sequence map and record the expunges as news."""
        if isinstance(response[1], list):  # VANISHED (EARLIER): only SELECT, read by the caller
            return
        for uid in uid_set(response[1]):
            if uid in self.seq:
                self.seq.remove(uid)
                self.news.expunged.append(uid)
                self.news.flags.pop(uid, None)
            elif None in self.seq and uid > max((u for u in self.seq if u), default=0):
                # announced by EXISTS but not fetched yet: it leaves without ever being news
                self.seq.remove(None)
                self.news.flags.pop(uid, None)

    def _flag_news(self, seq: int, items: dict[str, Any]) -> None:
        """Record a FETCH's flags/MODSEQ as flag news (merging split responses)."""
        uid = items.get("UID") or self.seq[seq - 1]
        if uid is None or ("FLAGS" not in items and uid not in self.news.flags):
            return  # a MODSEQ alone only completes news already started by FLAGS
        row = self.news.flags.setdefault(uid, Row(uid))
        if "FLAGS" in items:
            row.flags = tuple(f.decode() for f in items["FLAGS"])
        if "MODSEQ" in items:
            row.modseq = items["MODSEQ"][0]

    def fill_new(self) -> None:
        """Fetch UID, flags, size and Message-ID of messages announced by EXISTS only."""
        unknown = [i for i, uid in enumerate(self.seq, 1) if uid is None]
        if not unknown:
            return
        result = self.conn.command(f"FETCH {unknown[0]}:{unknown[-1]} {ROW_ITEMS}")
        if not result.ok:
            raise RuntimeError(f"harness lost the sequence map of {self.folder}: {result}")
        for seq, items in (fetch_items(r) for r in result.untagged if fetch_items(r)):
            uid = items["UID"]
            self.seq[seq - 1] = uid
            flags = tuple(f.decode() for f in items["FLAGS"])
            row = Row(uid, flags, items["MODSEQ"][0], header_mid(items), items["RFC822.SIZE"])
            self.news.new.append(row)
            self.news.flags.pop(uid, None)
        self.seq = [uid for uid in self.seq if uid is not None]

    def take_news(self) -> News:
        """The news of this step, then start collecting afresh."""
        self.fill_new()
        news, self.news = self.news, News()
        return news
