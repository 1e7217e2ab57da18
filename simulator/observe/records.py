"""The history's records: one class per kind of thing that can be observed in a run.

Each record names its kind (``kind``, a class attribute) and its fields, in order
(``FIELDS``). Records are compiled with the core (simulator/core.py) and built by the
world's compiled code directly, so a record costs a native object and no interpreted
``__init__``; they compare, print and pickle by their fields, and are shared by every
subscriber, so nobody changes one once built. "user" is an account's name (a person's own
account has the person's name; a further account, claim P8, has its own).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final, Literal

from simulator.clients.local import State


class Record:
    """What every record has: its kind, its fields in order, and equality, a ``repr`` and
    pickling by their values (as the dataclasses they were until 4 December had)."""

    kind: ClassVar[str] = ""
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def values(self) -> tuple[Any, ...]:
        """The fields' values, in ``FIELDS`` order."""
        return tuple([getattr(self, name) for name in self.FIELDS])

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and isinstance(other, Record)
                and other.values() == self.values())

    def __repr__(self) -> str:
        inner = ", ".join([f"{name}={getattr(self, name)!r}" for name in self.FIELDS])
        return f"{type(self).__name__}({inner})"

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), self.values()


# -- people, devices and the server ------------------------------------------------------
class NewDevice(Record):
    """A device starts to exist (at the start or when an ``add`` event brings it)."""

    kind: ClassVar[Literal["device"]] = "device"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "user", "protocol", "grace_s")

    def __init__(self, t: float, device: str, user: str, protocol: str,
                 grace_s: float) -> None:
        self.t = t
        self.device = device
        self.user = user
        self.protocol = protocol
        self.grace_s = grace_s  # how long its session may stay idle before it is closed


class DeviceAdded(Record):
    """A scripted ``add`` event brought a device (after its NewDevice record)."""

    kind: ClassVar[Literal["added"]] = "added"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device")

    def __init__(self, t: float, device: str) -> None:
        self.t = t
        self.device = device


class DeviceLost(Record):
    """A device was lost and its local mail wiped (before the wipe's ViewChange records)."""

    kind: ClassVar[Literal["lost"]] = "lost"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device")

    def __init__(self, t: float, device: str) -> None:
        self.t = t
        self.device = device


class AccountAdded(Record):
    """A person's further account (claim P8), on ``server`` ("" = the organisation's)."""

    kind: ClassVar[Literal["account"]] = "account"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "account", "person", "server", "quota")

    def __init__(self, t: float, account: str, person: str, server: str,
                 quota: int | None) -> None:
        self.t = t
        self.account = account
        self.person = person
        self.server = server
        self.quota = quota


class Delivered(Record):
    """A message reached an account's INBOX."""

    kind: ClassVar[Literal["deliver"]] = "deliver"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid", "size")

    def __init__(self, t: float, user: str, mid: str, size: int) -> None:
        self.t = t
        self.user = user
        self.mid = mid
        self.size = size


class Bounced(Record):
    """A message was refused for good (over quota, or deferred for too long)."""

    kind: ClassVar[Literal["bounce"]] = "bounce"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid", "size")

    def __init__(self, t: float, user: str, mid: str, size: int) -> None:
        self.t = t
        self.user = user
        self.mid = mid
        self.size = size


class Deferred(Record):
    """A delivery was put off (server down or account over quota); it will be retried."""

    kind: ClassVar[Literal["defer"]] = "defer"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid")

    def __init__(self, t: float, user: str, mid: str) -> None:
        self.t = t
        self.user = user
        self.mid = mid


class Sent(Record):
    """The person wrote and sent a message from ``device``."""

    kind: ClassVar[Literal["sent"]] = "sent"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid", "size", "device")

    def __init__(self, t: float, user: str, mid: str, size: int, device: str) -> None:
        self.t = t
        self.user = user
        self.mid = mid
        self.size = size
        self.device = device


class Intent(Record):
    """What the person now expects of a message (None: gone), and why (``cause``)."""

    kind: ClassVar[Literal["intent"]] = "intent"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid", "state", "device", "cause")

    def __init__(self, t: float, user: str, mid: str, state: State | None, device: str,
                 cause: str) -> None:
        self.t = t
        self.user = user
        self.mid = mid
        self.state = state  # (folder, flags)
        self.device = device  # where the person acted ("" for a delivery)
        self.cause = cause  # deliver, send, read, flag, archive, delete, reply...


