"""A device in time: one SimPy process that connects when the device is online, runs its
client's sync generator command by command (charging each command's cost on its link),
waits for the next poll or IDLE push, and serves the person's requests in between.

A device that syncs several accounts (claim P8) has one line per account: a Device each, with
its own client, session and process, sharing the first line's presence (online, link) and
local store. The first line is the device the rest of the world sees."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any

import simpy

from simulator.clients.base import Client, Cmd, Conn, ConnectionLost, SyncGen
from simulator.clients.local import LocalStore
from simulator.mail import pop3
from simulator.mail.connect import connect_cost, plaintext_login
from simulator.mail.message import Cost
from simulator.mail.reply import ProtocolError, Reply
from simulator.world.faults import Drops
from simulator.world.network import Link

if TYPE_CHECKING:
    from simulator.world.server import Server
    from simulator.world.world import World

Request = Callable[["Device"], Generator[Any, Any, None]]
IDLE_GRACE = 60.0


class Device:
    """One user device: its client, its link, whether it is online, and its session."""

    def __init__(self, world: World, spec: Any, client: Client, link: Link,
                 account: str | None = None, server: Server | None = None,
                 main: Device | None = None) -> None:
        self.world, self.env, self.spec = world, world.env, spec
        self.id: str = spec.id
        self.user: str = spec.user
        self.account: str = account or spec.user
        self.server: Server = server or world.server
        self.main: Device = main or self
        self.lines: list[Device] = main.lines if main is not None else []
        self.lines.append(self)
        self.key = self.id if main is None else f"{self.id}#{self.account}"  # for draws
        self.client = client
        self.store: LocalStore = getattr(client.store, "whole", client.store)
        self._link = link
        self.conn = Conn()
        self.scheduled_on = True
        self.forced_off = 0
        self.routed = True  # a path of up links to the server exists (world.topology)
        self.drops = Drops(self)
        self.session: Any = None
        self.busy = False
        self.wake = self.env.event()
        self.requests: deque[Request] = deque()
        self.next_poll = 0.0
        self.idle_news = False
        self.last_ok_sync: float | None = None
        self.last_contact: float | None = None
        self._unbilled = Cost()
        self.stored_bytes = 0  # last device_bytes recorded (the world only records changes)

    # -- state -----------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether the device has a network path now."""
        main = self.main
        return main.scheduled_on and main.forced_off == 0 and main.routed

    @property
    def link(self) -> Link:
        """The device's current path to the servers (shared by its lines)."""
        return self.main._link

    @link.setter
    def link(self, link: Link) -> None:
        self.main._link = link

    @property
    def poll(self) -> float:
        """Seconds between the client's checks."""
        return float(self.spec.client.poll)

    @property
    def grace(self) -> float:
        """How long after reaching the server a person expects mail on this device."""
        return IDLE_GRACE if self.client.idles else self.poll

    def connected_at(self) -> float | None:
        """When the device last talked to the server (now, if it is online and in session)."""
        if self.online and self.session is not None:
            return self.env.now
        return self.last_contact

    def signal(self) -> None:
        """Wake the device's process to look at its state again."""
        if not self.wake.triggered:
            self.wake.succeed()

    def set_online(self, scheduled: bool | None = None, forced: int = 0,
                   routed: bool | None = None) -> None:
        """Apply a schedule flip, an offline event or a change of network path; going
        offline drops the session."""
        was = self.online
        if scheduled is not None:
            self.scheduled_on = scheduled
        if routed is not None:
            self.routed = routed
        self.forced_off += forced
        if was != self.online:
            self.world.history.add("online", self.env.now, self.id, self.online)
            for line in self.lines:
                if not self.online and not line.busy:
                    line.lose_session()
                line.signal()

    def owner(self, mid: str) -> Device:
        """The line whose account holds ``mid`` (its mid ends in "@<account>"; mail of the
        person's own account, or of no account, is the first line's)."""
        if len(self.lines) == 1:
            return self
        return next((line for line in self.lines[1:] if mid.endswith(f"@{line.account}")), self)

    def on(self, line: Device, job: Request) -> Generator[Any, Any, Any]:
        """Run ``job`` on ``line`` from this device's process: directly on itself, else
        queued on the line's own process (one process drives a session) and awaited."""
        if line is self:
            return (yield from job(self))
        done = self.env.event()

        def run(target: Device) -> Generator[Any, Any, None]:
            done.succeed((yield from job(target)))

        line.request(run)
        return (yield done)

    def roamed(self) -> None:
        """The device moved to another network: every open connection breaks."""
        for line in self.lines:
            if line.session is not None:
                line.drops.roamed()

    def request(self, job: Request) -> None:
        """Queue something the person does on this device."""
        self.requests.append(job)
        self.signal()

    # -- the process -------------------------------------------------------------------------
    def run(self) -> Generator[Any, Any, None]:
        """Sync when due, serve requests, then sleep until a poll, a push or a request."""
        while True:
            if self.online and self._sync_due():
                yield from self.sync(full=self.session is None or self.env.now >= self.next_poll)
                continue
            if self.requests:
                yield from self.requests.popleft()(self)
                for line in self.lines[1:] if self.main is self else ():
                    line.signal()  # the person may have given another account work
                continue
            waits: list[simpy.Event] = [self.wake]
            if self.online:
                waits.append(self.env.timeout(max(0.0, self.next_poll - self.env.now)))
            yield self.env.any_of(waits)
            if self.wake.triggered:
                self.wake = self.env.event()

    def _sync_due(self) -> bool:
        if self.env.now >= self.next_poll:
            return True
        ready = self.last_ok_sync is not None and self.server.up
        if self.session is None and not self.client.stays_connected:
            return ready and self.client.pending()
        return ready and (self.idle_news or self.client.pending())

    def sync(self, full: bool = True) -> Generator[Any, Any, bool]:
        """One sync: connect if needed, run the client's generator, keep or close the session."""
        if full or self.session is None:
            self.next_poll = self.env.now + self.poll
        self.idle_news = False
        fresh = self.session is None
        if fresh and not (yield from self._connect()):
            self.last_ok_sync = None
            return False
        ok = yield from self.drive(self.client.sync(self.conn, self.env.now, fresh, full))
        if ok:
            self.last_ok_sync = self.last_contact = self.env.now
        else:
            self.last_ok_sync = None
        if self.session is not None and (not self.client.stays_connected or not self._keep_open()):
            yield from self._close()
        return bool(ok)

    def sync_all(self) -> Generator[Any, Any, bool]:
        """Check mail: sync every account of the device, one after the other."""
        ok = yield from self.sync()
        for line in self.lines[1:]:
            if not self.online:
                return False
            ok = bool((yield from self.on(line, lambda d: d.sync()))) and ok
        return ok

    def fetch(self, mid: str) -> Generator[Any, Any, bool]:
        """Open ``mid`` from the server (an online read of a body not kept locally)."""
        if not self.online or self.session is None:
            return False
        ok = yield from self.drive(self.client.open(self.conn, mid, self.env.now))
        if self.session is not None and not self._keep_open():
            yield from self._close()
        return bool(ok)

    def _keep_open(self) -> bool:
        return self.client.idles or self.poll < self.server.config.autologout

    # -- sessions ------------------------------------------------------------------------------
    def _connect(self) -> Generator[Any, Any, bool]:
        server = self.server
        if not server.up:
            return False
        cfg = server.config
        cost = connect_cost(self.client.protocol, cfg.tls, cfg.tls_version)
        self.busy = True
        yield self.env.timeout(self.link.duration(cost))
        self.busy = False
        self._charge(cost)
        if not (self.online and server.up):
            self._flush()
            return False
        if self.client.protocol == "pop3":
            self.session = server.maildrops[self.account].open()
        else:
            self.session = server.imap[self.account].connect()
        self.world.history.add(
            "session", self.env.now, self.id, self.client.protocol, plaintext_login(cfg.tls)
        )
        return True

    def _close(self) -> Generator[Any, Any, None]:
        session = self.session
        if getattr(session, "state", "") in ("AUTH", "SELECTED"):
            yield from self.drive(_logout(self.conn))
        self.session = None
        self.client.disconnected()

    def lose_session(self) -> None:
        """The connection is gone without goodbye; a POP3 lock lingers until autologout."""
        session, self.session = self.session, None
        if session is None:
            return
        session.drop_connection()
        if isinstance(session, pop3.Session) and session.state == "ABANDONED":
            self.env.process(self._autologout(session))
        self.client.disconnected()

    def _autologout(self, session: pop3.Session) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.server.config.autologout)
        session.autologout()

    # -- running a client's generator ----------------------------------------------------------
    def drive(self, gen: SyncGen) -> Generator[Any, Any, Any]:
        """Run ``gen`` command by command; throw ConnectionLost into it if the link or the
        server goes away (or a drop is drawn) before a command is sent. The traffic is
        recorded once per run of a generator, not per command."""
        try:
            return (yield from self._drive(gen))
        finally:
            self._flush()

    def _drive(self, gen: SyncGen) -> Generator[Any, Any, Any]:
        try:
            cmd = next(gen)
        except StopIteration as stop:
            return stop.value
        step = 0
        while True:
            if self.world.history.commands:  # exhaustive drops: where a sync can be cut
                self.world.history.add("command", self.env.now, self.id, cmd.name,
                                       str(cmd.args[0]) if cmd.args else "", step,
                                       self.client.pending())
            step += 1
            if (self.session is None or not self.online or not self.server.up
                    or self.drops.before(cmd)):
                return self._broken(gen)
            reply = self._execute(cmd)
            if reply is None:
                gen.close()
                return False
            self.busy = True
            yield self.env.timeout(self.link.duration(reply.cost))
            self.busy = False
            self._charge(reply.cost)
            if not (self.online and self.server.up) or self.drops.after(cmd):
                return self._broken(gen)
            if reply.updates:
                self.client.untagged(reply.updates)
            try:
                cmd = gen.send(reply)
            except StopIteration as stop:
                return True if stop.value is None else stop.value

    def _broken(self, gen: SyncGen) -> bool:
        self.lose_session()
        try:
            gen.throw(ConnectionLost())
        except (ConnectionLost, StopIteration):
            return False
        gen.close()
        self.world.violation(f"{self.id}: client kept issuing commands after ConnectionLost")
        return False

    def _execute(self, cmd: Cmd) -> Reply | None:
        self.world.acting = self
        try:
            if cmd.name == "smtp_send":
                return self.server.submission.send(*cmd.args, **cmd.kwargs)
            method = getattr(self.session, cmd.name, None)
            if method is None or cmd.name.startswith("_"):
                raise ProtocolError(f"no such {self.client.protocol} command {cmd.name!r}")
            return method(*cmd.args, **cmd.kwargs)
        except ProtocolError as err:
            self.world.violation(f"{self.id}: {err}")
            self.lose_session()
            return None
        finally:
            self.world.acting = None

    def _charge(self, cost: Cost) -> None:
        self._unbilled += cost

    def _flush(self) -> None:
        """Record the traffic charged since the last record as one history event."""
        cost, self._unbilled = self._unbilled, Cost()
        if cost.round_trips or cost.up or cost.down:
            self.world.history.add("traffic", self.env.now, self.id, cost.round_trips, cost.up,
                                   cost.down)


def _logout(conn: Conn) -> SyncGen:
    yield conn.logout()
