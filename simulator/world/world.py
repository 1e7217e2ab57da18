"""Builds the timed world from a scenario and runs it: server, devices, people, scripted
events and hourly samples, all appending to one history that the checkers read."""

from __future__ import annotations

import importlib
from collections.abc import Collection, Generator, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Final

from simulator.clients.base import Client
from simulator.clients.external import ExternalClient, ExternalPop3Client
from simulator.clients.imap import ImapClient
from simulator.clients.local import LocalStore
from simulator.clients.parts import LOCAL_TREE, StorePart
from simulator.clients.pop3 import Pop3Client
from simulator.external.program import MissingProgram, require
from simulator.mail.store import StoreEvent
from simulator.observe.history import History
from simulator.scenario.users import account_id
from simulator.world.clock import Clock
from simulator.world.device import Device
from simulator.world.events import apply_event, concerns
from simulator.world.faults import watch_removals
from simulator.world.line import Line
from simulator.world.network import Link
from simulator.world.people import Person
from simulator.world.server import Server
from simulator.world.timing import MIN_WAIT, SAMPLE_EVERY, WEEK
from simulator.world.topology import Topology

if TYPE_CHECKING:
    from simulator.scenario import ResolvedDevice, Scenario, ServerConfig
    from simulator.scenario.events import EventBase

BUILTIN_CLIENTS: Final[dict[str, type[Client]]] = {"pop3": Pop3Client, "imap": ImapClient}


class SimulationError(Exception):
    """The scenario cannot be run as given (e.g. a client class that cannot be loaded)."""


def client_class(spec: ResolvedDevice) -> type[Client]:
    """The built-in client for the device's protocol, a real program's
    (``external: mbsync``), or the user's ``module:Class``."""
    if spec.client.external is not None:
        return ExternalPop3Client if spec.protocol == "pop3" else ExternalClient
    name = spec.client.class_
    if not name:
        return BUILTIN_CLIENTS[spec.protocol]
    module, _, attr = name.partition(":")
    try:
        cls = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError, ValueError) as err:
        raise SimulationError(f"{spec.id}: cannot load client class {name!r}: {err}") from err
    if not (isinstance(cls, type) and issubclass(cls, Client)):
        raise SimulationError(f"{spec.id}: {name!r} is not a simulator.clients.Client subclass")
    if cls.protocol != spec.protocol:
        raise SimulationError(f"{spec.id}: {name!r} speaks {cls.protocol}, not {spec.protocol}")
    return cls


MODEL_ONLY: Final[Mapping[str, type[Server]]] = {"model": Server}
"""The server backends a world knows by default; runs/ hands it simulator.backend's too."""


def server_class(config: ServerConfig, backends: Mapping[str, type[Server]]) -> type[Server]:
    """The server class of ``config.backend``, checked to run here (Dovecot's names the
    Debian packages when it cannot)."""
    cls = backends.get(config.backend)
    if cls is None:
        raise SimulationError(f"server backend {config.backend!r} is not available here "
                              f"(known: {', '.join(sorted(backends))})")
    cls.check()
    return cls