class ViewChange(Record):
    """What a device now shows of a message: its state, how many copies, how many bodies."""

    kind: ClassVar[Literal["view"]] = "view"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "mid", "state", "shown", "bodies")

    def __init__(self, t: float, device: str, mid: str, state: State | None, shown: int,
                 bodies: int) -> None:
        self.t = t
        self.device = device
        self.mid = mid
        self.state = state
        self.shown = shown
        self.bodies = bodies


class StoreChange(Record):
    """A change to a server mailbox (add, expunge, flags, uidvalidity renumbering)."""

    kind: ClassVar[Literal["store"]] = "store"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "t", "user", "change", "mailbox", "uidvalidity", "uid", "mid", "cause")

    def __init__(self, t: float, user: str, change: str, mailbox: str, uidvalidity: int,
                 uid: int, mid: str, cause: str) -> None:
        self.t = t
        self.user = user
        self.change = change
        self.mailbox = mailbox
        self.uidvalidity = uidvalidity
        self.uid = uid
        self.mid = mid
        self.cause = cause  # deliver, append, move, copy, pop3-quit, retention...


class ExpungedBy(Record):
    """Which device's command removed a message from the server (for narratives)."""

    kind: ClassVar[Literal["expunged_by"]] = "expunged_by"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "mid", "device", "mailbox", "cause")

    def __init__(self, t: float, user: str, mid: str, device: str, mailbox: str,
                 cause: str) -> None:
        self.t = t
        self.user = user
        self.mid = mid
        self.device = device
        self.mailbox = mailbox
        self.cause = cause


class Filed(Record):
    """A new message was put into an Inbox folder tree on a device syncing several accounts."""

    kind: ClassVar[Literal["filed"]] = "filed"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "mid", "tree")

    def __init__(self, t: float, device: str, mid: str, tree: str) -> None:
        self.t = t
        self.device = device
        self.mid = mid
        self.tree = tree  # "" = the one merged Inbox


class ServerBytes(Record):
    """Bytes an account now holds on its server."""

    kind: ClassVar[Literal["server_bytes"]] = "server_bytes"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "user", "used")

    def __init__(self, t: float, user: str, used: int) -> None:
        self.t = t
        self.user = user
        self.used = used


class DeviceBytes(Record):
    """Bytes a device now keeps (bodies, and headers for caching clients)."""

    kind: ClassVar[Literal["device_bytes"]] = "device_bytes"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "used")

    def __init__(self, t: float, device: str, used: int) -> None:
        self.t = t
        self.device = device
        self.used = used


class ReadAttempt(Record):
    """The person tried to read a message on a device, and whether and how fast it worked."""

    kind: ClassVar[Literal["read"]] = "read"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "t", "device", "mid", "ok", "offline", "shown", "wait_s")

    def __init__(self, t: float, device: str, mid: str, ok: bool, offline: bool, shown: bool,
                 wait_s: float) -> None:
        self.t = t
        self.device = device
        self.mid = mid
        self.ok = ok
        self.offline = offline
        self.shown = shown  # the device listed the message at all
        self.wait_s = wait_s  # how long an online fetch took


# -- connections and the network ---------------------------------------------------------
class SessionOpened(Record):
    """A device opened a session, sending its password in clear or not."""

    kind: ClassVar[Literal["session"]] = "session"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "protocol", "plaintext")

    def __init__(self, t: float, device: str, protocol: str, plaintext: bool) -> None:
        self.t = t
        self.device = device
        self.protocol = protocol
        self.plaintext = plaintext


class TrafficCharged(Record):
    """Round trips and bytes a device's commands cost since its last such record."""

    kind: ClassVar[Literal["traffic"]] = "traffic"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "round_trips", "up", "down")

    def __init__(self, t: float, device: str, round_trips: int, up: int, down: int) -> None:
        self.t = t
        self.device = device
        self.round_trips = round_trips
        self.up = up
        self.down = down


class Online(Record):
    """A device went online or offline."""

    kind: ClassVar[Literal["online"]] = "online"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "online")

    def __init__(self, t: float, device: str, online: bool) -> None:
        self.t = t
        self.device = device
        self.online = online


class Route(Record):
    """A device moved to another network, or lost its path (None)."""

    kind: ClassVar[Literal["route"]] = "route"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "network")

    def __init__(self, t: float, device: str, network: str | None) -> None:
        self.t = t
        self.device = device
        self.network = network


class LinkChange(Record):
    """A network's link went down or came back."""

    kind: ClassVar[Literal["link"]] = "link"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "network", "up", "cause")

    def __init__(self, t: float, network: str, up: bool, cause: str) -> None:
        self.t = t
        self.network = network
        self.up = up
        self.cause = cause  # schedule, failure or partition


