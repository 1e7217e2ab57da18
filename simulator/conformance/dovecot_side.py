"""Apply a trace to a real Dovecot and observe it in the same normal form as the model.

Sessions are processes (IMAP commands in imap_side.py, POP3 in pop3_side.py); deliveries go
through dovecot-lda. A separate "oracle" IMAP session reads each mailbox's UIDVALIDITY and
HIGHESTMODSEQ after every step (to normalise MODSEQs) and the final state; it never selects
a mailbox while the trace runs, so it tells no other session anything.
"""

from __future__ import annotations

from typing import Any

from simulator.conformance.dovecot import Dovecot
from simulator.conformance.imap_side import ImapSide
from simulator.conformance.imap_view import ROW_ITEMS, ImapView, fetch_items, header_mid
from simulator.conformance.model_side import uidl_row
from simulator.conformance.pop3_side import Pop3Side
from simulator.conformance.proc import ServerHung
from simulator.conformance.runner import Obs, Runner, flags
from simulator.conformance.trace import Step, Trace
from simulator.conformance.wire import Pop3Conn
from simulator.mail.store import FOLDERS


class DovecotRunner(Runner, ImapSide, Pop3Side):
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
        """The oracle's STATUS of ``folder``: UIDNEXT, UIDVALIDITY, HIGHESTMODSEQ."""
        result = self.oracle.command(f"STATUS {folder} (UIDNEXT UIDVALIDITY HIGHESTMODSEQ)")
        items = next(r[2] for r in result.untagged if r[0] == b"STATUS")
        assert isinstance(items, list)
        return {items[i].decode(): items[i + 1] for i in range(0, len(items), 2)}

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
            self.oracle.command(f"EXAMINE {step.name} (CONDSTORE)")  # renumber and track now
            self.oracle.command("UNSELECT")
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
        return self.imap_command(k, name, step.args, step.options)

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


__all__ = ["DovecotRunner", "ServerHung"]