class World:
    """Everything that happens in one run of one scenario (one variant, one seed)."""

    def __init__(self, scenario: Scenario, history: History | None = None,
                 people: Collection[str] | None = None,
                 backends: Mapping[str, type[Server]] = MODEL_ONLY) -> None:
        """Build the world of ``scenario``; with ``people``, only theirs (one shard of a
        sharded run: accounts keep their place in the whole scenario, so UIDVALIDITY and
        every random stream are the same as in the whole run); ``backends`` are the server
        classes its servers may ask for (``server: {backend: ...}``)."""
        self.scenario = scenario
        self.only = frozenset(people) if people is not None else None
        self.env = Clock(0.0)  # a float from the start: the compiled core reads times as floats
        self.history = history or History()
        self.server = server_class(scenario.server, backends)(self.env, scenario.server,
                                                              self.history)
        self.servers = {"": self.server} | {
            name: server_class(cfg, backends)(self.env, cfg, self.history, name)
            for name, cfg in scenario.servers.items()
        }
        self.logs: dict[str, str] = {}  # a real server's log by file name, after close()
        for server in self.servers.values():
            server.watchers.append(self._push)
        self.home: dict[str, Server] = {}  # account -> the server it lives on
        self.people: dict[str, Person] = {}
        self.devices: dict[str, Device] = {}
        self.lines_of: dict[str, list[Line]] = {}  # account -> the lines syncing it
        self.topology = Topology(self)
        watch_removals(self)
        try:
            self._populate(scenario)
        except BaseException:
            self.close()  # a real server's processes and scratch folder go with the error
            raise

    def _populate(self, scenario: Scenario) -> None:
        """Accounts, people and devices of ``scenario`` (only this shard's people)."""
        roster = scenario.roster()  # everyone, in order: accounts are numbered over all
        users = scenario.expand(self.only)
        place = {name: index for index, (name, _) in enumerate(roster)}
        for user in users:
            self._add_account(user.name, user.name, "", place[user.name])
            self.people[user.name] = Person(self, user)
        index = len(roster)
        for name, group in roster:
            for account in group.accounts:
                if self._mine(name):
                    self._add_account(account_id(name, account), name, account.server or "",
                                      index)
                index += 1
        for user in users:
            for spec in user.devices:
                self.add_device(spec)
        self.added = {id(event): spec for event, spec in scenario.added_devices()}

    # -- building ----------------------------------------------------------------------------
    def _mine(self, person: str) -> bool:
        """Whether ``person`` lives in this world (every person, unless it is one shard)."""
        return self.only is None or person in self.only

    def _add_account(self, account: str, person: str, server: str, index: int) -> None:
        """Open ``account`` on its server; a person's further accounts are recorded."""
        self.servers[server].add_account(account, index)
        self.home[account] = self.servers[server]
        self.lines_of[account] = []
        if account != person:
            quota = self.servers[server].config.quota
            self.history.add("account", self.env.now, account, person, server, quota)

    def lines(self) -> Iterator[Line]:
        """Every device's line to every account it syncs."""
        for device in self.devices.values():
            yield from device.lines

    def add_device(self, spec: ResolvedDevice) -> Device:
        """Create a device with a line (and client) per account of its person and start
        their processes."""
        net = self.scenario.networks[spec.network]
        store = LocalStore(spec.storage)
        cls = client_class(spec)
        device = Device(self, spec, store, Link(net.latency, net.bandwidth))
        accounts = self.people[spec.user].accounts
        for account in accounts:
            part: LocalStore | StorePart = store
            if len(accounts) > 1:
                tree = LOCAL_TREE if cls.merges_accounts else account
                part = StorePart(store, account, tree, lambda mid, tree: self.history.add(
                    "filed", self.env.now, spec.id, mid, tree))
            client = cls(spec.id, spec.client, part)
            if cls.runs_program:
                self._attach_program(spec, client, len(accounts), self.home[account])
            line = device.add_line(client, account, self.home[account])
            self.lines_of[account].append(line)
        store.listener = device.viewed
        self.devices[device.id] = device
        self.people[spec.user].devices.append(device)
        self.history.add("device", self.env.now, device.id, spec.user, spec.protocol,
                         device.grace)
        self.topology.attach(device)
        self.env.process(self._schedule(device))
        for line in device.lines:
            self.env.process(line.run())
        return device

    def _attach_program(self, spec: ResolvedDevice, client: Client, accounts: int,
                        server: Server) -> None:
        """Give a device's real program its scratch folder on a real server."""
        if not server.runs_programs:
            raise SimulationError(f"{spec.id}: a real program ({spec.client.external}) needs "
                                  "the Dovecot backend (server: {backend: dovecot}, or "
                                  "--server dovecot)")
        if accounts > 1:
            raise SimulationError(f"{spec.id}: a real program syncs one account; "
                                  f"{spec.user} has {accounts}")
        assert isinstance(client, ExternalClient)
        try:
            require(client.program.name, client.program.package)
        except MissingProgram as err:
            raise SimulationError(f"{spec.id}: {err}") from None
        real: Any = server  # Dovecot's server (runs_programs), with its own workspaces
        client.attach(real.workspace(spec.id.replace("/", "--")), real.letter)

    def _push(self, account: str, event: StoreEvent) -> None:
        """IDLE: tell the lines of ``account`` about INBOX news (each skips its own)."""
        if event.mailbox != "INBOX":
            return
        for line in self.lines_of[account]:
            line.pushed(event)

    def violation(self, text: str) -> None:
        """A broken rule or invariant: recorded, and it makes the verdict false."""
        self.history.add("violation", self.env.now, text)

    # -- processes -----------------------------------------------------------------------------
    def _schedule(self, device: Device) -> Generator[Any, Any, None]:
        weekly = device.spec.online
        offset = self.scenario.start_weekday_offset_s
        while True:
            t_week = (offset + self.env.now) % WEEK
            device.set_online(scheduled=weekly.is_on(t_week))
            wait = weekly.next_change(t_week)
            if wait == float("inf"):
                return
            yield self.env.timeout(max(wait, MIN_WAIT))

    def _sampler(self) -> Generator[Any, Any, None]:
        while True:
            online = sum(1 for d in self.devices.values() if d.online)
            self.history.add("tick", self.env.now, online, self.server.up)
            yield self.env.timeout(SAMPLE_EVERY)

    def _at(self, event: EventBase) -> Generator[Any, Any, None]:
        yield self.env.timeout(event.at)
        apply_event(self, event)

    def start(self) -> None:
        """Start people, retention, outages, scripted events and sampling."""
        for person in self.people.values():
            person.start()
        for server in self.servers.values():
            if server.config.retention:
                self.env.process(server.retention())
        for event in self.scenario.events:
            if self.only is None or concerns(event, self.only):
                self.env.process(self._at(event))
        for server in self.servers.values():
            for outage in server.config.outages:
                self.env.process(self._outage(server, outage.at, outage.for_))
        self.topology.start()
        self.env.process(self._sampler())

    def _outage(self, server: Server, at: float, length: float) -> Generator[Any, Any, None]:
        yield self.env.timeout(at)
        self._server_up(server, False)
        for line in self.lines():
            if line.server is server and not line.busy:
                line.lose_session()
        yield self.env.timeout(length)
        self._server_up(server, True)
        for line in self.lines():
            if line.server is server:
                line.signal()

    def _server_up(self, server: Server, up: bool) -> None:
        """The organisation's server's outages are "outage" events; another server's are
        "server_outage" events naming it."""
        server.up = up
        if server is self.server:
            self.history.add("outage", self.env.now, not up)
        else:
            self.history.add("server_outage", self.env.now, server.name, not up)

    def run(self) -> History:
        """Run to the scenario's end and close the history (and the servers)."""
        try:
            self.start()
            self.env.run(until=self.scenario.duration)
            self.history.add("end", self.env.now)
        finally:
            self.close()
        return self.history

    def close(self) -> None:
        """End what a real server backend runs (its processes and scratch folder), keeping
        its log in ``logs``; nothing to do on the model."""
        for device in self.devices.values():
            for line in device.lines:
                if isinstance(line.client, ExternalClient):
                    name = f"{line.client.program.name}-{device.id.replace('/', '--')}.log"
                    self.logs[name] = line.client.log()
        for name, server in self.servers.items():
            text = server.close()
            if text:
                self.logs[f"dovecot-{name}.log" if name else "dovecot.log"] = text


__all__ = ["SimulationError", "World"]
