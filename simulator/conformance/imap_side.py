"""IMAP commands of a trace against Dovecot's ``imap`` process, in normal form.

Each session enables QRESYNC (so expunges arrive as UIDs) and, before every command that
runs in the selected state, sends NOOP: the model's server brings a session up to date before
it evaluates a command, Dovecot after, and both are legal (RFC 3501 §5.2, §7); with the NOOP
first the two see the same mailbox and report the same news. Dovecot sends no news with a
failed (NO/BAD) command and neither does the model, so news gathered by the NOOP of a command
that then fails stays pending for the next command.
"""

from __future__ import annotations

from typing import Any

from simulator.conformance.imap_view import (
    ROW_ITEMS,
    ImapView,
    News,
    Row,
    code_value,
    fetch_items,
    header_mid,
    uid_set,
)
from simulator.conformance.messages import mid_of, msgid, render
from simulator.conformance.proc import ServerHung
from simulator.conformance.runner import ModSeq, Obs, flags
from simulator.conformance.trace import At
from simulator.conformance.wire import Tagged

NO_UPDATES = frozenset({"login", "select", "close", "logout"})
"""Commands whose reply carries no news in the model (they change or leave the selection)."""
NO_PREFIX = frozenset({"select", "close", "logout", "noop", "idle"})
"""Commands not preceded by the harness's NOOP (they reset the view or are NOOP already)."""
STORE_OPS = {"+": "+FLAGS", "-": "-FLAGS", "=": "FLAGS"}


