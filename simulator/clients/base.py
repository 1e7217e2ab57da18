"""The interface every mail client implements, built-in or the user's own.

A client keeps a :class:`LocalStore` (what the person sees on the device) and exposes its
sync logic as a generator of protocol commands: ``reply = yield conn.select("INBOX")``. The
world runs the generator against a server session, charges each command's cost in time,
and may throw :class:`ConnectionLost` into it at any ``yield``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final, NamedTuple

from mypy_extensions import mypyc_attr

from simulator.clients.parts import Store
from simulator.mail.message import Message
from simulator.mail.reply import ProtocolError, Reply
from simulator.mail.smtp import Submission
from simulator.mail.store import ANSWERED, FLAGGED, SEEN

if TYPE_CHECKING:
    from simulator.scenario.devices import ClientSettings


class ConnectionLost(Exception):
    """The connection broke before the reply to the last command arrived."""


class Cmd(NamedTuple):
    """One protocol command: the session method to call and its arguments (an immutable
    named tuple, quicker to build than a frozen dataclass; one is built per command)."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: Mapping[str, Any] = MappingProxyType({})


@mypyc_attr(native_class=False)
class Conn:
    """Builds commands: ``conn.uidl()`` is ``Cmd("uidl")``. It performs nothing itself."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        build = _builder(name)
        setattr(self, name, build)  # a builder depends on the name only: later look-ups skip this
        return build


_new: Final = tuple.__new__
"""A named tuple's own ``__new__`` is a Python function that calls this with its fields."""


_CMD: Final = Cmd  # Final: compiled code reads a C static, not a dict


def _builder(name: str) -> Callable[..., Cmd]:
    """A function building ``Cmd(name, ...)`` from a call's arguments."""

    def build(*args: Any, **kwargs: Any) -> Cmd:
        return _new(_CMD, (name, args, kwargs))  # Cmd(name, args, kwargs) less a Python call

    return build


SyncGen = Generator[Cmd, Reply, Any]
"""A sync: yields commands, receives replies, may return a value (StopIteration.value)."""


def execute(cmd: Cmd, session: Any, submission: Submission, protocol: str) -> Reply:
    """Carry out ``cmd`` on a ``protocol`` session, or hand mail to SMTP submission (the one
    place a command meets the server); raises ProtocolError for no such command."""
    name = cmd.name
    if name == "smtp_send":
        return submission.send(*cmd.args, **cmd.kwargs)
    method = getattr(session, name, None)
    if method is None or name.startswith("_"):
        raise ProtocolError(f"no such {protocol} command {name!r}")
    return method(*cmd.args, **cmd.kwargs) if cmd.kwargs else method(*cmd.args)


@mypyc_attr(allow_interpreted_subclasses=True)
class Client(ABC):
    """Sync logic of one device. Subclass it (or a built-in) and name it in a scenario as
    ``client: {class: "package.module:MyClient"}`` to test your own algorithm."""

    protocol: ClassVar[str]
    runs_program: ClassVar[bool] = False
    """Whether the client is a real program the world runs as a whole at each sync
    (:mod:`simulator.external.client`) rather than a generator of commands."""
    merges_accounts: ClassVar[bool] = False
    """Whether the client files mail into local folders that several accounts can share (a
    POP3 client's one local Inbox, claim P8), rather than mirroring each server's folders."""

    def __init__(self, device: str, settings: ClientSettings, store: Store) -> None:
        self.device = device
        self.settings = settings
        self.store = store

    # -- what the world asks -------------------------------------------------------------
    @property
    def stays_connected(self) -> bool:
        """Whether the session stays open between syncs (IMAP) or closes (POP3)."""
        return False

    @property
    def idles(self) -> bool:
        """Whether the server pushes news to this client (IMAP IDLE)."""
        return False

    @abstractmethod
    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        """Synchronise with the server. ``fresh``: a new connection (log in first);
        ``full``: every folder (else only what IDLE reported)."""

    def open(self, conn: Conn, mid: str, now: float) -> SyncGen:
        """Fetch the body of ``mid`` from the server to show it; returns whether it worked."""
        return False
        yield  # pragma: no cover - makes this a generator

    def pending(self) -> bool:
        """Whether queued work (outbox, offline actions) is waiting for a connection."""
        return False

    def untagged(self, updates: Any) -> None:
        """Untagged news that came with a reply (IMAP: EXISTS, EXPUNGE, FETCH FLAGS about
        the selected mailbox), handed over before the reply itself."""

    def disconnected(self) -> None:
        """The session ended or broke; forget session-only state."""

    @abstractmethod
    def lost(self) -> None:
        """The device was lost or wiped: local mail and state are gone."""

    # -- what the person does (locally; server work is queued) ----------------------------
    @abstractmethod
    def mark(self, mid: str, flag: str) -> bool:
        """Set ``flag`` on ``mid`` as the person did here; False if it is not shown here."""

    def read(self, mid: str) -> bool:
        """Mark ``mid`` read here."""
        return self.mark(mid, SEEN)

    def flag(self, mid: str) -> bool:
        """Flag ``mid``."""
        return self.mark(mid, FLAGGED)

    def answered(self, mid: str) -> bool:
        """Mark ``mid`` as answered (after a reply was written)."""
        return self.mark(mid, ANSWERED)

    @abstractmethod
    def archive(self, mid: str) -> bool:
        """Move ``mid`` to Archive."""

    @abstractmethod
    def delete(self, mid: str) -> bool:
        """Delete ``mid`` (to Trash or expunged, as the client is set)."""

    @abstractmethod
    def send(self, msg: Message) -> None:
        """Queue ``msg`` for sending and keep a copy in Sent (locally or on the server)."""
