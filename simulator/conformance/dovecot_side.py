"""Apply a trace to a real Dovecot and observe it in the same normal form as the model.

Each IMAP session enables QRESYNC (so expunges arrive as UIDs) and, before every command
that runs in the selected state, sends NOOP: the model's server brings a session up to date
before it evaluates a command, Dovecot after, and both are legal (RFC 3501 §5.2, §7); with the
NOOP first the two see the same mailbox and report the same news. Dovecot sends no news
with a failed (NO/BAD) command and neither does the model, so news gathered by the NOOP of
a command that then fails stays pending for the next command. A separate "oracle"
session reads each mailbox's UIDVALIDITY and HIGHESTMODSEQ after every step (to normalise
MODSEQs) and the final state; it never selects a mailbox while the trace runs.
"""

from __future__ import annotations

from typing import Any

from simulator.conformance.dovecot import Dovecot
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
from simulator.conformance.messages import render
from simulator.conformance.model_side import uidl_row
from simulator.conformance.pop3_side import Pop3Side
from simulator.conformance.proc import ServerHung
from simulator.conformance.runner import ModSeq, Obs, Runner, flags
from simulator.conformance.trace import At, Step, Trace
from simulator.conformance.wire import Pop3Conn, Tagged
from simulator.mail.store import FOLDERS

NO_UPDATES = frozenset({"login", "select", "close", "logout"})
STORE_OPS = {"+": "+FLAGS", "-": "-FLAGS", "=": "FLAGS"}


