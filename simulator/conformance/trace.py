"""The trace format: steps applied both to the functional core and to Dovecot.

A trace is a name, the server settings it pins (POP3 lock, \\Seen after RETR, quota,
over-quota policy) and a list of steps:

- ``deliver(mid, size)``: a message arrives over LMTP/LDA;
- ``open_(k, "pop3" | "imap")``: session ``k`` connects (nothing is sent yet);
- ``cmd(k, name, *args)``: session ``k`` issues one command, named as in ``simulator.mail``
  (POP3: login stat uidl list retr top dele rset noop quit; IMAP: login select search_all
  fetch_flags fetch_new fetch_body store copy move uid_expunge expunge close append noop
  idle logout search_message_id);
- ``drop(k)``: the connection breaks (a POP3 session holding the lock is abandoned: the
  server keeps it, and the lock, until autologout);
- ``autologout(k)``: the server's inactivity timer ends session ``k``;
- ``quit(k)``: shorthand for the protocol's own goodbye (POP3 QUIT, IMAP LOGOUT);
- ``reset_uidvalidity(folder)``: the server loses its UID list (a restore from backup) and
  renumbers the folder under a new UIDVALIDITY. Use it only while no session is open (in
  Dovecot it deletes ``dovecot-uidlist`` and the index files under the processes' feet).

UIDs in arguments are relative to the first UID of their mailbox (1 = the first message ever
stored there). A MODSEQ argument is written ``at(i)``: the mailbox's HIGHESTMODSEQ right
after step ``i``, as a client that synchronised then would remember it (never refer to a
step before a UIDVALIDITY reset of that mailbox in CHANGEDSINCE: MODSEQs restart).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.conformance.dovecot import Settings

POP3_COMMANDS = frozenset(
    {"login", "stat", "uidl", "list", "retr", "top", "dele", "rset", "noop", "quit"}
)
IMAP_COMMANDS = frozenset(
    {
        "login", "select", "search_all", "fetch_flags", "fetch_new", "fetch_body", "store",
        "copy", "move", "uid_expunge", "expunge", "close", "append", "noop", "idle", "logout",
        "search_message_id",
    }
)  # fmt: skip


@dataclass(frozen=True)
class At:
    """A MODSEQ reference: the mailbox's HIGHESTMODSEQ right after step ``step``."""

    step: int


def at(step: int) -> At:
    """``changedsince=at(3)``: changes since the state the mailbox had after step 3."""
    return At(step)


@dataclass(frozen=True)
class Step:
    """One trace step; ``kind`` is deliver | open | cmd | drop | autologout | quit | reset."""

    kind: str
    session: int = 0
    name: str = ""
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    @property
    def options(self) -> dict[str, Any]:
        """Keyword arguments of a command."""
        return dict(self.kwargs)

    def __str__(self) -> str:
        if self.kind == "deliver":
            return f"deliver{self.args}"
        if self.kind == "open":
            return f"open(s{self.session}, {self.name})"
        if self.kind == "reset":
            return f"reset_uidvalidity({self.name})"
        if self.kind != "cmd":
            return f"{self.kind}(s{self.session})"
        parts = [repr(a) for a in self.args] + [f"{k}={v!r}" for k, v in self.kwargs]
        return f"s{self.session}.{self.name}({', '.join(parts)})"


def deliver(mid: str, size: int) -> Step:
    """A message ``mid`` of ``size`` octets arrives for the account."""
    return Step("deliver", args=(mid, size))


def open_(k: int, protocol: str) -> Step:
    """Session ``k`` connects with ``protocol`` (``pop3`` or ``imap``)."""
    if protocol not in ("pop3", "imap"):
        raise ValueError(f"unknown protocol {protocol!r}")
    return Step("open", k, protocol)


def cmd(k: int, name: str, *args: Any, **kwargs: Any) -> Step:
    """Session ``k`` issues command ``name`` with the model's arguments."""
    if name not in POP3_COMMANDS | IMAP_COMMANDS:
        raise ValueError(f"unknown command {name!r}")
    return Step("cmd", k, name, tuple(args), tuple(sorted(kwargs.items())))


def drop(k: int) -> Step:
    """Session ``k``'s connection breaks without a goodbye."""
    return Step("drop", k)


def autologout(k: int) -> Step:
    """The server's inactivity timer closes session ``k`` (rule 9)."""
    return Step("autologout", k)


def quit(k: int) -> Step:
    """Session ``k`` says goodbye: QUIT for POP3, LOGOUT for IMAP."""
    return Step("quit", k)


Expectation = tuple[int | str, str, Any]
"""(step index or ``"final"``, dotted key such as ``"updates.flags"`` or ``"INBOX"``, value)."""


def reset_uidvalidity(folder: str) -> Step:
    """The server renumbers ``folder`` under a new UIDVALIDITY (rules 5, 10)."""
    return Step("reset", name=folder)


@dataclass(frozen=True)
class Trace:
    """A named scenario: the behaviour it states, the rules it checks, the pinned settings.

    ``expect`` lists observations the trace exists to show (e.g. step 5 answers
    ``IN-USE``); they are checked on both sides, so agreement can never be vacuous.
    """

    name: str
    steps: tuple[Step, ...]
    rules: tuple[int, ...] = ()
    settings: Settings = field(default_factory=Settings)
    doc: str = ""
    expect: tuple[Expectation, ...] = ()

    def __str__(self) -> str:
        lines = [f"trace {self.name} (rules {self.rules}, {self.settings})"]
        if self.doc:
            lines.append(f"  {self.doc}")
        lines += [f"  {i:3d}  {step}" for i, step in enumerate(self.steps)]
        return "\n".join(lines)


def trace(
    name: str,
    rules: tuple[int, ...],
    doc: str,
    *steps: Step,
    expect: list[Expectation] | None = None,
    **settings: Any,
) -> Trace:
    """Build a :class:`Trace`; other keyword arguments are :class:`Settings` fields."""
    return Trace(name, tuple(steps), rules, Settings(**settings), doc, tuple(expect or ()))
