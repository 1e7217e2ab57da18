"""A device in time: whether it is online, its path to the servers, its local store and
the person's requests. It syncs each of its accounts over a line of its own
(:mod:`simulator.world.line`); the first line's process serves the person's requests.

A device that syncs several accounts (claim P8) has one line per account, all sharing the
device's presence and local store."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

from simulator.clients.base import Client
from simulator.clients.local import LocalStore, State
from simulator.observe.records import DeviceBytes, ViewChange
from simulator.world.line import Job, Line
from simulator.world.network import Link

if TYPE_CHECKING:
    from simulator.scenario import ResolvedDevice
    from simulator.world.server import Server
    from simulator.world.world import World

Request = Callable[["Device"], Generator[Any, Any, None]]


class Device:
    """One user device: presence (schedule, forced offline, network path), link, local
    store, the person's requests, and its lines (one per account it syncs)."""

    def __init__(self, world: World, spec: ResolvedDevice, store: LocalStore,
                 link: Link) -> None:
        self.world, self.env, self.spec = world, world.env, spec
        self.id: str = spec.id
        self.user: str = spec.user
        self.store = store
        self.link = link  # the current path to the servers (see use_link)
        self.lines: list[Line] = []
        self.scheduled_on = True
        self.forced_off = 0
        self.routed = True  # a path of up links to the server exists (world.topology)
        self.online = True  # the three above together (see set_online)
        self.requests: deque[Request] = deque()
        self.stored_bytes = 0  # last device_bytes recorded (only changes are recorded)

    def add_line(self, client: Client, account: str, server: Server) -> Line:
        """Sync ``account`` on ``server`` with ``client`` too (the first line is the
        person's own account)."""
        key = self.id if not self.lines else f"{self.id}#{account}"
        line = Line(self, client, account, server, key)
        self.lines.append(line)
        return line

    # -- state -------------------------------------------------------------------------------
    @property
    def grace(self) -> float:
        """How long after reaching the server a person expects mail on this device."""
        return self.lines[0].grace

    def set_online(self, scheduled: bool | None = None, forced: int = 0,
                   routed: bool | None = None) -> None:
        """Apply a schedule flip, an offline event or a change of network path; going
        offline drops the lines' sessions."""
        was = self.online
        if scheduled is not None:
            self.scheduled_on = scheduled
        if routed is not None:
            self.routed = routed
        self.forced_off += forced
        self.online = self.scheduled_on and self.forced_off == 0 and self.routed
        if was != self.online:
            self.world.history.add("online", self.env.now, self.id, self.online)
            for line in self.lines:
                if not self.online and not line.busy:
                    line.lose_session()
                line.signal()

    def use_link(self, link: Link) -> None:
        """Cost what follows on ``link`` (the path the topology found)."""
        self.link = link

    def roamed(self) -> None:
        """The device moved to another network: every open connection breaks."""
        for line in self.lines:
            if line.session is not None:
                line.drops.roamed()

    def lost(self) -> None:
        """The device is wiped (lost, reset or replaced): sessions and local mail are gone."""
        for line in self.lines:
            line.lose_session()
            line.client.lost()

    def viewed(self, mid: str, state: State | None, shown: int, bodies: int) -> None:
        """Record what the local store now shows of ``mid``, and its bytes when they moved."""
        now = self.env.now
        history = self.world.history
        history.emit(ViewChange(now, self.id, mid, state, shown, bodies))
        used = self.store.bytes
        if used != self.stored_bytes:  # a flag change moves no bytes: no event
            self.stored_bytes = used
            history.emit(DeviceBytes(now, self.id, used))

    def owner(self, mid: str) -> Line:
        """The line whose account holds ``mid`` (its mid ends in "@<account>"; mail of the
        person's own account, or of no account, is the first line's)."""
        lines = self.lines
        if len(lines) == 1:
            return lines[0]
        return next((line for line in lines[1:] if mid.endswith(f"@{line.account}")), lines[0])

    # -- the person's requests ---------------------------------------------------------------
    def request(self, job: Request) -> None:
        """Queue something the person does on this device (served by the first line)."""
        self.requests.append(job)
        self.lines[0].signal()

    def serve(self) -> Generator[Any, Any, None]:
        """Carry out the oldest request, then wake the other lines: the person may have
        given another account work."""
        yield from self.requests.popleft()(self)
        for line in self.lines[1:]:
            line.signal()

    def on(self, line: Line, job: Job) -> Generator[Any, Any, Any]:
        """From a request (the first line's process), run ``job`` on ``line``: directly on
        the first line, else queued on the line's own process (one process drives a
        session) and awaited."""
        if line is self.lines[0]:
            return (yield from job(line))
        done = self.env.event()

        def run(target: Line) -> Generator[Any, Any, None]:
            done.succeed((yield from job(target)))

        line.queue(run)
        return (yield done)

    def sync_all(self) -> Generator[Any, Any, bool]:
        """Check mail: sync every account of the device, one after the other."""
        first, *others = self.lines
        ok = yield from first.sync()
        for line in others:
            if not self.online:
                return False
            ok = bool((yield from self.on(line, _sync))) and ok
        return ok


def _sync(line: Line) -> Generator[Any, Any, bool]:
    """A full sync of ``line`` (a job for :meth:`Device.on`)."""
    return (yield from line.sync())