class DovecotRunner(Runner, Pop3Side):
    """Runs a trace against a throw-away Dovecot account."""

    side = "dovecot"

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.server = Dovecot(trace.settings)
        self.oracle = self.server.imap()
        self.sessions: dict[int, ImapView | Pop3Conn | None] = {}
        self.kinds: dict[int, str] = {}
        for folder in FOLDERS:
            self.first_uid[folder] = int(self._status(folder)["UIDNEXT"])

    def _status(self, folder: str) -> dict[str, int]:
        result = self.oracle.command(f"STATUS {folder} (UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
        items = next(r[2] for r in result.untagged if r[0] == b"STATUS")
        assert isinstance(items, list)
        return {items[i].decode(): items[i + 1] for i in range(0, len(items), 2)}  # type: ignore[union-attr]

    def mailbox_state(self, folder: str) -> tuple[int, int]:
        """UIDVALIDITY and HIGHESTMODSEQ as STATUS reports them to the oracle session."""
        status = self._status(folder)
        return status["UIDVALIDITY"], status["HIGHESTMODSEQ"]

    # -- steps ---------------------------------------------------------------------------
    def apply(self, index: int, step: Step) -> Obs:
        """Dispatch one step to dovecot-lda or to a session process."""
        if step.kind == "deliver":
            return {"outcome": self.server.deliver(*step.args)}
        if step.kind == "reset":
            self.oracle.pipe.close()
            self.server.forget_uids(step.name)
            self.oracle = self.server.imap()
            return {}
        if step.kind == "open":
            self.sessions[step.session], self.kinds[step.session] = None, step.name
            return {}
        k, kind = step.session, self.kinds[step.session]
        if step.kind == "drop":
            self._end(k, silent=kind == "pop3" and self.settings.pop3_lock)
            return {}
        if step.kind == "autologout":
            self._end(k, silent=False)
            return {}
        name = step.name if step.kind == "cmd" else ("quit" if kind == "pop3" else "logout")
        if kind == "pop3":
            return self.pop3_command(k, name, step.args)
        return self._imap(k, name, step.args, step.options)

    def _end(self, k: int, silent: bool) -> None:
        """Drop session ``k``: freeze it (the server does not notice) or close its input."""
        conn = self.sessions.get(k)
        if conn is None:
            return
        if silent:
            conn.conn.pipe.freeze() if isinstance(conn, ImapView) else conn.pipe.freeze()
            return
        pipe = conn.conn.pipe if isinstance(conn, ImapView) else conn.pipe
        pipe.close(graceful=True)
        self.sessions[k] = None

    # -- IMAP ----------------------------------------------------------------------------
    def _imap(self, k: int, name: str, args: tuple[Any, ...], opts: dict[str, Any]) -> Obs:
        if name == "login":
            view = ImapView(self.server.imap())
            view.conn.command("ENABLE QRESYNC")
            self.sessions[k] = view
            return {"ok": True, "code": ""}
        view = self.sessions[k]
        assert isinstance(view, ImapView), f"session {k} is not logged in"
        folder = view.folder
        if folder and name not in ("select", "close", "logout", "noop", "idle"):
            view.absorb(view.conn.command("NOOP"), results_are_updates=True)
        obs = self._imap_command(view, name, args, opts)
        if name not in NO_UPDATES:  # a failed command carries no news; it stays pending
            news = view.take_news() if folder and obs["ok"] else News()
            obs["updates"] = self._news(folder, news)
        if name == "logout":
            view.conn.pipe.close(graceful=True)
            self.sessions[k] = None
        return obs

    def _imap_command(
        self, view: ImapView, name: str, args: tuple[Any, ...], opts: dict[str, Any]
    ) -> Obs:
        handler = getattr(self, f"_i_{name}")
        return handler(view, *args, **opts)

    def _done(self, result: Tagged, value: Any = None) -> Obs:
        obs: Obs = {"ok": result.ok, "code": "" if result.ok else _first_word(result.code)}
        if result.status == "BAD":
            obs["code"] = "BAD"
        if result.ok and value is not None:
            obs["value"] = value
        return obs

    def _i_select(self, view: ImapView, mailbox: str, qresync: At | None = None) -> Obs:
        text = f"SELECT {mailbox}"
        if qresync is not None:
            validity, modseq = self.reference(mailbox, qresync)
            text += f" (QRESYNC ({validity} {modseq}))"
        result = view.conn.command(text)
        if not result.ok:
            view.reset("", [])
            return self._done(result)
        info = _select_info(result)
        vanished = [
            u for r in result.untagged if r[0] == b"VANISHED" and len(r) > 2 for u in uid_set(r[2])
        ]  # type: ignore[arg-type]
        changed = [fetch_items(r) for r in result.untagged]
        search = view.conn.command("UID SEARCH ALL")
        uids = [u for r in search.untagged if r[0] == b"SEARCH" for u in r[1:]]
        view.reset(mailbox, [u for u in uids if isinstance(u, int)])
        return self._done(
            result,
            {
                "exists": info["EXISTS"],
                "uidnext": self.rel(mailbox, info["UIDNEXT"]),
                "uidvalidity": self.validity_index(mailbox, info["UIDVALIDITY"]),
                "highestmodseq": ModSeq(mailbox, info["HIGHESTMODSEQ"]),
                "vanished": sorted(self.rel(mailbox, u) for u in vanished),
                "changed": sorted(self._flag_row(mailbox, i) for _, i in filter(None, changed)),
            },
        )

    def _i_search_all(self, view: ImapView) -> Obs:
        result = view.conn.command("UID SEARCH ALL")
        view.absorb(result, results_are_updates=True)
        uids = [u for r in result.untagged if r[0] == b"SEARCH" for u in r[1:]]
        return self._done(result, sorted(self.rel(view.folder, u) for u in uids))  # type: ignore[arg-type]

    def _i_fetch_flags(
        self, view: ImapView, uids: list[int] | None = None, changedsince: At | None = None
    ) -> Obs:
        if uids is not None and not uids:
            return {"ok": True, "code": "", "value": []}
        wanted = "1:*" if uids is None else self._set(_box(view), uids)
        text = f"UID FETCH {wanted} (FLAGS MODSEQ)"
        if changedsince is not None:
            text += f" (CHANGEDSINCE {self.reference(_box(view), changedsince)[1]})"
        result = view.conn.command(text)
        rows = view.absorb(result, results_are_updates=False)
        return self._done(result, sorted(self._flag_row(view.folder, i) for _, i in rows))

    def _i_fetch_new(self, view: ImapView, after_uid: int) -> Obs:
        first = self.absolute(_box(view), after_uid) + 1
        result = view.conn.command(f"UID FETCH {first}:* {ROW_ITEMS}")
        rows = [i for _, i in view.absorb(result, results_are_updates=False) if i["UID"] >= first]
        return self._done(result, sorted(self._new_row(view.folder, i) for i in rows))

    def _i_fetch_body(self, view: ImapView, uid: int, peek: bool = True) -> Obs:
        section = "BODY.PEEK[]" if peek else "BODY[]"
        result = view.conn.command(f"UID FETCH {self.absolute(_box(view), uid)} {section}")
        bodies = [i.get("BODY[]") for _, i in view.absorb(result, results_are_updates=True)]
        body = next((b for b in bodies if isinstance(b, bytes)), None)
        if not result.ok:
            return self._done(result)
        if body is None:  # no such UID (or expunged): OK with no data, the model says NO
            return {"ok": False, "code": ""}
        return self._done(result, (_mid(body), len(body)))

    def _i_store(self, view: ImapView, uids: list[int], op: str, names: list[str]) -> Obs:
        if not uids:
            return {"ok": True, "code": "", "value": []}
        text = f"UID STORE {self._set(_box(view), uids)} {STORE_OPS[op]} ({' '.join(names)})"
        result = view.conn.command(text)
        rows = view.absorb(result, results_are_updates=True)
        news = {uid: row for uid, row in view.news.flags.items()}
        changed = {i["UID"] for _, i in rows if "FLAGS" in i}
        value = [self._flag_row(view.folder, _row_items(news[u])) for u in sorted(changed)]
        return self._done(result, value)

    def _i_copy(self, view: ImapView, uids: list[int], dest: str, move: bool = False) -> Obs:
        if not uids:
            return {"ok": True, "code": "", "value": []}
        verb = "MOVE" if move else "COPY"
        result = view.conn.command(f"UID {verb} {self._set(_box(view), uids)} {dest}")
        view.absorb(result, results_are_updates=True)
        codes = [result.code] + [_ok_code(r) for r in result.untagged]
        mapping: list[tuple[int, int]] = []
        for code in codes:
            if (arg := code_value(code, "COPYUID")) is not None:
                _, src, dst = arg.split()
                pairs = zip(uid_set(src.encode()), uid_set(dst.encode()), strict=True)
                mapping += [(self.rel(view.folder, s), self.rel(dest, d)) for s, d in pairs]
        return self._done(result, sorted(mapping))

    def _i_move(self, view: ImapView, uids: list[int], dest: str) -> Obs:
        return self._i_copy(view, uids, dest, move=True)

    def _i_uid_expunge(self, view: ImapView, uids: list[int]) -> Obs:
        if not uids:
            return {"ok": True, "code": "", "value": []}
        return self._expunge(view, f"UID EXPUNGE {self._set(_box(view), uids)}")

    def _i_expunge(self, view: ImapView) -> Obs:
        return self._expunge(view, "EXPUNGE")

    def _expunge(self, view: ImapView, text: str) -> Obs:
        before = len(view.news.expunged)
        result = view.conn.command(text)
        view.absorb(result, results_are_updates=True)
        gone = view.news.expunged[before:]
        return self._done(result, sorted(self.rel(view.folder, u) for u in gone))

    def _i_close(self, view: ImapView) -> Obs:
        result = view.conn.command("CLOSE")
        view.reset("", [])
        return self._done(result)

    def _i_append(
        self, view: ImapView, mailbox: str, mid: str, size: int, names: tuple[str, ...] = ()
    ) -> Obs:
        result = view.conn.command(f"APPEND {mailbox} ({' '.join(names)})", render(mid, size))
        view.absorb(result, results_are_updates=True)
        arg = code_value(result.code, "APPENDUID")
        value = self.rel(mailbox, int(arg.split()[1])) if arg else None
        return self._done(result, value)

    def _i_noop(self, view: ImapView) -> Obs:
        result = view.conn.command("NOOP")
        view.absorb(result, results_are_updates=True)
        return self._done(result)

    def _i_idle(self, view: ImapView) -> Obs:
        result = view.conn.idle()
        view.absorb(result, results_are_updates=True)
        return self._done(result)

    def _i_logout(self, view: ImapView) -> Obs:
        return self._done(view.conn.command("LOGOUT"))

    # -- normal forms --------------------------------------------------------------------
    def _set(self, folder: str, uids: list[int]) -> str:
        return ",".join(str(self.absolute(folder, u)) for u in uids)

    def _flag_row(self, folder: str, items: dict[str, Any]) -> tuple[Any, ...]:
        names = [f.decode() for f in items.get("FLAGS", [])]
        return (self.rel(folder, items["UID"]), flags(names), ModSeq(folder, items["MODSEQ"][0]))

    def _new_row(self, folder: str, items: dict[str, Any]) -> tuple[Any, ...]:
        names = [f.decode() for f in items["FLAGS"]]
        mod = ModSeq(folder, items["MODSEQ"][0])
        mid, size = header_mid(items), items["RFC822.SIZE"]
        return (self.rel(folder, items["UID"]), mid, size, flags(names), mod)

    def _news(self, folder: str, news: News) -> dict[str, Any]:
        def row(r: Row) -> tuple[Any, ...]:
            return (self.rel(folder, r.uid), flags(r.flags or ()), ModSeq(folder, r.modseq))

        return {
            "new": sorted(
                (self.rel(folder, r.uid), r.mid, r.size, flags(r.flags or ()),
                 ModSeq(folder, r.modseq))
                for r in news.new
            ),
            "expunged": sorted(self.rel(folder, u) for u in news.expunged),
            "flags": sorted(row(r) for r in news.flags.values()),
        }  # fmt: skip

    # -- end -----------------------------------------------------------------------------
    def finish(self) -> dict[str, list[tuple[Any, ...]]]:
        """End every session as autologout would (EOF), then read each folder via EXAMINE."""
        for k in list(self.sessions):
            self._end(k, silent=False)
        final = {}
        for folder in FOLDERS:
            self.oracle.command(f"EXAMINE {folder}")
            result = self.oracle.command(f"FETCH 1:* {ROW_ITEMS}")
            rows = [fetch_items(r) for r in result.untagged]
            final[folder] = [
                (self.rel(folder, i["UID"]), header_mid(i), i["RFC822.SIZE"],
                 flags(f.decode() for f in i["FLAGS"]))
                for _, i in filter(None, rows)
            ]  # fmt: skip
        return final

    def diagnostics(self) -> str:
        """Dovecot's log file."""
        return self.server.log()

    def close(self) -> None:
        """Kill remaining processes and remove the temp dir."""
        self.server.shutdown()

    # -- POP3 helper needs -----------------------------------------------------------------
    def uidl(self, n: int, text: str) -> tuple[Any, ...]:
        """A UIDL line in normal form (shared with the model side)."""
        return uidl_row(self, n, text)


def _box(view: ImapView) -> str:
    """The selected mailbox, or INBOX to number UIDs of a command Dovecot will refuse."""
    return view.folder or "INBOX"


def _select_info(result: Tagged) -> dict[str, int]:
    info: dict[str, int] = {"HIGHESTMODSEQ": 0}
    for response in result.untagged:
        if len(response) >= 2 and response[1] == b"EXISTS":
            info["EXISTS"] = response[0]  # type: ignore[assignment]
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


def _first_word(code: str) -> str:
    return code.split(" ", 1)[0]


def _mid(body: bytes) -> str | None:
    from simulator.conformance.messages import mid_of

    return mid_of(body.split(b"\r\n\r\n", 1)[0])


def _row_items(row: Row) -> dict[str, Any]:
    return {
        "UID": row.uid,
        "FLAGS": [f.encode() for f in (row.flags or ())],
        "MODSEQ": [row.modseq],
    }


__all__ = ["DovecotRunner", "ServerHung"]
