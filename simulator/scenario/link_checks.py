"""Cross-reference checks for the network topology and its faults: `via` chains, roaming
devices' networks, and the targets of `partition` and `drop` events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import Issue
from .events import AddEvent, DropEvent, PartitionEvent, timeline
from .links import Attachment
from .naming import unknown
from .units import format_at
from .yamlio import Loc

if TYPE_CHECKING:
    from .scenario import Scenario


def check_links(scenario: Scenario) -> list[Issue]:
    """Every topology problem: bad `via`, unknown roaming networks, bad fault targets."""
    issues = list(_check_via(scenario))
    issues += _check_roaming(scenario)
    issues += _check_fault_targets(scenario)
    return issues


def _check_via(scenario: Scenario) -> Iterator[Issue]:
    """`via` names another network, and following `via` always reaches the server."""
    names = list(scenario.networks)
    for name, net in scenario.networks.items():
        if net.via is None:
            continue
        loc = ("networks", name, "via")
        if net.via not in scenario.networks:
            yield Issue(loc, unknown("network", net.via, names))
            continue
        seen = [name]
        hop: str | None = net.via
        while hop is not None and hop in scenario.networks and hop not in seen:
            seen.append(hop)
            hop = scenario.networks[hop].via
        if hop is not None and hop in seen:
            cycle = " -> ".join([*seen[seen.index(hop) :], hop])
            yield Issue(loc, f"networks reach each other in a circle ({cycle}), never the server")


def _attachment_issues(
    items: list[Attachment] | None, loc: Loc, names: list[str]
) -> Iterator[Issue]:
    """Each network a roaming device lists exists."""
    for k, item in enumerate(items or ()):
        if item.network not in names:
            yield Issue((*loc, "networks", k), unknown("network", item.network, names))


def _check_roaming(scenario: Scenario) -> Iterator[Issue]:
    """Profiles, users' devices and added devices name existing networks in `networks`."""
    names = list(scenario.networks)
    for name, spec in scenario.profiles.items():
        yield from _attachment_issues(spec.networks, ("profiles", name), names)
    for i, group in enumerate(scenario.users):
        for j, ref in enumerate(group.devices):
            yield from _attachment_issues(ref.networks, ("users", i, "devices", j), names)
    for k, event in enumerate(scenario.events):
        if isinstance(event, AddEvent):
            loc = ("events", k, "add", "device")
            yield from _attachment_issues(event.add.device.networks, loc, names)


def _devices_by_time(scenario: Scenario) -> tuple[set[str], dict[str, float]]:
    """Device ids at the start, and when each added device appears."""
    start = {
        f"{user}/{ref.name}"
        for group in scenario.users
        for user in group.user_names()
        for ref in group.devices
    }
    added = {e.device_id: e.at for e in timeline(scenario.events) if isinstance(e, AddEvent)}
    return start, added


def _target_issue(
    name: str,
    at: float,
    scenario: Scenario,
    devices: tuple[set[str], dict[str, float]],
    networks_ok: bool,
) -> str | None:
    """Why `name` cannot be cut at `at`, or None if it can."""
    start, added = devices
    if "/" not in name:
        if networks_ok and name in scenario.networks:
            return None
        return unknown("network", name, list(scenario.networks))
    if name in start:
        return None
    if name in added:
        if added[name] <= at:
            return None
        when = format_at(added[name])
        return f"device {name!r} does not exist yet at {format_at(at)} (added at {when})"
    return f"unknown device {name!r}"


def _check_fault_targets(scenario: Scenario) -> Iterator[Issue]:
    """Partitions cut existing networks or devices; drops hit existing devices."""
    devices = _devices_by_time(scenario)
    for k, event in enumerate(scenario.events):
        if isinstance(event, PartitionEvent):
            for n, name in enumerate(event.partition):
                problem = _target_issue(name, event.at, scenario, devices, networks_ok=True)
                if problem:
                    yield Issue(("events", k, "partition", n), problem)
        elif isinstance(event, DropEvent):
            problem = _target_issue(event.drop, event.at, scenario, devices, networks_ok=False)
            if problem:
                yield Issue(("events", k, "drop"), problem)
