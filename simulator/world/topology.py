"""The network as a graph: server — access networks (possibly chained with `via`) — devices.

Each edge is a link with a cost (latency, bandwidth, loss, drop probability) and an
availability: a weekly schedule, random failures (exponential mtbf/mttr from a seeded
stream), and partition cuts. A device reaches the server over the first of its networks
(in its order of preference) that is available to it and has a path of up links to the
server; a sync then costs that path's summed latency and bottleneck bandwidth. Without a
path the device is offline. Changing networks breaks the open connection, as a new
address would.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Final

import networkx as nx

from simulator.world.network import Link, path_link
from simulator.world.streams import stream
from simulator.world.timing import MIN_WAIT, WEEK

if TYPE_CHECKING:
    from simulator.scenario.weekly import WeeklySchedule
    from simulator.world.device import Device
    from simulator.world.world import World

SERVER: Final = "server"
ACCESS: Final = Link(0.0, float("inf"))  # a device's own hop onto a network costs nothing extra


def net_node(name: str) -> str:
    """The graph node of network ``name``."""
    return f"net:{name}"


@dataclass
class LinkState:
    """One edge: its cost and the three things that can take it down."""

    name: str
    link: Link
    scheduled: bool = True
    failed: bool = False
    cuts: int = 0

    @property
    def up(self) -> bool:
        """In its schedule, not failed, and not cut by a partition."""
        return self.scheduled and not self.failed and self.cuts == 0


class Topology:
    """Links, their availability over time, and each device's current path to the server."""

    def __init__(self, world: World) -> None:
        self.world, self.env, self.history = world, world.env, world.history
        self.scenario = world.scenario
        self.graph: nx.Graph = nx.Graph()
        self.graph.add_node(SERVER)
        self.uplinks: dict[str, LinkState] = {}
        self.access: dict[str, list[tuple[str, LinkState]]] = {}
        self.devices: dict[str, Device] = {}
        self.routes: dict[str, list[str] | None] = {}
        self.current: dict[str, str | None] = {}
        for name, net in self.scenario.networks.items():
            cost = Link(net.latency, net.bandwidth, net.loss, net.drop_probability)
            state = LinkState(name, cost)
            if net.up is not None:
                state.scheduled = self._on(net.up.weekly)
            self.uplinks[name] = state
            towards = net_node(net.via) if net.via else SERVER
            self.graph.add_edge(net_node(name), towards, state=state)
        self._route_networks()

    # -- building ----------------------------------------------------------------------------
    def _on(self, schedule: WeeklySchedule) -> bool:
        """Whether a weekly schedule is on now."""
        return bool(schedule.is_on((self.scenario.start_weekday_offset_s + self.env.now) % WEEK))

    def attach(self, device: Device) -> None:
        """Connect a (new) device to its networks and give it its first path."""
        self.devices[device.id] = device
        states = []
        for attachment in device.spec.attachments:
            state = LinkState(f"{device.id}>{attachment.network}", ACCESS)
            state.scheduled = self._on(attachment.weekly)
            self.graph.add_edge(f"dev:{device.id}", net_node(attachment.network), state=state)
            states.append((attachment.network, state))
            self._follow(attachment.weekly, state, lambda d=device: self._reroute(d))  # type: ignore[misc]
        self.access[device.id] = states
        self._reroute(device)

    def start(self) -> None:
        """Start the networks' schedules and random failures."""
        for name, net in self.scenario.networks.items():
            if net.up is None:
                continue
            state = self.uplinks[name]
            self._follow(net.up.weekly, state, self._refresh, cause="schedule")
            if net.up.fails:
                self.env.process(self._failures(state, net.up.mtbf, net.up.mttr))  # type: ignore[arg-type]

    # -- availability over time ----------------------------------------------------------------
    def _follow(self, schedule: WeeklySchedule, state: LinkState, changed: Callable[[], None],
                cause: str = "") -> None:
        """Keep ``state.scheduled`` in step with a weekly schedule (no process if constant)."""
        offset = self.scenario.start_weekday_offset_s
        if schedule.next_change((offset + self.env.now) % WEEK) == float("inf"):
            return

        def run() -> Generator[Any, Any, None]:
            """Sleep until the schedule flips, then apply it."""
            while True:
                wait = schedule.next_change((offset + self.env.now) % WEEK)
                yield self.env.timeout(max(wait, MIN_WAIT))
                self._set(state, changed, cause, scheduled=self._on(schedule))

        self.env.process(run())

    def _failures(self, state: LinkState, mtbf: float, mttr: float) -> Generator[Any, Any, None]:
        """Up for exponential(mtbf), down for exponential(mttr), for ever (seeded per link)."""
        rng = stream(self.scenario.seed, "link", state.name)
        while True:
            yield self.env.timeout(rng.expovariate(1.0 / mtbf))
            self._set(state, self._refresh, "failure", failed=True)
            yield self.env.timeout(rng.expovariate(1.0 / mttr))
            self._set(state, self._refresh, "failure", failed=False)

    def _set(self, state: LinkState, changed: Callable[[], None], cause: str,
             **flags: Any) -> None:
        """Change a link's flags; if that flips it, record it (network links) and re-route."""
        was = state.up
        for key, value in flags.items():
            setattr(state, key, value)
        if state.up == was:
            return
        if cause:
            self.history.add("link", self.env.now, state.name, state.up, cause)
        changed()

    def partition(self, targets: list[str], length: float) -> Generator[Any, Any, None]:
        """Cut the named networks' links and devices' access for ``length`` seconds."""
        states = self._states_of(targets)
        self.history.add("partition", self.env.now, tuple(targets), True)
        for state in states:
            self._set(state, lambda: None, "partition" if state.name in self.uplinks else "",
                      cuts=state.cuts + 1)
        self._refresh()
        yield self.env.timeout(length)
        self.history.add("partition", self.env.now, tuple(targets), False)
        for state in states:
            self._set(state, lambda: None, "partition" if state.name in self.uplinks else "",
                      cuts=state.cuts - 1)
        self._refresh()

    def _states_of(self, targets: list[str]) -> list[LinkState]:
        """Network names stand for their uplink; "user/device" for all of its access links."""
        states: list[LinkState] = []
        for target in targets:
            if target in self.uplinks:
                states.append(self.uplinks[target])
            else:
                states.extend(state for _, state in self.access.get(target, ()))
        return states

    # -- routing -------------------------------------------------------------------------------
    def _route_networks(self) -> None:
        """Each network's path of up links to the server (None if there is none)."""
        graph = self.graph
        view = nx.subgraph_view(
            graph,
            filter_node=lambda n: not n.startswith("dev:"),
            filter_edge=lambda u, v: graph.edges[u, v]["state"].up,
        )
        for name in self.uplinks:
            try:
                self.routes[name] = nx.shortest_path(view, net_node(name), SERVER)
            except nx.NetworkXNoPath:
                self.routes[name] = None

    def _refresh(self) -> None:
        """A network link changed: recompute network paths, then every device's."""
        self._route_networks()
        for device in self.devices.values():
            self._reroute(device)

    def path(self, device_id: str) -> tuple[str, Link] | None:
        """The network a device would use now and its path's cost, or None."""
        for network, access in self.access[device_id]:
            nodes = self.routes.get(network)
            if access.up and nodes is not None:
                hops = [self.graph.edges[u, v]["state"].link for u, v in pairwise(nodes)]
                return network, path_link([access.link, *hops])
        return None

    def _reroute(self, device: Device) -> None:
        """Give ``device`` its current path; switching networks breaks its connection."""
        found = self.path(device.id)
        network = found[0] if found else None
        old = self.current.get(device.id, "")
        if found is not None:
            device.use_link(found[1])
        if network != old:
            self.current[device.id] = network
            self.history.add("route", self.env.now, device.id, network)
            if old and network:
                device.roamed()
        device.set_online(routed=found is not None)
