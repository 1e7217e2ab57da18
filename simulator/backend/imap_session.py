"""A built-in client's IMAP session on Dovecot: the methods and Reply shapes of
:class:`simulator.mail.imap.Session`, each command sent over the wire to Dovecot's
``imap`` process, its cost computed by the model's formulas from what came back.

After every command that can change the account the server's mirror reads Dovecot again
(:meth:`DovecotServer.observe`) with the command's cause and the session's device, so the
history says who did what. News (EXISTS, VANISHED, FETCH FLAGS) is gathered from the
untagged responses by the conformance harness's :class:`ImapView` and handed over as
the model's ``Updates``. Simulated time stands still meanwhile: the world charges the
computed cost, not the wall-clock time Dovecot took.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from simulator.backend.letters import FIELDS, parse, render
from simulator.backend.mirror import flags_of
from simulator.conformance.imap_side import _ok_code, _select_info
from simulator.conformance.imap_view import ImapView, News, code_value, fetch_items, uid_set
from simulator.conformance.messages import msgid
from simulator.conformance.wire import Tagged
from simulator.mail.imap import (
    AUTH,
    ENVELOPE_BYTES,
    FLAG_ROW_BYTES,
    LOGOUT,
    NOT_AUTH,
    SEARCH_HEADER_BYTES,
    SELECT_BYTES,
    SELECT_COST,
    SELECTED,
    Row,
    SelectInfo,
    Updates,
)
from simulator.mail.message import Message, command_cost
from simulator.mail.reply import ProtocolError, Reply

if TYPE_CHECKING:
    from simulator.backend.server import DovecotServer

STORE_OPS = {"+": "+FLAGS", "-": "-FLAGS", "=": "FLAGS"}
NEW_ROW = f"(UID FLAGS RFC822.SIZE MODSEQ {FIELDS})"


def uids_text(uids: Iterable[int]) -> str:
    """An IMAP UID set."""
    return ",".join(str(u) for u in sorted(set(uids)))


class ImapSession:
    """One IMAP connection of a device to a Dovecot account."""

    def __init__(self, server: DovecotServer, user: str, by: str = "") -> None:
        self.server, self.user, self.by = server, user, by
        self.mirror = server.mirrors[user]
        self.state = NOT_AUTH
        self.view: ImapView | None = None
        self.folder = ""

    # -- helpers ---------------------------------------------------------------------------
    def _wire(self) -> ImapView:
        if self.view is None or self.state not in (AUTH, SELECTED):
            raise ProtocolError(f"IMAP command in {self.state}, needs AUTH or SELECTED")
        return self.view

    def _selected(self) -> ImapView:
        if self.state != SELECTED:
            raise ProtocolError(f"IMAP command in {self.state}, needs SELECTED")
        return self._wire()

    def _send(self, text: str, literal: bytes | None = None) -> tuple[Tagged, list[dict]]:
        """One command on the selected mailbox; its FETCH items, news absorbed."""
        view = self._wire()
        result = view.conn.command(text, literal)
        fetched = view.absorb(result, results_are_updates=True)
        return result, [items for _, items in fetched]

    def _row(self, folder: str, uid: int, flags: frozenset[str], modseq: int) -> Row:
        """A Row for ``uid``: Message-ID, size and date from the mirror (read already)."""
        entry = self.server.accounts[self.user].mailboxes[folder].entries.get(uid)
        msg = entry.msg if entry else Message("", 0)
        return Row(uid, msg.mid, msg.size, flags, modseq, msg.date)

    def _updates(self) -> Updates | None:
        """The news the command's untagged responses carried, as the model's Updates."""
        if self.state != SELECTED or self.view is None:
            return None
        news: News = self.view.take_news()
        new = [self._row(self.folder, r.uid, _flags(r.flags), r.modseq) for r in news.new]
        changed = [self._row(self.folder, r.uid, _flags(r.flags), r.modseq)
                   for r in news.flags.values()]
        return Updates(new, sorted(news.expunged), sorted(changed, key=lambda r: r.uid))

    def _reply(self, value: object = None, down: int = 0, up: int = 0) -> Reply:
        return Reply(True, value, command_cost(down=down, up=up), "", "", self._updates())

    def _observe(self, cause: str) -> None:
        self.server.observe(self.user, cause, self.by)

    def _present(self) -> set[int]:
        return set(self.server.accounts[self.user].mailboxes[self.folder].entries)

    # -- commands --------------------------------------------------------------------------
    def login(self) -> Reply:
        """Start the preauthenticated process (LOGIN's one round trip); QRESYNC on."""
        if self.state != NOT_AUTH:
            raise ProtocolError("LOGIN twice")
        self.view = ImapView(self.server.install.imap(self.user))
        self.view.conn.command("ENABLE QRESYNC")
        self.state = AUTH
        return Reply(True, cost=command_cost())

    def select(self, mailbox: str, qresync: tuple[int, int] | None = None) -> Reply:
        """SELECT [(QRESYNC (uidvalidity modseq))], UIDVALIDITY translated both ways."""
        if self.state in (NOT_AUTH, LOGOUT):
            raise ProtocolError("SELECT before LOGIN")
        view = self._wire()
        text = f"SELECT {mailbox}"
        if qresync is not None:
            validity = self.mirror.to_dovecot(mailbox, qresync[0])
            text += f" (QRESYNC ({validity} {qresync[1]}))"
        result = view.conn.command(text)
        if not result.ok:
            self.state, self.folder = AUTH, ""
            view.reset("", [])
            return Reply(False, cost=command_cost(), code="NONEXISTENT")
        raw = _select_info(result)
        self.state, self.folder = SELECTED, mailbox
        search = view.conn.command("UID SEARCH ALL")
        view.reset(mailbox, [u for r in search.untagged if r[0] == b"SEARCH"
                             for u in r[1:] if isinstance(u, int)])
        info = SelectInfo(self.mirror.to_model(mailbox, raw["UIDVALIDITY"]), raw["UIDNEXT"],
                          raw["EXISTS"], raw["HIGHESTMODSEQ"], [], [])
        if qresync is None or info.uidvalidity != qresync[0]:
            return Reply(True, info, SELECT_COST)
        info.vanished = sorted(u for r in result.untagged
                               if r[0] == b"VANISHED" and len(r) > 2 for u in uid_set(r[2]))
        changed = [items for r in result.untagged if (p := fetch_items(r)) for items in [p[1]]]
        info.changed = sorted((self._row(mailbox, int(i["UID"]), flags_of(i), i["MODSEQ"][0])
                               for i in changed), key=lambda r: r.uid)
        down = SELECT_BYTES + 12 * len(info.vanished) + FLAG_ROW_BYTES * len(info.changed)
        return Reply(True, info, command_cost(down=down))

    def search_all(self) -> Reply:
        """UID SEARCH ALL."""
        self._selected()
        result, _ = self._send("UID SEARCH ALL")
        uids = sorted(u for r in result.untagged if r[0] == b"SEARCH" for u in r[1:]
                      if isinstance(u, int))
        return self._reply(uids, down=8 * len(uids))

    def search_message_id(self, mid: str) -> Reply:
        """UID SEARCH HEADER Message-ID "<mid>" (brackets: Dovecot's substring match is
        then an exact one)."""
        self._selected()
        result, _ = self._send(f'UID SEARCH HEADER Message-ID "{msgid(mid)}"')
        uids = sorted(u for r in result.untagged if r[0] == b"SEARCH" for u in r[1:]
                      if isinstance(u, int))
        return self._reply(uids, down=8 * len(uids), up=SEARCH_HEADER_BYTES + len(mid))

    def fetch_flags(self, uids: Iterable[int] | None = None, changedsince: int = 0) -> Reply:
        """UID FETCH set (FLAGS MODSEQ) [(CHANGEDSINCE m)]: the rows asked for, once each
        (Dovecot may add unsolicited FETCHes of other sessions' flag changes: news, which
        the view has taken, not results)."""
        self._selected()
        wanted = "1:*" if uids is None else uids_text(uids)
        if not wanted:
            return self._reply([])
        tail = f" (CHANGEDSINCE {changedsince})" if changedsince else ""
        _, fetched = self._send(f"UID FETCH {wanted} (FLAGS MODSEQ){tail}")
        asked = None if uids is None else set(uids)
        found: dict[int, Row] = {}  # by UID: an unsolicited FETCH may repeat one
        for i in fetched:
            uid = int(i.get("UID", 0))
            if ("FLAGS" in i and "MODSEQ" in i and (asked is None or uid in asked)
                    and i["MODSEQ"][0] > changedsince):
                found[uid] = self._row(self.folder, uid, flags_of(i), i["MODSEQ"][0])
        rows = [found[u] for u in sorted(found)]
        return self._reply(rows, down=FLAG_ROW_BYTES * len(rows))

    def fetch_new(self, after_uid: int, headers: bool = True) -> Reply:
        """UID FETCH n+1:* (UID FLAGS RFC822.SIZE ENVELOPE [BODY.PEEK[HEADER]]): the rows
        are read from Dovecot (the bytes charged are the model's)."""
        self._selected()
        _, fetched = self._send(f"UID FETCH {after_uid + 1}:* {NEW_ROW}")
        found: dict[int, Row] = {}
        for items in fetched:
            uid = int(items.get("UID", 0))
            if uid <= after_uid or "RFC822.SIZE" not in items:
                continue  # "n+1:*" names the last UID when nothing is newer; unsolicited
            header = next((v for k, v in items.items() if k.startswith("BODY[")), b"")
            msg = parse(header, int(items["RFC822.SIZE"]))
            found[uid] = Row(uid, msg.mid, msg.size, flags_of(items), items["MODSEQ"][0],
                             msg.date)
        rows = [found[u] for u in sorted(found)]
        per = ENVELOPE_BYTES + FLAG_ROW_BYTES
        down = sum(per + (min(r.size, 2_000) if headers else 0) for r in rows)
        return self._reply(rows, down=down)

    def fetch_body(self, uid: int, peek: bool = True) -> Reply:
        """UID FETCH uid BODY.PEEK[] or BODY[] (which sets \\Seen)."""
        self._selected()
        section = "BODY.PEEK[]" if peek else "BODY[]"
        result, fetched = self._send(f"UID FETCH {uid} {section}")
        body = next((i["BODY[]"] for i in fetched if isinstance(i.get("BODY[]"), bytes)), None)
        if not result.ok or body is None:
            return Reply(False, cost=command_cost(), text="no such message")
        if not peek:
            self._observe("")
        msg = parse(body.split(b"\r\n\r\n", 1)[0], len(body))
        return self._reply(msg, down=msg.size)

    def store(self, uids: Iterable[int], op: str, flags: Iterable[str]) -> Reply:
        """UID STORE set +FLAGS/-FLAGS/FLAGS (...); the rows whose flags changed."""
        self._selected()
        wanted = uids_text(uids)
        if not wanted:
            return self._reply([])
        box = self.server.accounts[self.user].mailboxes[self.folder]
        before = {u: box.entries[u].flags for u in map(int, wanted.split(","))
                  if u in box.entries}
        self._send(f"UID STORE {wanted} {STORE_OPS[op]} ({' '.join(sorted(flags))})")
        self._observe("")
        box = self.server.accounts[self.user].mailboxes[self.folder]
        changed = [self._row(self.folder, u, box.entries[u].flags, box.entries[u].modseq)
                   for u, was in before.items() if u in box.entries and box.entries[u].flags != was]
        return self._reply(changed, down=FLAG_ROW_BYTES * len(changed))

    def _transfer(self, verb: str, uids: Iterable[int], dest: str, cause: str) -> Reply:
        """UID COPY / UID MOVE: the COPYUID mapping, or NO [TRYCREATE] / [OVERQUOTA]."""
        self._selected()
        wanted = uids_text(uids)
        if not wanted:
            return self._reply({})
        result, _ = self._send(f"UID {verb} {wanted} {dest}")
        if not result.ok:
            code = result.code.split(" ", 1)[0] or "NO"
            return Reply(False, cost=command_cost(), code=code)
        self._observe(cause)
        mapping: dict[int, int] = {}
        for code in [result.code] + [_ok_code(r) for r in result.untagged]:
            if (arg := code_value(code, "COPYUID")) is not None:
                _, src, dst = arg.split()
                mapping.update(zip(uid_set(src.encode()), uid_set(dst.encode()), strict=True))
        return self._reply(mapping)

    def copy(self, uids: Iterable[int], dest: str) -> Reply:
        """UID COPY (every flag kept, \\Deleted too)."""
        return self._transfer("COPY", uids, dest, "copy")

    def move(self, uids: Iterable[int], dest: str) -> Reply:
        """UID MOVE (RFC 6851)."""
        return self._transfer("MOVE", uids, dest, "move")

    def _expunge(self, text: str) -> Reply:
        before = self._present()
        self._send(text)
        self._observe("imap-expunge")
        return self._reply(sorted(before - self._present()))

    def uid_expunge(self, uids: Iterable[int]) -> Reply:
        """UID EXPUNGE set (UIDPLUS): only the given \\Deleted UIDs go."""
        self._selected()
        wanted = uids_text(uids)
        return self._expunge(f"UID EXPUNGE {wanted}") if wanted else self._reply([])

    def expunge(self) -> Reply:
        """EXPUNGE: every \\Deleted message of the mailbox."""
        self._selected()
        return self._expunge("EXPUNGE")

    def close(self) -> Reply:
        """CLOSE: Dovecot's silent expunge, back to the authenticated state."""
        view = self._selected()
        view.conn.command("CLOSE")
        self._observe("imap-close")
        self.state, self.folder = AUTH, ""
        view.reset("", [])
        return Reply(True, cost=command_cost())

    def append(self, mailbox: str, msg: Message, flags: Iterable[str] = ()) -> Reply:
        """APPEND: APPENDUID, or NO [TRYCREATE] / [OVERQUOTA]."""
        self._wire()
        names = " ".join(sorted(flags))
        result, _ = self._send(f"APPEND {mailbox} ({names})", render(msg))
        cost = command_cost(up=msg.size)
        if not result.ok:
            code = result.code.split(" ", 1)[0] or "NO"
            return Reply(False, cost=cost, code=code)
        self._observe("append")
        arg = code_value(result.code, "APPENDUID")
        uid = int(arg.split()[1]) if arg else None
        return Reply(True, uid, cost, updates=self._updates())

    def noop(self) -> Reply:
        """NOOP: only the news."""
        if self.state == SELECTED:
            self._send("NOOP")
        return self._reply()

    def idle(self) -> Reply:
        """IDLE then DONE: the news so far (sent as NOOP, which reports the same)."""
        return self.noop()

    def logout(self) -> Reply:
        """LOGOUT: no expunge; the process ends."""
        if self.view is not None:
            self.view.conn.command("LOGOUT")
            self.server.install.close(self.view.conn.pipe)
        self.state, self.view = LOGOUT, None
        return Reply(True, cost=command_cost())

    def drop_connection(self) -> None:
        """The connection broke: Dovecot sees EOF; nothing else changes."""
        if self.view is not None:
            self.server.install.close(self.view.conn.pipe)
        self.state, self.view = LOGOUT, None


def _flags(names: tuple[str, ...]) -> frozenset[str]:
    return flags_of({"FLAGS": [n.encode() for n in names]})
