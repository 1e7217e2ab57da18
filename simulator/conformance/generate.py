"""Hypothesis strategy for random, bounded, well-formed traces.

Every generated trace is valid protocol usage (sessions log in right after connecting, IMAP
commands that need a mailbox mostly come after SELECT, nothing is sent on a closed session),
so any disagreement it finds is a difference in semantics, not in error handling. Sizes are
small on purpose: few sessions, few messages, UIDs drawn near the ones that exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st
from hypothesis.strategies import DrawFn

from simulator.conformance.dovecot import Settings
from simulator.conformance.trace import (
    Step,
    Trace,
    at,
    autologout,
    cmd,
    deliver,
    drop,
    open_,
    reset_uidvalidity,
)
from simulator.mail.store import ANSWERED, DELETED, DRAFT, FLAGGED, SEEN

FLAGS = (SEEN, FLAGGED, ANSWERED, DELETED, DRAFT)
FOLDERS = ("INBOX", "INBOX", "INBOX", "Trash", "Archive", "Sent")
SIZES = (250, 300, 450, 700)


@dataclass
class _Session:
    """What the generator knows of one session: protocol and coarse state."""

    protocol: str
    state: str = "live"  # live | selected | abandoned | closed
    folder: str = ""


@dataclass
class _Builder:
    """Accumulates steps while tracking just enough state to stay well-formed."""

    settings: Settings
    max_sessions: int
    steps: list[Step] = field(default_factory=list)
    sessions: dict[int, _Session] = field(default_factory=dict)
    messages: int = 0
    reset_at: int = 0  # index of the UIDVALIDITY reset step, 0 if none

    def mid(self) -> str:
        """A fresh mid for a delivered or appended message (every message gets a new one)."""
        self.messages += 1
        return f"r{self.messages}"

    def pop3_allowed(self) -> bool:
        """With the lock, one POP3 session per trace (a refused login waits 10 s in Dovecot)."""
        used = any(s.protocol == "pop3" for s in self.sessions.values())
        return not (self.settings.pop3_lock and used)

    def uids(self, draw: DrawFn) -> list[int]:
        """1-3 UIDs near the ones that exist (so most commands hit real messages)."""
        top = max(1, min(self.messages, 8) + 1)
        return draw(st.lists(st.integers(1, top), min_size=1, max_size=3, unique=True))

    def flags(self, draw: DrawFn) -> list[str]:
        """1-2 system flags."""
        return draw(st.lists(st.sampled_from(FLAGS), min_size=1, max_size=2, unique=True))

    def ref(self, draw: DrawFn) -> object:
        """A MODSEQ reference to an earlier step (for CHANGEDSINCE / QRESYNC).

        Never from before a UIDVALIDITY reset: a MODSEQ means nothing across one.
        """
        return at(draw(st.integers(self.reset_at, len(self.steps) - 1)))

    # -- one step ------------------------------------------------------------------------
    def step(self, draw: DrawFn) -> None:
        """Append one random step: a delivery, a new session, or a command of a live one."""
        live = [k for k, s in self.sessions.items() if s.state != "closed"]
        choices = live * 4 + ["open"] * (len(self.sessions) < self.max_sessions) + ["deliver"]
        if not live and self.sessions and not self.reset_at:
            choices.append("reset")  # once, and only while no session is open (see trace.py)
        choice = draw(st.sampled_from(choices))
        if choice == "reset":
            self.reset_at = len(self.steps)
            self.steps.append(reset_uidvalidity(draw(st.sampled_from(FOLDERS))))
        elif choice == "deliver":
            self.steps.append(deliver(self.mid(), draw(st.sampled_from(SIZES))))
        elif choice == "open":
            self._open(draw)
        else:
            session = self.sessions[choice]
            make = self._pop3 if session.protocol == "pop3" else self._imap
            self.steps.append(make(draw, choice, session))

    def _open(self, draw: DrawFn) -> None:
        """Open a session and log it in (IMAP sessions often select INBOX straight away)."""
        k = len(self.sessions) + 1
        protocols = ["imap", "pop3"] if self.pop3_allowed() else ["imap"]
        protocol = draw(st.sampled_from(protocols))
        self.sessions[k] = _Session(protocol)
        self.steps += [open_(k, protocol), cmd(k, "login")]
        if protocol == "imap" and draw(st.booleans()):
            self.sessions[k].state, self.sessions[k].folder = "selected", "INBOX"
            self.steps.append(cmd(k, "select", "INBOX"))

    def _pop3(self, draw: DrawFn, k: int, s: _Session) -> Step:
        """A POP3 command valid in TRANSACTION, or the goodbye/drop/autologout."""
        if s.state == "abandoned":
            s.state = "closed"
            return autologout(k)
        n = st.integers(1, max(1, self.messages + 1))
        name = draw(
            st.sampled_from(
                ["stat", "uidl", "list", "retr", "retr", "top", "dele", "dele", "rset", "noop",
                 "quit", "drop"]
            )
        )  # fmt: skip
        if name in ("quit", "drop"):
            s.state = "abandoned" if name == "drop" and self.settings.pop3_lock else "closed"
            return cmd(k, "quit") if name == "quit" else drop(k)
        if name in ("retr", "dele"):
            return cmd(k, name, draw(n))
        if name == "top":
            return cmd(k, "top", draw(n), draw(st.integers(0, 3)))
        return cmd(k, name)

    def _imap(self, draw: DrawFn, k: int, s: _Session) -> Step:
        """Pick an IMAP command that suits the session's state."""
        names = []
        if s.state == "selected":
            names += [
                "store", "store", "store", "fetch_flags", "fetch_flags", "fetch_new",
                "fetch_body", "copy", "move", "uid_expunge", "expunge", "expunge", "close",
                "search_all", "search_message_id", "idle",
            ]  # fmt: skip
        else:
            names += ["select", "select", "fetch_flags"]  # a protocol error (BAD) now and then
        names += ["select", "append", "noop", "logout", "drop"]
        name = draw(st.sampled_from(names))
        return self._imap_step(draw, k, s, name)

    def _imap_step(self, draw: DrawFn, k: int, s: _Session, name: str) -> Step:
        """Build the chosen IMAP command with plausible arguments."""
        if name in ("logout", "drop"):
            s.state = "closed"
            return cmd(k, "logout") if name == "logout" else drop(k)
        if name == "select":
            folder = draw(st.sampled_from((*FOLDERS, "Nowhere")))
            s.state, s.folder = ("selected", folder) if folder != "Nowhere" else ("live", "")
            if folder != "Nowhere" and draw(st.booleans()):
                return cmd(k, "select", folder, qresync=self.ref(draw))
            return cmd(k, "select", folder)
        if name == "close":
            s.state, s.folder = "live", ""
            return cmd(k, "close")
        if name == "append":
            folder = draw(st.sampled_from(FOLDERS))
            size = draw(st.sampled_from(SIZES))
            names = draw(st.lists(st.sampled_from(FLAGS), max_size=2, unique=True))
            return cmd(k, "append", folder, self.mid(), size, names)
        if name == "fetch_flags":
            if draw(st.booleans()):
                return cmd(k, "fetch_flags", changedsince=self.ref(draw))
            return cmd(k, "fetch_flags")
        if name == "fetch_new":
            return cmd(k, "fetch_new", draw(st.integers(0, self.messages)))
        if name == "fetch_body":
            return cmd(k, "fetch_body", self.uids(draw)[0], peek=draw(st.booleans()))
        if name == "store":
            op = draw(st.sampled_from("++-="))
            return cmd(k, "store", self.uids(draw), op, self.flags(draw))
        if name in ("copy", "move"):
            self.messages += 1  # copies get new UIDs
            return cmd(k, name, self.uids(draw), draw(st.sampled_from(FOLDERS)))
        if name == "search_message_id":
            return cmd(k, name, f"r{draw(st.integers(1, max(1, self.messages)))}")
        if name == "uid_expunge":
            return cmd(k, "uid_expunge", self.uids(draw))
        return cmd(k, name)


@st.composite
def traces(draw: DrawFn, max_steps: int = 25, max_sessions: int = 3) -> Trace:
    """A random well-formed trace of at most ``max_steps`` steps and ``max_sessions`` sessions."""
    quota = draw(st.sampled_from((None, None, 1500, 2500)))
    settings = Settings(
        pop3_lock=draw(st.booleans()),
        seen_on_retr=draw(st.booleans()),
        quota=quota,
        tempfail=bool(quota) and draw(st.booleans()),
    )
    builder = _Builder(settings, max_sessions)
    builder.steps.append(deliver(builder.mid(), draw(st.sampled_from(SIZES))))
    target = draw(st.integers(min(10, max_steps), max_steps))
    while len(builder.steps) < target:
        builder.step(draw)
    return Trace("random", tuple(builder.steps[:max_steps]), (), settings)