class ImapSide:
    """Mixin for the Dovecot runner: IMAP sessions are :class:`ImapView` in ``sessions``.

    Relies on the runner's ``server``, ``sessions``, ``rel``, ``absolute``, ``reference`` and
    ``validity_index``.
    """

    server: Any
    sessions: dict[int, Any]

    def imap_command(self, k: int, name: str, args: tuple[Any, ...], opts: dict[str, Any]) -> Obs:
        """Run one IMAP command of session ``k`` and observe it, news included."""
        if name == "login":
            view = ImapView(self.server.imap())
            view.conn.command("ENABLE QRESYNC")
            self.sessions[k] = view
            return {"ok": True, "code": ""}
        view = self.sessions[k]
        assert isinstance(view, ImapView), f"session {k} is not logged in"
        try:
            return self._imap_command(view, k, name, args, opts)
        except ServerHung:
            if not view.conn.pipe.ended:
                raise
            self.sessions[k] = None  # "* BYE ...": Dovecot ended the session itself
            obs: Obs = {"ok": False, "code": "BYE"}
            if name not in NO_UPDATES:
                obs["updates"] = self._news(view.folder, News())
            return obs

    def _imap_command(
        self, view: ImapView, k: int, name: str, args: tuple[Any, ...], opts: dict[str, Any]
    ) -> Obs:
        """One command on a live session (see :meth:`imap_command`)."""
        folder = view.folder
        if folder and name not in NO_PREFIX:
            view.absorb(view.conn.command("NOOP"), results_are_updates=True)
        obs = getattr(self, f"_i_{name}")(view, *args, **opts)
        if name not in NO_UPDATES:  # a failed command carries no news; it stays pending
            news = view.take_news() if folder and obs["ok"] else News()
            obs["updates"] = self._news(folder, news)
        if name == "logout":
            view.conn.pipe.close(graceful=True)
            self.sessions[k] = None
        return obs

    # -- one handler per model command -----------------------------------------------------
    def _i_select(self, view: ImapView, mailbox: str, qresync: At | None = None) -> Obs:
        """SELECT [QRESYNC]: mailbox data, VANISHED (EARLIER) and changed rows."""
        text = f"SELECT {mailbox}"
        if qresync is not None:
            validity, modseq = self.reference(mailbox, qresync)
            text += f" (QRESYNC ({validity} {modseq}))"
        result = view.conn.command(text)
        if not result.ok:
            view.reset("", [])
            return _done(result)
        info = _select_info(result)
        vanished = [
            u for r in result.untagged if r[0] == b"VANISHED" and len(r) > 2 for u in uid_set(r[2])
        ]
        changed = [parsed[1] for r in result.untagged if (parsed := fetch_items(r))]
        view.reset(mailbox, self._all_uids(view))
        return _done(result, {
            "exists": info["EXISTS"],
            "uidnext": self.rel(mailbox, info["UIDNEXT"]),
            "uidvalidity": self.validity_index(mailbox, info["UIDVALIDITY"]),
            "highestmodseq": ModSeq(mailbox, info["HIGHESTMODSEQ"]),
            "vanished": sorted(self.rel(mailbox, u) for u in vanished),
            "changed": sorted(self._flag_row(mailbox, i) for i in changed),
        })  # fmt: skip

    def _all_uids(self, view: ImapView) -> list[int]:
        """The UIDs of the just-selected mailbox in sequence order (for the sequence map)."""
        search = view.conn.command("UID SEARCH ALL")
        return [
            u for r in search.untagged if r[0] == b"SEARCH" for u in r[1:] if isinstance(u, int)
        ]

    def _i_search_all(self, view: ImapView) -> Obs:
        """UID SEARCH ALL."""
        result = view.conn.command("UID SEARCH ALL")
        view.absorb(result, results_are_updates=True)
        uids = [u for r in result.untagged if r[0] == b"SEARCH" for u in r[1:]]
        return _done(result, sorted(self.rel(view.folder, u) for u in uids))

    def _i_search_message_id(self, view: ImapView, mid: str) -> Obs:
        """UID SEARCH HEADER Message-ID "<mid>" (the angle brackets make the substring
        match Dovecot does an exact one)."""
        result = view.conn.command(f'UID SEARCH HEADER Message-ID "{msgid(mid)}"')
        view.absorb(result, results_are_updates=True)
        uids = [u for r in result.untagged if r[0] == b"SEARCH" for u in r[1:]]
        return _done(result, sorted(self.rel(view.folder, u) for u in uids))

    def _i_fetch_flags(
        self, view: ImapView, uids: list[int] | None = None, changedsince: At | None = None
    ) -> Obs:
        """UID FETCH set (FLAGS MODSEQ) [(CHANGEDSINCE m)]; the rows are results, not news."""
        if uids is not None and not uids:
            return {"ok": True, "code": "", "value": []}
        wanted = "1:*" if uids is None else self._set(_box(view), uids)
        text = f"UID FETCH {wanted} (FLAGS MODSEQ)"
        if changedsince is not None:
            modseq = self.reference(_box(view), changedsince)[1]
            text += f" (CHANGEDSINCE {modseq})"
        result = view.conn.command(text)
        rows = view.absorb(result, results_are_updates=False)
        return _done(result, sorted(self._flag_row(view.folder, i) for _, i in rows))

    def _i_fetch_new(self, view: ImapView, after_uid: int) -> Obs:
        """UID FETCH n+1:* with envelope data; ``n+1:*`` may return UID n, which is dropped."""
        first = self.absolute(_box(view), after_uid) + 1
        result = view.conn.command(f"UID FETCH {first}:* {ROW_ITEMS}")
        rows = [i for _, i in view.absorb(result, results_are_updates=False) if i["UID"] >= first]
        return _done(result, sorted(self._new_row(view.folder, i) for i in rows))

    def _i_fetch_body(self, view: ImapView, uid: int, peek: bool = True) -> Obs:
        """UID FETCH uid BODY[] or BODY.PEEK[]; an implicit \\Seen arrives as news."""
        section = "BODY.PEEK[]" if peek else "BODY[]"
        absolute = self.absolute(_box(view), uid)
        result = view.conn.command(f"UID FETCH {absolute} {section}")
        bodies = [i.get("BODY[]") for _, i in view.absorb(result, results_are_updates=True)]
        body = next((b for b in bodies if isinstance(b, bytes)), None)
        if not result.ok:
            return _done(result)
        if body is None:  # no such UID (or expunged): OK with no data, the model says NO
            return {"ok": False, "code": ""}
        return _done(result, (mid_of(body.split(b"\r\n\r\n", 1)[0]), len(body)))

    def _i_store(self, view: ImapView, uids: list[int], op: str, names: list[str]) -> Obs:
        """UID STORE: the changed rows are both the result and news (as in the model)."""
        if not uids:
            return {"ok": True, "code": "", "value": []}
        text = f"UID STORE {self._set(_box(view), uids)} {STORE_OPS[op]} ({' '.join(names)})"
        result = view.conn.command(text)
        rows = view.absorb(result, results_are_updates=True)
        changed = sorted({i["UID"] for _, i in rows if "FLAGS" in i})
        value = [self._flag_row(view.folder, _row_items(view.news.flags[u])) for u in changed]
        return _done(result, value)

    def _i_copy(self, view: ImapView, uids: list[int], dest: str, move: bool = False) -> Obs:
        """UID COPY / UID MOVE: the COPYUID mapping, relative on both ends."""
        if not uids:
            return {"ok": True, "code": "", "value": []}
        verb = "MOVE" if move else "COPY"
        result = view.conn.command(f"UID {verb} {self._set(_box(view), uids)} {dest}")
        view.absorb(result, results_are_updates=True)
        mapping: list[tuple[int, int]] = []
        for code in [result.code] + [_ok_code(r) for r in result.untagged]:
            if (arg := code_value(code, "COPYUID")) is not None:
                _, src, dst = arg.split()
                pairs = zip(uid_set(src.encode()), uid_set(dst.encode()), strict=True)
                mapping += [(self.rel(view.folder, s), self.rel(dest, d)) for s, d in pairs]
        return _done(result, sorted(mapping))

    def _i_move(self, view: ImapView, uids: list[int], dest: str) -> Obs:
        """UID MOVE (RFC 6851)."""
        return self._i_copy(view, uids, dest, move=True)

    def _i_uid_expunge(self, view: ImapView, uids: list[int]) -> Obs:
        """UID EXPUNGE set (UIDPLUS)."""
        if not uids:
            return {"ok": True, "code": "", "value": []}
        return self._expunge(view, f"UID EXPUNGE {self._set(_box(view), uids)}")

    def _i_expunge(self, view: ImapView) -> Obs:
        """EXPUNGE."""
        return self._expunge(view, "EXPUNGE")

    def _expunge(self, view: ImapView, text: str) -> Obs:
        """An expunge command; its value is the UIDs that VANISHED during it (the NOOP before
        it drained other sessions' expunges), announced-but-unfetched messages included."""
        result = view.conn.command(text)
        view.absorb(result, results_are_updates=True)
        gone = [
            uid
            for r in result.untagged
            if r[0] == b"VANISHED" and not isinstance(r[1], list)
            for uid in uid_set(r[1])
        ]
        return _done(result, sorted(self.rel(view.folder, u) for u in gone))

    def _i_close(self, view: ImapView) -> Obs:
        """CLOSE: silent expunge, back to the authenticated state."""
        result = view.conn.command("CLOSE")
        view.reset("", [])
        return _done(result)

    def _i_append(
        self, view: ImapView, mailbox: str, mid: str, size: int, names: tuple[str, ...] = ()
    ) -> Obs:
        """APPEND of a rendered message; the value is the APPENDUID, relative."""
        result = view.conn.command(f"APPEND {mailbox} ({' '.join(names)})", render(mid, size))
        view.absorb(result, results_are_updates=True)
        arg = code_value(result.code, "APPENDUID")
        value = self.rel(mailbox, int(arg.split()[1])) if arg else None
        return _done(result, value)

    def _i_noop(self, view: ImapView) -> Obs:
        """NOOP: only news."""
        result = view.conn.command("NOOP")
        view.absorb(result, results_are_updates=True)
        return _done(result)

    def _i_idle(self, view: ImapView) -> Obs:
        """IDLE, then DONE at once: the news pushed meanwhile."""
        result = view.conn.idle()
        view.absorb(result, results_are_updates=True)
        return _done(result)

    def _i_logout(self, view: ImapView) -> Obs:
        """LOGOUT (the process is closed by the caller)."""
        return _done(view.conn.command("LOGOUT"))

    # -- normal forms ----------------------------------------------------------------------
    def _set(self, folder: str, uids: list[int]) -> str:
        """An IMAP UID set for relative ``uids``."""
        return ",".join(str(self.absolute(folder, u)) for u in uids)

    def _flag_row(self, folder: str, items: dict[str, Any]) -> tuple[Any, ...]:
        """(UID, flags, MODSEQ) of a FETCH response."""
        names = [f.decode() for f in items.get("FLAGS", [])]
        uid = self.rel(folder, items["UID"])
        return (uid, flags(names), ModSeq(folder, items["MODSEQ"][0]))

    def _new_row(self, folder: str, items: dict[str, Any]) -> tuple[Any, ...]:
        """(UID, mid, size, flags, MODSEQ) of a FETCH of a new message."""
        names = [f.decode() for f in items["FLAGS"]]
        uid = self.rel(folder, items["UID"])
        mod = ModSeq(folder, items["MODSEQ"][0])
        return (uid, header_mid(items), items["RFC822.SIZE"], flags(names), mod)

    def _news(self, folder: str, news: News) -> dict[str, Any]:
        """The model's ``Updates`` in normal form."""
        rel = self.rel
        return {
            "new": sorted(
                (rel(folder, r.uid), r.mid, r.size, flags(r.flags), ModSeq(folder, r.modseq))
                for r in news.new
            ),
            "expunged": sorted(rel(folder, u) for u in news.expunged),
            "flags": sorted(
                (rel(folder, r.uid), flags(r.flags), ModSeq(folder, r.modseq))
                for r in news.flags.values()
            ),
        }


