"""A device's line to one account, in time: one SimPy process that connects when the device
is online, runs its client's sync generator command by command (charging each command's
cost on the device's link), and waits for the next poll, an IDLE push or a job."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, Final

import simpy

from simulator.clients.base import Client, Conn, ConnectionLost, SyncGen, execute
from simulator.mail.connect import connect_cost, plaintext_login
from simulator.mail.message import Cost
from simulator.mail.reply import ProtocolError
from simulator.mail.store import StoreEvent
from simulator.observe.records import TrafficCharged
from simulator.world.clock import Clock, FirstOf
from simulator.world.faults import Drops
from simulator.world.timing import IDLE_GRACE, PROGRAM_TIMEOUT

if TYPE_CHECKING:
    from simulator.world.device import Device
    from simulator.world.network import Link
    from simulator.world.server import Server

Job = Callable[["Line"], Generator[Any, Any, Any]]
_FIRST_OF: Final = FirstOf  # Final: compiled code reads a C static, not a dict


class Line:
    """One account synced by one device: its client, its session, and the process that
    drives them."""

    def __init__(self, device: Device, client: Client, account: str, server: Server,
                 key: str) -> None:
        self.device, self.world = device, device.world
        self.env: Clock = device.env
        self.id = device.id
        self.account = account
        self.server = server
        self.key = key  # names the line's random draws
        self.client = client
        self.conn = Conn()
        self.drops = Drops(self)
        self.session: Any = None  # the backend's session (the model's or Dovecot's), or None
        self.busy = False
        self.wake = self.env.event()
        self.woken = False  # whether ``wake`` was triggered (SimPy's property costs a call)
        self.jobs: deque[Job] = deque()
        self.poll = float(device.spec.client.poll)
        """Seconds between the client's checks (the device's spec is frozen: read once)."""
        self.next_poll = 0.0
        self.idle_news = False
        self.last_ok_sync: float | None = None
        self.last_contact: float | None = None
        self._trips = self._up = self._down = 0  # traffic charged, not yet recorded

    # -- state -------------------------------------------------------------------------------
    @property
    def online(self) -> bool:
        """Whether the device has a network path now."""
        return self.device.online

    @property
    def link(self) -> Link:
        """The device's current path to the servers."""
        return self.device.link

    @property
    def grace(self) -> float:
        """How long after reaching the server a person expects mail over this line."""
        return IDLE_GRACE if self.client.idles else self.poll

    def connected_at(self) -> float | None:
        """When the line last talked to the server (now, if online and in session)."""
        if self.online and self.session is not None:
            return self.env.now
        return self.last_contact

    def signal(self) -> None:
        """Wake the line's process to look at its state again."""
        if not self.woken:  # only a line triggers its wake
            self.woken = True
            self.wake.succeed()

    def queue(self, job: Job) -> None:
        """Have the line's process run ``job`` (it drives the session, nobody else)."""
        self.jobs.append(job)
        self.signal()

    def pushed(self, event: StoreEvent) -> None:
        """IDLE: an INBOX change that another device made reaches this line if it idles in
        a session; it syncs what changed."""
        if self.session is not None and event.by != self.id and self.client.idles:
            self.idle_news = True
            self.signal()

    # -- the process -------------------------------------------------------------------------
    def run(self) -> Generator[Any, Any, None]:
        """Sync when due, run jobs (the first line: the person's requests), then sleep
        until a poll, a push or a job."""
        device, env = self.device, self.env
        serves = device.lines[0] is self
        while True:
            if device.online and self._sync_due():
                yield from self.sync(full=self.session is None or env.now >= self.next_poll)
                continue
            if self.jobs:
                yield from self.jobs.popleft()(self)
                continue
            if serves and device.requests:
                yield from device.serve()
                continue
            waits: list[simpy.Event] = [self.wake]
            if device.online:
                waits.append(env.timeout(max(0.0, self.next_poll - env.now)))
            yield _FIRST_OF(env, waits)
            if self.woken:
                self.woken = False
                self.wake = env.event()

    def _sync_due(self) -> bool:
        if self.env.now >= self.next_poll:
            return True
        ready = self.last_ok_sync is not None and self.server.up
        if self.session is None and not self.client.stays_connected:
            return ready and self.client.pending()
        return ready and (self.idle_news or self.client.pending())

    def sync(self, full: bool = True) -> Generator[Any, Any, bool]:
        """One sync: connect if needed, run the client's generator, keep or close the session
        (or run the device's real program)."""
        if self.client.runs_program:
            return (yield from self._run_program())
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

    def _run_program(self) -> Generator[Any, Any, bool]:
        """One run of the device's real program: hand the outbox to submission, run the
        program against the server while simulated time stands still, read the server's
        changes (named after the program and this device) and the device's Maildir back,
        then spend the run's traffic on the link."""
        self.next_poll = self.env.now + self.poll
        history = self.world.history
        server: Any = self.server  # a backend's server and a real program's client: their
        client: Any = self.client  # own methods, beyond the model's interfaces
        if not (self.online and server.up):
            self.last_ok_sync = None
            return False
        cfg = server.config
        cost = connect_cost(client.protocol, cfg.tls, cfg.tls_version)
        history.add("session", self.env.now, self.id, client.protocol, plaintext_login(cfg.tls))
        for msg in client.take_outbox():
            cost += server.submission.send(msg).cost
        drawn = self.drops.cut()
        result = client.run(server.access(self.account), drawn and drawn[0], PROGRAM_TIMEOUT)
        server.observe(self.account, client.program.name, self.id)
        cost += Cost(result.commands, result.up, result.down)
        delay = self.link.duration(cost)
        where = f"{drawn[0][0]}:{drawn[0][1]}" if drawn and result.cut else ""
        history.add("program", self.env.now, self.id, client.program.name, result.exit_code,
                    delay, result.commands, where, result.timed_out)
        if drawn and result.cut:
            history.add("drop", self.env.now, self.id, client.program.name, drawn[0][0],
                        drawn[1])
        yield from self._wait(delay)
        self._charge(cost)
        self._flush()
        if result.ok:
            self.last_ok_sync = self.last_contact = self.env.now
        else:
            self.last_ok_sync = None
        return result.ok

    def fetch(self, mid: str) -> Generator[Any, Any, bool]:
        """Open ``mid`` from the server (an online read of a body not kept locally)."""
        if not self.online or self.session is None:
            return False
        ok = yield from self.drive(self.client.open(self.conn, mid, self.env.now))
        if self.in_session() and not self._keep_open():  # the reading may have lost it
            yield from self._close()
        return bool(ok)

    def in_session(self) -> bool:
        """Whether a session is open (read afresh: a check before a yield does not hold after
        it, which the compiled core would otherwise assume)."""
        return self.session is not None

    def _keep_open(self) -> bool:
        return self.client.idles or self.poll < self.server.config.autologout

    # -- sessions ----------------------------------------------------------------------------
    def _connect(self) -> Generator[Any, Any, bool]:
        server = self.server
        if not server.up:
            return False
        cfg = server.config
        cost = connect_cost(self.client.protocol, cfg.tls, cfg.tls_version)
        yield from self._wait(self.link.duration(cost))
        self._charge(cost)
        if not (self.online and server.up):
            self._flush()
            return False
        self.session = server.open(self.account, self.client.protocol, self.id)
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
        if getattr(session, "state", "") == "ABANDONED":  # a POP3 lock holder, on any backend
            self.env.process(self._autologout(session))
        self.client.disconnected()

    def _autologout(self, session: Any) -> Generator[Any, Any, None]:
        yield self.env.timeout(self.server.config.autologout)
        session.autologout()

    # -- running a client's generator --------------------------------------------------------
    def drive(self, gen: SyncGen) -> Generator[Any, Any, Any]:
        """Run ``gen`` command by command; throw ConnectionLost into it if the link or the
        server goes away (or a drop is drawn) before a command is sent. The traffic is
        recorded once per run of a generator, not per command. (One frame, with the
        line's parts looked up once: SimPy resumes through it at every command.)"""
        device, server, drops, env = self.device, self.server, self.drops, self.env
        history = self.world.history
        client = self.client
        submission, protocol = server.submission, client.protocol
        commands = history.commands  # fixed for the run
        try:
            try:
                cmd = next(gen)
            except StopIteration as stop:
                return stop.value
            step = 0
            while True:
                if commands:  # exhaustive drops: where a sync can be cut
                    history.add("command", env.now, self.id, cmd.name,
                                str(cmd.args[0]) if cmd.args else "", step,
                                client.pending())
                step += 1
                if (self.session is None or not device.online or not server.up
                        or ((drops.due_after or drops.scripted
                             or not device.link.drop_probability <= 0)  # before's test
                            and drops.before(cmd))):
                    return self._broken(gen)
                try:  # execute, not a method around it: one call fewer per command
                    reply = execute(cmd, self.session, submission, protocol)
                except ProtocolError as err:
                    self._refused(err)
                    gen.close()
                    return False
                cost = reply.cost
                delay = device.link.duration(cost)
                if not env.skip(delay):  # see Clock.skip: the same run, one event fewer
                    self.busy = True
                    yield env.timeout(delay)
                    self.busy = False
                self._trips += cost.round_trips  # _charge, inlined: once per command
                self._up += cost.up
                self._down += cost.down
                if not (device.online and server.up) or (
                        (drops.due_after or drops.scripted) and drops.after(cmd)):  # after's test
                    return self._broken(gen)
                if reply.updates:
                    client.untagged(reply.updates)
                try:
                    cmd = gen.send(reply)
                except StopIteration as stop:
                    return True if stop.value is None else stop.value
        finally:
            self._flush()

    def _wait(self, delay: float) -> Generator[Any, Any, None]:
        """Spend ``delay`` on the link, busy (a drop or roam then breaks the connection
        after the command, not before); skipped when nothing can happen meanwhile."""
        if not self.env.skip(delay):
            self.busy = True
            yield self.env.timeout(delay)
            self.busy = False

    def _broken(self, gen: SyncGen) -> bool:
        self.lose_session()
        try:
            gen.throw(ConnectionLost())
        except (ConnectionLost, StopIteration):
            return False
        gen.close()
        self.world.violation(f"{self.id}: client kept issuing commands after ConnectionLost")
        return False

    def _refused(self, err: ProtocolError) -> None:
        """The server refused a command the protocol forbids: a violation that ends the
        session (the session's changes name this line's device as their maker)."""
        self.world.violation(f"{self.id}: {err}")
        self.lose_session()

    def _charge(self, cost: Cost) -> None:
        """Add a command's cost to the traffic not yet recorded (three sums, no Cost built
        per command)."""
        self._trips += cost.round_trips
        self._up += cost.up
        self._down += cost.down

    def _flush(self) -> None:
        """Record the traffic charged since the last record as one history event."""
        trips, up, down = self._trips, self._up, self._down
        if trips or up or down:
            self._trips = self._up = self._down = 0
            self.world.history.emit(TrafficCharged(self.env.now, self.id, trips, up, down))


def _logout(conn: Conn) -> SyncGen:
    yield conn.logout()
