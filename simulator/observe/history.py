"""The history: a compact, append-only log of everything observable in a run.

Each entry is a record, one class per kind below, fields named; its ``kind`` is a class
attribute. Checkers subscribe to the record classes they need and are fed as records are
appended, so metrics stay incremental (DESIGN: performance). Records are slotted
dataclasses: cheaper to build and to read than NamedTuples (``bench/history.py``); they
are shared by every subscriber, so nobody changes them. "user" is an account's name (a
person's own account has the person's name; a further account, claim P8, has its own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar

if TYPE_CHECKING:
    from simulator.clients.local import State


# -- people, devices and the server ------------------------------------------------------
@dataclass(slots=True)
class NewDevice:
    """A device starts to exist (at the start or when an ``add`` event brings it)."""

    kind: ClassVar[Literal["device"]] = "device"
    t: float
    device: str
    user: str
    protocol: str
    grace_s: float  # how long its session may stay idle before it is closed


@dataclass(slots=True)
class DeviceAdded:
    """A scripted ``add`` event brought a device (after its NewDevice record)."""

    kind: ClassVar[Literal["added"]] = "added"
    t: float
    device: str


@dataclass(slots=True)
class DeviceLost:
    """A device was lost and its local mail wiped (before the wipe's ViewChange records)."""

    kind: ClassVar[Literal["lost"]] = "lost"
    t: float
    device: str


@dataclass(slots=True)
class AccountAdded:
    """A person's further account (claim P8), on ``server`` ("" = the organisation's)."""

    kind: ClassVar[Literal["account"]] = "account"
    t: float
    account: str
    person: str
    server: str
    quota: int | None


@dataclass(slots=True)
class Delivered:
    """A message reached an account's INBOX."""

    kind: ClassVar[Literal["deliver"]] = "deliver"
    t: float
    user: str
    mid: str
    size: int


@dataclass(slots=True)
class Bounced:
    """A message was refused for good (over quota, or deferred for too long)."""

    kind: ClassVar[Literal["bounce"]] = "bounce"
    t: float
    user: str
    mid: str
    size: int


@dataclass(slots=True)
class Deferred:
    """A delivery was put off (server down or account over quota); it will be retried."""

    kind: ClassVar[Literal["defer"]] = "defer"
    t: float
    user: str
    mid: str


@dataclass(slots=True)
class Sent:
    """The person wrote and sent a message from ``device``."""

    kind: ClassVar[Literal["sent"]] = "sent"
    t: float
    user: str
    mid: str
    size: int
    device: str


@dataclass(slots=True)
class Intent:
    """What the person now expects of a message (None: gone), and why (``cause``)."""

    kind: ClassVar[Literal["intent"]] = "intent"
    t: float
    user: str
    mid: str
    state: State | None  # (folder, flags)
    device: str  # where the person acted ("" for a delivery)
    cause: str  # deliver, send, read, flag, archive, delete, reply...


@dataclass(slots=True)
class ViewChange:
    """What a device now shows of a message: its state, how many copies, how many bodies."""

    kind: ClassVar[Literal["view"]] = "view"
    t: float
    device: str
    mid: str
    state: State | None
    shown: int
    bodies: int


@dataclass(slots=True)
class StoreChange:
    """A change to a server mailbox (add, expunge, flags, uidvalidity renumbering)."""

    kind: ClassVar[Literal["store"]] = "store"
    t: float
    user: str
    change: str
    mailbox: str
    uidvalidity: int
    uid: int
    mid: str
    cause: str  # deliver, append, move, copy, pop3-quit, retention...


@dataclass(slots=True)
class ExpungedBy:
    """Which device's command removed a message from the server (for narratives)."""

    kind: ClassVar[Literal["expunged_by"]] = "expunged_by"
    t: float
    user: str
    mid: str
    device: str
    mailbox: str
    cause: str


@dataclass(slots=True)
class Filed:
    """A new message was put into an Inbox folder tree on a device syncing several accounts."""

    kind: ClassVar[Literal["filed"]] = "filed"
    t: float
    device: str
    mid: str
    tree: str  # "" = the one merged Inbox


@dataclass(slots=True)
class ServerBytes:
    """Bytes an account now holds on its server."""

    kind: ClassVar[Literal["server_bytes"]] = "server_bytes"
    t: float
    user: str
    used: int


@dataclass(slots=True)
class DeviceBytes:
    """Bytes a device now keeps (bodies, and headers for caching clients)."""

    kind: ClassVar[Literal["device_bytes"]] = "device_bytes"
    t: float
    device: str
    used: int


@dataclass(slots=True)
class ReadAttempt:
    """The person tried to read a message on a device, and whether and how fast it worked."""

    kind: ClassVar[Literal["read"]] = "read"
    t: float
    device: str
    mid: str
    ok: bool
    offline: bool
    shown: bool  # the device listed the message at all
    wait_s: float  # how long an online fetch took


# -- connections and the network ---------------------------------------------------------
@dataclass(slots=True)
class SessionOpened:
    """A device opened a session, sending its password in clear or not."""

    kind: ClassVar[Literal["session"]] = "session"
    t: float
    device: str
    protocol: str
    plaintext: bool


@dataclass(slots=True)
class TrafficCharged:
    """Round trips and bytes a device's commands cost since its last such record."""

    kind: ClassVar[Literal["traffic"]] = "traffic"
    t: float
    device: str
    round_trips: int
    up: int
    down: int


@dataclass(slots=True)
class Online:
    """A device went online or offline."""

    kind: ClassVar[Literal["online"]] = "online"
    t: float
    device: str
    online: bool


@dataclass(slots=True)
class Route:
    """A device moved to another network, or lost its path (None)."""

    kind: ClassVar[Literal["route"]] = "route"
    t: float
    device: str
    network: str | None


@dataclass(slots=True)
class LinkChange:
    """A network's link went down or came back."""

    kind: ClassVar[Literal["link"]] = "link"
    t: float
    network: str
    up: bool
    cause: str  # schedule, failure or partition


@dataclass(slots=True)
class Partition:
    """A partition of the named networks and devices started or ended."""

    kind: ClassVar[Literal["partition"]] = "partition"
    t: float
    targets: tuple[str, ...]
    active: bool


@dataclass(slots=True)
class Drop:
    """A device's connection broke at a command."""

    kind: ClassVar[Literal["drop"]] = "drop"
    t: float
    device: str
    command: str
    when: str  # before, after or between
    cause: str  # random, scripted or roam


@dataclass(slots=True)
class ProgramRun:
    """A device's real sync program ran once (issue 12): how it ended and what it sent."""

    kind: ClassVar[Literal["program"]] = "program"
    t: float
    device: str
    program: str
    exit_code: int
    seconds: float  # simulated seconds its traffic took on the link (wall time: its log)
    commands: int
    cut: str  # "before:n" / "after:n" when the run was cut at a drawn drop, else ""
    timed_out: bool


@dataclass(slots=True)
class CommandSent:
    """A device is about to send a command (only in a History(commands=True): cut points)."""

    kind: ClassVar[Literal["command"]] = "command"
    t: float
    device: str
    command: str
    arg: str  # the command's first argument, e.g. the folder of a SELECT ("" if none)
    step: int  # its place in its sync (0 = the sync's first command)
    pending: bool  # whether the client had queued work (outbox, offline actions)


@dataclass(slots=True)
class ServerDown:
    """The server went down (True) or came back (False)."""

    kind: ClassVar[Literal["outage"]] = "outage"
    t: float
    down: bool


@dataclass(slots=True)
class OtherServerDown:
    """A further server (of ``servers:``, claim P8) went down or came back."""

    kind: ClassVar[Literal["server_outage"]] = "server_outage"
    t: float
    server: str
    down: bool


@dataclass(slots=True)
class UidvalidityReset:
    """The server renumbered every mailbox (new UIDVALIDITY)."""

    kind: ClassVar[Literal["uidvalidity_reset"]] = "uidvalidity_reset"
    t: float


# -- the run itself ----------------------------------------------------------------------
@dataclass(slots=True)
class Tick:
    """The hourly sample for timeseries.csv."""

    kind: ClassVar[Literal["tick"]] = "tick"
    t: float
    online_devices: int
    server_up: bool


@dataclass(slots=True)
class Violation:
    """The world broke one of its own invariants (the verdict turns false)."""

    kind: ClassVar[Literal["violation"]] = "violation"
    t: float
    text: str


@dataclass(slots=True)
class End:
    """The run ended."""

    kind: ClassVar[Literal["end"]] = "end"
    t: float


Record = (
    NewDevice | DeviceAdded | DeviceLost | AccountAdded | Delivered | Bounced | Deferred | Sent
    | Intent | ViewChange | StoreChange | ExpungedBy | Filed | ServerBytes | DeviceBytes
    | ReadAttempt | SessionOpened | TrafficCharged | Online | Route | LinkChange | Partition
    | Drop | ProgramRun | CommandSent | ServerDown | OtherServerDown | UidvalidityReset | Tick
    | Violation | End
)
RECORDS: dict[str, type[Record]] = {cls.kind: cls for cls in Record.__args__}
"""Each kind's record class, by kind."""

R = TypeVar("R", bound=Record)
Handler = Callable[[Any], None]


class History:
    """Appends records, keeps them (unless ``keep`` is False) and feeds subscribers; with
    ``commands``, the world also records every command a device sends (CommandSent)."""

    def __init__(self, keep: bool = True, commands: bool = False) -> None:
        self.keep = keep
        self.commands = commands
        self.events: list[Record] = []
        self._routes: dict[str, tuple[type[Record], list[Handler]]] = {
            kind: (cls, []) for kind, cls in RECORDS.items()
        }
        """Per kind, its record class and its subscribers: one look-up routes a record."""

    def subscribe(self, cls: type[R], handler: Callable[[R], None]) -> None:
        """Call ``handler`` with every future record of class ``cls``."""
        self._routes[cls.kind][1].append(handler)

    def handlers(self, kind: str) -> list[Handler]:
        """The subscribers of ``kind``, in the order they subscribed."""
        return self._routes[kind][1]

    def add(self, kind: str, *fields: Any) -> None:
        """Build a ``kind`` record from its fields (in order), keep it, feed its subscribers
        (a record nobody keeps or reads is not built: a run that writes no story file has
        no reader of ``expunged_by``)."""
        cls, handlers = self._routes[kind]
        if not handlers and not self.keep:
            return
        record = cls(*fields)
        if self.keep:
            self.events.append(record)
        for handler in handlers:
            handler(record)

    def emit(self, record: Record) -> None:
        """Keep a record the caller built and feed its subscribers (the typed add)."""
        if self.keep:
            self.events.append(record)
        for handler in self._routes[record.kind][1]:
            handler(record)

    def of(self, *kinds: str) -> Iterator[Record]:
        """Kept records of the given kinds, in order."""
        wanted = set(kinds)
        return (e for e in self.events if e.kind in wanted)

    def every(self, cls: type[R]) -> Iterator[R]:
        """Kept records of class ``cls``, in order (typed: their fields are known)."""
        return (e for e in self.events if isinstance(e, cls))