def _box(view: ImapView) -> str:
    """The selected mailbox, or INBOX to number UIDs of a command Dovecot will refuse."""
    return view.folder or "INBOX"


def _done(result: Tagged, value: Any = None) -> Obs:
    """ok, response code (``BAD`` for protocol errors) and, on success, the value."""
    obs: Obs = {"ok": result.ok, "code": "" if result.ok else result.code.split(" ", 1)[0]}
    if result.status == "BAD":
        obs["code"] = "BAD"
    if result.ok and value is not None:
        obs["value"] = value
    return obs


def _select_info(result: Tagged) -> dict[str, int]:
    """EXISTS, UIDVALIDITY, UIDNEXT and HIGHESTMODSEQ from a SELECT's untagged responses."""
    info: dict[str, int] = {"HIGHESTMODSEQ": 0}
    for response in result.untagged:
        if len(response) >= 2 and response[1] == b"EXISTS":
            info["EXISTS"] = response[0]
        code = _ok_code(response)
        for name in ("UIDVALIDITY", "UIDNEXT", "HIGHESTMODSEQ"):
            if (arg := code_value(code, name)) is not None:
                info[name] = int(arg)
    return info


def _ok_code(response: list[Any]) -> str:
    """The ``[CODE args]`` of an untagged OK response, without brackets."""
    if len(response) >= 2 and response[0] == b"OK" and isinstance(response[1], bytes):
        text = response[1].decode()
        if text.startswith("["):
            return text[1:].split("]", 1)[0]
    return ""


def _row_items(row: Row) -> dict[str, Any]:
    """A news row back in FETCH-item form (for STORE's result rows)."""
    return {"UID": row.uid, "FLAGS": [f.encode() for f in row.flags], "MODSEQ": [row.modseq]}
