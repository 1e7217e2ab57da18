"""The history: a compact, append-only log of everything observable in a run.

Each entry is a record: a NamedTuple whose first field is its ``kind``, one class per kind
below. Checkers subscribe to the record classes they need and are fed as records are
appended, so metrics stay incremental (DESIGN: performance). Records are tuples, so they
cost what plain tuples cost (``bench/history.py``) and old positional readers still work;
code in ``observe/`` reads them by field name. "user" is an account's name (a person's own
account has the person's name; a further account, claim P8, has its own).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

if TYPE_CHECKING:
    from simulator.clients.local import State


# -- people, devices and the server ------------------------------------------------------
class NewDevice(NamedTuple):
    """A device starts to exist (at the start or when an ``add`` event brings it)."""

    kind: Literal["device"]
    t: float
    device: str
    user: str
    protocol: str
    grace_s: float  # how long its session may stay idle before it is closed


class DeviceAdded(NamedTuple):
    """A scripted ``add`` event brought a device (after its NewDevice record)."""

    kind: Literal["added"]
    t: float
    device: str


class DeviceLost(NamedTuple):
    """A device was lost and its local mail wiped (before the wipe's ViewChange records)."""

    kind: Literal["lost"]
    t: float
    device: str


class AccountAdded(NamedTuple):
    """A person's further account (claim P8), on ``server`` ("" = the organisation's)."""

    kind: Literal["account"]
    t: float
    account: str
    person: str
    server: str
    quota: int | None


class Delivered(NamedTuple):
    """A message reached an account's INBOX."""

    kind: Literal["deliver"]
    t: float
    user: str
    mid: str
    size: int


class Bounced(NamedTuple):
    """A message was refused for good (over quota, or deferred for too long)."""

    kind: Literal["bounce"]
    t: float
    user: str
    mid: str
    size: int


class Deferred(NamedTuple):
    """A delivery was put off (server down or account over quota); it will be retried."""

    kind: Literal["defer"]
    t: float
    user: str
    mid: str


class Sent(NamedTuple):
    """The person wrote and sent a message from ``device``."""

    kind: Literal["sent"]
    t: float
    user: str
    mid: str
    size: int
    device: str


class Intent(NamedTuple):
    """What the person now expects of a message (None: gone), and why (``cause``)."""

    kind: Literal["intent"]
    t: float
    user: str
    mid: str
    state: State | None  # (folder, flags)
    device: str  # where the person acted ("" for a delivery)
    cause: str  # deliver, send, read, flag, archive, delete, reply...


class ViewChange(NamedTuple):
    """What a device now shows of a message: its state, how many copies, how many bodies."""

    kind: Literal["view"]
    t: float
    device: str
    mid: str
    state: State | None
    shown: int
    bodies: int


class StoreChange(NamedTuple):
    """A change to a server mailbox (add, expunge, flags, uidvalidity renumbering)."""

    kind: Literal["store"]
    t: float
    user: str
    change: str
    mailbox: str
    uidvalidity: int
    uid: int
    mid: str
    cause: str  # deliver, append, move, copy, pop3-quit, retention...


class ExpungedBy(NamedTuple):
    """Which device's command removed a message from the server (for narratives)."""

    kind: Literal["expunged_by"]
    t: float
    user: str
    mid: str
    device: str
    mailbox: str
    cause: str


class Filed(NamedTuple):
    """A new message was put into an Inbox folder tree on a device syncing several accounts."""

    kind: Literal["filed"]
    t: float
    device: str
    mid: str
    tree: str  # "" = the one merged Inbox


class ServerBytes(NamedTuple):
    """Bytes an account now holds on its server."""

    kind: Literal["server_bytes"]
    t: float
    user: str
    used: int


class DeviceBytes(NamedTuple):
    """Bytes a device now keeps (bodies, and headers for caching clients)."""

    kind: Literal["device_bytes"]
    t: float
    device: str
    used: int


class ReadAttempt(NamedTuple):
    """The person tried to read a message on a device, and whether and how fast it worked."""

    kind: Literal["read"]
    t: float
    device: str
    mid: str
    ok: bool
    offline: bool
    shown: bool  # the device listed the message at all
    wait_s: float  # how long an online fetch took


# -- connections and the network ---------------------------------------------------------
class SessionOpened(NamedTuple):
    """A device opened a session, sending its password in clear or not."""

    kind: Literal["session"]
    t: float
    device: str
    protocol: str
    plaintext: bool


class TrafficCharged(NamedTuple):
    """Round trips and bytes a device's commands cost since its last such record."""

    kind: Literal["traffic"]
    t: float
    device: str
    round_trips: int
    up: int
    down: int


class Online(NamedTuple):
    """A device went online or offline."""

    kind: Literal["online"]
    t: float
    device: str
    online: bool


class Route(NamedTuple):
    """A device moved to another network, or lost its path (None)."""

    kind: Literal["route"]
    t: float
    device: str
    network: str | None


class LinkChange(NamedTuple):
    """A network's link went down or came back."""

    kind: Literal["link"]
    t: float
    network: str
    up: bool
    cause: str  # schedule, failure or partition


class Partition(NamedTuple):
    """A partition of the named networks and devices started or ended."""

    kind: Literal["partition"]
    t: float
    targets: tuple[str, ...]
    active: bool


class Drop(NamedTuple):
    """A device's connection broke at a command."""

    kind: Literal["drop"]
    t: float
    device: str
    command: str
    when: str  # before, after or between
    cause: str  # random, scripted or roam


class ServerDown(NamedTuple):
    """The server went down (True) or came back (False)."""

    kind: Literal["outage"]
    t: float
    down: bool


class OtherServerDown(NamedTuple):
    """A further server (of ``servers:``, claim P8) went down or came back."""

    kind: Literal["server_outage"]
    t: float
    server: str
    down: bool


class UidvalidityReset(NamedTuple):
    """The server renumbered every mailbox (new UIDVALIDITY)."""

    kind: Literal["uidvalidity_reset"]
    t: float


# -- the run itself ----------------------------------------------------------------------
class Tick(NamedTuple):
    """The hourly sample for timeseries.csv."""

    kind: Literal["tick"]
    t: float
    online_devices: int
    server_up: bool


class Violation(NamedTuple):
    """The world broke one of its own invariants (the verdict turns false)."""

    kind: Literal["violation"]
    t: float
    text: str


class End(NamedTuple):
    """The run ended."""

    kind: Literal["end"]
    t: float


Record = (
    NewDevice | DeviceAdded | DeviceLost | AccountAdded | Delivered | Bounced | Deferred | Sent
    | Intent | ViewChange | StoreChange | ExpungedBy | Filed | ServerBytes | DeviceBytes
    | ReadAttempt | SessionOpened | TrafficCharged | Online | Route | LinkChange | Partition
    | Drop | ServerDown | OtherServerDown | UidvalidityReset | Tick | Violation | End
)
RECORDS: dict[str, type[Any]] = {
    "device": NewDevice, "added": DeviceAdded, "lost": DeviceLost, "account": AccountAdded,
    "deliver": Delivered, "bounce": Bounced, "defer": Deferred, "sent": Sent,
    "intent": Intent, "view": ViewChange, "store": StoreChange, "expunged_by": ExpungedBy,
    "filed": Filed, "server_bytes": ServerBytes, "device_bytes": DeviceBytes,
    "read": ReadAttempt, "session": SessionOpened, "traffic": TrafficCharged,
    "online": Online, "route": Route, "link": LinkChange, "partition": Partition,
    "drop": Drop, "outage": ServerDown, "server_outage": OtherServerDown,
    "uidvalidity_reset": UidvalidityReset, "tick": Tick, "violation": Violation, "end": End,
}
"""Each kind's record class, by kind (the value of its ``kind`` field)."""
KIND_OF: dict[type[Any], str] = {cls: kind for kind, cls in RECORDS.items()}

R = TypeVar("R", bound=tuple[Any, ...])
Handler = Callable[[Any], None]


class History:
    """Appends records, keeps them (unless ``keep`` is False) and feeds subscribers."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.events: list[Record] = []
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, cls: type[R], handler: Callable[[R], None]) -> None:
        """Call ``handler`` with every future record of class ``cls``."""
        self._handlers[KIND_OF[cls]].append(handler)

    def add(self, kind: str, *fields: Any) -> None:
        """Build the ``kind`` record from its fields, append it and feed its subscribers."""
        record = RECORDS[kind](kind, *fields)
        if self.keep:
            self.events.append(record)
        for handler in self._handlers.get(kind, ()):
            handler(record)

    def emit(self, record: Record) -> None:
        """Append a record built by the caller and feed its subscribers."""
        if self.keep:
            self.events.append(record)
        for handler in self._handlers.get(record.kind, ()):
            handler(record)

    def of(self, *kinds: str) -> Iterator[Record]:
        """Kept records of the given kinds, in order."""
        wanted = set(kinds)
        return (e for e in self.events if e.kind in wanted)
