"""Apply a trace to the functional core (``simulator.mail``) and observe it in normal form."""

from __future__ import annotations

from typing import Any

from simulator.conformance.messages import body_lines
from simulator.conformance.runner import ModSeq, Obs, Runner, flags
from simulator.conformance.trace import At, Step, Trace
from simulator.mail import imap, pop3
from simulator.mail.message import Message
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.store import FOLDERS, Account, OverQuota

POP3_SIMPLE = ("login", "dele", "rset", "noop", "quit")


class ModelRunner(Runner):
    """Runs a trace against an :class:`Account` through ``Maildrop`` and ``ImapServer``."""

    side = "model"

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        s = trace.settings
        self.account = Account("user", quota=s.quota)
        self.maildrop = pop3.Maildrop(self.account, lock=s.pop3_lock, seen_on_retr=s.seen_on_retr)
        self.server = imap.ImapServer(self.account)
        self.sessions: dict[int, pop3.Session | imap.Session] = {}
        self.first_uid = dict.fromkeys(FOLDERS, 1)

    def mailbox_state(self, folder: str) -> tuple[int, int]:
        """UIDVALIDITY and HIGHESTMODSEQ straight from the store."""
        box = self.account.mailboxes[folder]
        return box.uidvalidity, box.highestmodseq

    # -- steps ---------------------------------------------------------------------------
    def apply(self, index: int, step: Step) -> Obs:
        """Dispatch one step to the store or a session."""
        if step.kind == "deliver":
            return {"outcome": self._deliver(*step.args)}
        if step.kind == "reset":
            self.account.reset_uidvalidity(step.name)
            return {}
        if step.kind == "open":
            self.sessions[step.session] = (
                self.maildrop.open() if step.name == "pop3" else self.server.connect()
            )
            return {}
        session = self.sessions[step.session]
        if step.kind == "drop":
            session.drop_connection()
            return {}
        if step.kind == "autologout":
            self._autologout(session)
            return {}
        name = step.name if step.kind == "cmd" else _goodbye(session)
        try:
            if isinstance(session, pop3.Session):
                return self._pop3(session, name, step.args)
            return self._imap(session, name, step.args, step.options)
        except ProtocolError:
            return {"ok": False, "code": "BAD"}

    def _deliver(self, mid: str, size: int) -> str:
        """LMTP delivery into INBOX; over quota it bounces or is deferred (rule 21)."""
        try:
            self.account.add("INBOX", Message(mid, size), cause="deliver")
        except OverQuota:
            return "deferred" if self.settings.tempfail else "bounced"
        return "delivered"

    def _autologout(self, session: pop3.Session | imap.Session) -> None:
        """End a session as the server's inactivity timer would."""
        if isinstance(session, pop3.Session):
            if session.state != pop3.CLOSED:
                session.autologout()
        else:
            session.drop_connection()

    # -- POP3 ----------------------------------------------------------------------------
    def _pop3(self, session: pop3.Session, name: str, args: tuple[Any, ...]) -> Obs:
        """Run a POP3 command on the model and observe it like the Dovecot side does."""
        reply: Reply = getattr(session, name)(*args)
        obs: Obs = {"ok": reply.ok, "code": reply.code}
        if not reply.ok or name in POP3_SIMPLE:
            return obs
        if name == "stat":
            obs["value"] = tuple(reply.value)
        elif name == "list":
            obs["value"] = [tuple(r) for r in reply.value]
        elif name == "uidl":
            obs["value"] = [self._uidl(n, text) for n, text in reply.value]
        elif name == "retr":
            obs["value"] = (reply.value.mid, reply.value.size)
        elif name == "top":
            msg = reply.value
            obs["value"] = (msg.mid, min(args[1], body_lines(msg.size, msg.mid)))
        return obs

    def _uidl(self, n: int, text: str) -> tuple[Any, ...]:
        """A UIDL line in normal form."""
        return uidl_row(self, n, text)

    # -- IMAP ----------------------------------------------------------------------------
    def _imap(
        self, session: imap.Session, name: str, args: tuple[Any, ...], opts: dict[str, Any]
    ) -> Obs:
        """Run an IMAP command on the model; protocol errors are observed as BAD."""
        folder = session.box.name if session.box is not None else ""
        try:
            reply = self._call_imap(session, name, args, opts)
        except ProtocolError:  # Dovecot answers BAD
            reply = Reply(False, code="BAD")
        obs: Obs = {"ok": reply.ok, "code": reply.code}
        if reply.ok:
            value = self._imap_value(name, folder, args, reply.value)
            if value is not None:
                obs["value"] = value
        if name not in ("login", "select", "close", "logout"):
            obs["updates"] = self._updates(folder, reply.updates)
        return obs

    def _call_imap(
        self, session: imap.Session, name: str, args: tuple[Any, ...], opts: dict[str, Any]
    ) -> Reply:
        """Call the session method, resolving ``at(i)`` references and messages."""
        if name == "select":
            ref = opts.get("qresync")
            qresync = self.reference(args[0], ref) if isinstance(ref, At) else None
            return session.select(args[0], qresync=qresync)
        if name == "fetch_flags":
            since = opts.get("changedsince")
            folder = session.box.name if session.box is not None else "INBOX"
            since_value = self.reference(folder, since)[1] if since else 0
            return session.fetch_flags(opts.get("uids"), changedsince=since_value)
        if name == "append":
            mailbox, mid, size, *rest = args
            return session.append(mailbox, Message(mid, size), *rest)
        if name == "fetch_body":
            return session.fetch_body(args[0], peek=opts.get("peek", True))
        return getattr(session, name)(*args)

    def _imap_value(self, name: str, folder: str, args: tuple[Any, ...], value: Any) -> Any:
        """The normal form of a successful reply's value, per command."""
        if name == "select":
            return self._select_info(args[0], value)
        if name in ("search_all", "search_message_id"):
            return sorted(self.rel(folder, u) for u in value)
        if name in ("fetch_flags", "store"):
            return sorted(self._flag_row(folder, r) for r in value)
        if name == "fetch_new":
            return sorted(self._new_row(folder, r) for r in value)
        if name == "fetch_body":
            return (value.mid, value.size)
        if name in ("copy", "move"):
            dest = args[1]
            return sorted((self.rel(folder, s), self.rel(dest, d)) for s, d in value.items())
        if name in ("uid_expunge", "expunge"):
            return sorted(self.rel(folder, u) for u in value)
        if name == "append":
            return self.rel(args[0], value)
        return None

    def _select_info(self, folder: str, info: imap.SelectInfo) -> dict[str, Any]:
        """SELECT data in normal form."""
        return {
            "exists": info.exists,
            "uidnext": self.rel(folder, info.uidnext),
            "uidvalidity": self.validity_index(folder, info.uidvalidity),
            "highestmodseq": ModSeq(folder, info.highestmodseq),
            "vanished": sorted(self.rel(folder, u) for u in info.vanished),
            "changed": sorted(self._flag_row(folder, r) for r in info.changed),
        }

    def _flag_row(self, folder: str, r: imap.Row) -> tuple[Any, ...]:
        """(UID, flags, MODSEQ) of a row."""
        return (self.rel(folder, r.uid), flags(r.flags), ModSeq(folder, r.modseq))

    def _new_row(self, folder: str, r: imap.Row) -> tuple[Any, ...]:
        """(UID, mid, size, flags, MODSEQ) of a row."""
        return (self.rel(folder, r.uid), r.mid, r.size, flags(r.flags), ModSeq(folder, r.modseq))

    def _updates(self, folder: str, updates: imap.Updates | None) -> dict[str, Any]:
        """``Reply.updates`` in normal form (None = no news)."""
        if updates is None:
            return {"new": [], "expunged": [], "flags": []}
        new = sorted(self._new_row(folder, r) for r in updates.new)
        return {
            "new": new,
            "expunged": sorted(self.rel(folder, u) for u in updates.expunged),
            "flags": sorted(self._flag_row(folder, r) for r in updates.flags),
        }

    # -- end -----------------------------------------------------------------------------
    def finish(self) -> dict[str, list[tuple[Any, ...]]]:
        """Autologout every session still open, then list every folder's messages."""
        for session in self.sessions.values():
            self._autologout(session)
        return {
            folder: [
                (self.rel(folder, e.uid), e.msg.mid, e.msg.size, flags(e.flags))
                for e in self.account.mailboxes[folder].entries.values()
            ]
            for folder in FOLDERS
        }


def uidl_row(runner: Runner, n: int, text: str) -> tuple[Any, ...]:
    """A UIDL line in normal form: (n, relative UID, UIDVALIDITY index, digits' case).

    Both sides use Dovecot's default format ``%08Xu%08Xv``; anything else is kept raw.
    """
    if len(text) != 16 or any(c not in "0123456789abcdefABCDEF" for c in text):
        return (n, text)
    uid, validity = int(text[:8], 16), int(text[8:], 16)
    case = "lower" if text == text.lower() else "upper"
    return (n, runner.rel("INBOX", uid), runner.validity_index("INBOX", validity), case)


def _goodbye(session: pop3.Session | imap.Session) -> str:
    """The protocol's goodbye command for a ``quit(k)`` step."""
    return "quit" if isinstance(session, pop3.Session) else "logout"