class Partition(Record):
    """A partition of the named networks and devices started or ended."""

    kind: ClassVar[Literal["partition"]] = "partition"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "targets", "active")

    def __init__(self, t: float, targets: tuple[str, ...], active: bool) -> None:
        self.t = t
        self.targets = targets
        self.active = active


class Drop(Record):
    """A device's connection broke at a command."""

    kind: ClassVar[Literal["drop"]] = "drop"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "command", "when", "cause")

    def __init__(self, t: float, device: str, command: str, when: str, cause: str) -> None:
        self.t = t
        self.device = device
        self.command = command
        self.when = when  # before, after or between
        self.cause = cause  # random, scripted or roam


class ProgramRun(Record):
    """A device's real sync program ran once (issue 12): how it ended and what it sent."""

    kind: ClassVar[Literal["program"]] = "program"
    FIELDS: ClassVar[tuple[str, ...]] = (
        "t", "device", "program", "exit_code", "seconds", "commands", "cut", "timed_out")

    def __init__(self, t: float, device: str, program: str, exit_code: int, seconds: float,
                 commands: int, cut: str, timed_out: bool) -> None:
        self.t = t
        self.device = device
        self.program = program
        self.exit_code = exit_code
        # simulated seconds its traffic took on the link (wall time: its log)
        self.seconds = seconds
        self.commands = commands
        self.cut = cut  # "before:n" / "after:n" when the run was cut at a drawn drop, else ""
        self.timed_out = timed_out


class CommandSent(Record):
    """A device is about to send a command (only in a History(commands=True): cut points)."""

    kind: ClassVar[Literal["command"]] = "command"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "device", "command", "arg", "step", "pending")

    def __init__(self, t: float, device: str, command: str, arg: str, step: int,
                 pending: bool) -> None:
        self.t = t
        self.device = device
        self.command = command
        # the command's first argument, e.g. the folder of a SELECT ("" if none)
        self.arg = arg
        self.step = step  # its place in its sync (0 = the sync's first command)
        self.pending = pending  # whether the client had queued work (outbox, offline actions)


class ServerDown(Record):
    """The server went down (True) or came back (False)."""

    kind: ClassVar[Literal["outage"]] = "outage"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "down")

    def __init__(self, t: float, down: bool) -> None:
        self.t = t
        self.down = down


class OtherServerDown(Record):
    """A further server (of ``servers:``, claim P8) went down or came back."""

    kind: ClassVar[Literal["server_outage"]] = "server_outage"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "server", "down")

    def __init__(self, t: float, server: str, down: bool) -> None:
        self.t = t
        self.server = server
        self.down = down


class UidvalidityReset(Record):
    """The server renumbered every mailbox (new UIDVALIDITY)."""

    kind: ClassVar[Literal["uidvalidity_reset"]] = "uidvalidity_reset"
    FIELDS: ClassVar[tuple[str, ...]] = ("t",)

    def __init__(self, t: float) -> None:
        self.t = t


# -- the run itself ----------------------------------------------------------------------
class Tick(Record):
    """The hourly sample for timeseries.csv."""

    kind: ClassVar[Literal["tick"]] = "tick"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "online_devices", "server_up")

    def __init__(self, t: float, online_devices: int, server_up: bool) -> None:
        self.t = t
        self.online_devices = online_devices
        self.server_up = server_up


class Violation(Record):
    """The world broke one of its own invariants (the verdict turns false)."""

    kind: ClassVar[Literal["violation"]] = "violation"
    FIELDS: ClassVar[tuple[str, ...]] = ("t", "text")

    def __init__(self, t: float, text: str) -> None:
        self.t = t
        self.text = text


class End(Record):
    """The run ended."""

    kind: ClassVar[Literal["end"]] = "end"
    FIELDS: ClassVar[tuple[str, ...]] = ("t",)

    def __init__(self, t: float) -> None:
        self.t = t


RECORDS: Final[dict[str, type[Record]]] = {cls.kind: cls for cls in (
    NewDevice, DeviceAdded, DeviceLost, AccountAdded, Delivered, Bounced, Deferred, Sent,
    Intent, ViewChange, StoreChange, ExpungedBy, Filed, ServerBytes, DeviceBytes,
    ReadAttempt, SessionOpened, TrafficCharged, Online, Route, LinkChange, Partition, Drop,
    ProgramRun, CommandSent, ServerDown, OtherServerDown, UidvalidityReset, Tick,
    Violation, End
)}
"""Each kind's record class, by kind."""
