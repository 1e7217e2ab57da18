"""Cross-reference checks on a whole scenario: names that must exist, shares, variant keys.

These run after every field is valid, and collect every problem rather than stopping at the
first, each as an Issue with the path of the offending value.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import TYPE_CHECKING

from .devices import PROTOCOL_KEYS, DeviceRef, DeviceSpec
from .errors import Issue
from .events import AddEvent, DeliverEvent, LoseEvent, OfflineEvent, UserActionEvent, timeline
from .link_checks import check_links
from .naming import unknown
from .units import format_at
from .yamlio import Loc

if TYPE_CHECKING:
    from .scenario import Scenario


def check_scenario(scenario: Scenario) -> list[Issue]:
    """Every cross-reference problem in scenario, in the order they appear."""
    issues = list(_check_profiles(scenario))
    issues += _check_users(scenario)
    issues += _check_events(scenario)
    issues += _check_variants(scenario)
    issues += check_links(scenario)
    return issues


def _check_profiles(scenario: Scenario) -> Iterator[Issue]:
    """Profiles name existing networks."""
    for name, spec in scenario.profiles.items():
        if spec.network not in scenario.networks and not spec.networks:
            loc = ("profiles", name, "network")
            yield Issue(loc, unknown("network", spec.network, scenario.networks))


def check_ref(
    ref: DeviceRef, loc: Loc, profiles: Mapping[str, DeviceSpec], networks: Collection[str]
) -> list[Issue]:
    """A device entry names an existing profile (or a protocol), network, and fitting keys."""
    profile = profiles.get(ref.profile) if ref.profile is not None else None
    if ref.profile is not None and profile is None:
        return [Issue((*loc, "profile"), unknown("profile", ref.profile, profiles))]
    issues = []
    if profile is None and ref.protocol is None:
        issues.append(Issue((*loc, "protocol"), "missing required key 'protocol' (no profile)"))
    named = profile is None or "network" in ref.model_fields_set
    if named and not ref.networks and ref.network not in networks:  # link_checks: networks
        issues.append(Issue((*loc, "network"), unknown("network", ref.network, networks)))
    protocol = ref.protocol or (profile.protocol if profile else None)
    if ref.protocol is None and protocol is not None:
        for key in ref.client.foreign_keys(protocol):
            message = f"{key!r} does not apply to {protocol.upper()} (profile {ref.profile!r})"
            issues.append(Issue((*loc, "client", key), message, at_key=True))
    return issues


def _check_users(scenario: Scenario) -> Iterator[Issue]:
    """User names are unique after count expansion; device entries resolve."""
    owner: dict[str, int] = {}
    for i, group in enumerate(scenario.users):
        for name in group.user_names():
            if name in owner:
                message = f"user {name!r} is already defined by users[{owner[name]}]"
                yield Issue(("users", i, "name"), message)
                break
            owner[name] = i
        for j, ref in enumerate(group.devices):
            loc = ("users", i, "devices", j)
            yield from check_ref(ref, loc, scenario.profiles, scenario.networks)
    yield from _check_accounts(scenario, owner)


def _check_accounts(scenario: Scenario, users: Mapping[str, int]) -> Iterator[Issue]:
    """Further accounts name a server of `servers:`, and their ids ("ann+home") are not
    also user names."""
    for i, group in enumerate(scenario.users):
        for k, account in enumerate(group.accounts):
            loc = ("users", i, "accounts", k)
            if account.server is not None and account.server not in scenario.servers:
                message = unknown("server", account.server, list(scenario.servers))
                yield Issue((*loc, "server"), message)
            clash = next((f"{n}+{account.name}" for n in group.user_names()
                          if f"{n}+{account.name}" in users), None)
            if clash is not None:
                message = f"account {clash!r} would have the same name as user {clash!r}"
                yield Issue((*loc, "name"), message)


def _device_owners(scenario: Scenario) -> dict[str, set[str]]:
    """Each user's device names at the start of the scenario."""
    devices: dict[str, set[str]] = {}
    for group in scenario.users:
        for name in group.user_names():
            devices[name] = {ref.name for ref in group.devices}
    return devices


def _check_events(scenario: Scenario) -> Iterator[Issue]:
    """Events, taken in time order, name users and devices that exist at that time."""
    devices = _device_owners(scenario)
    added = {e.device_id: e.at for e in scenario.events if isinstance(e, AddEvent)}
    index = {id(event): i for i, event in enumerate(scenario.events)}
    for event in timeline(scenario.events):
        loc: Loc = ("events", index[id(event)])
        if isinstance(event, AddEvent):
            yield from _check_add(event, loc, devices, scenario)
        elif isinstance(event, DeliverEvent) and event.deliver.to not in devices:
            yield Issue((*loc, "deliver", "to"), unknown("user", event.deliver.to, devices))
        elif isinstance(event, LoseEvent | OfflineEvent | UserActionEvent):
            yield from _check_target(event, loc, devices, added)


def _check_target(
    event: LoseEvent | OfflineEvent | UserActionEvent,
    loc: Loc,
    devices: Mapping[str, set[str]],
    added: Mapping[str, float],
) -> Iterator[Issue]:
    """The user and device an event acts on exist when it happens."""
    user, _, device = event.device_id.partition("/")
    user_key, device_key = (
        ("user", "on") if isinstance(event, UserActionEvent) else (event.kind,) * 2
    )
    if user not in devices:
        yield Issue((*loc, user_key), unknown("user", user, devices))
    elif device not in devices[user]:
        when = added.get(event.device_id)
        if when is not None and when > event.at:
            message = (
                f"device {event.device_id!r} does not exist yet at {format_at(event.at)} "
                f"(it is added at {format_at(when)})"
            )
        else:
            message = unknown("device", device, sorted(devices[user]), f" of user {user!r}")
        yield Issue((*loc, device_key), message)


def _check_add(
    event: AddEvent, loc: Loc, devices: dict[str, set[str]], scenario: Scenario
) -> Iterator[Issue]:
    """An added device belongs to an existing user, has a new name and resolves."""
    spec = event.add
    if spec.user not in devices:
        yield Issue((*loc, "add", "user"), unknown("user", spec.user, devices))
        return
    if spec.device.name in devices[spec.user]:
        message = f"user {spec.user!r} already has a device named {spec.device.name!r}"
        yield Issue((*loc, "add", "device", "name"), message)
    devices[spec.user].add(spec.device.name)
    device_loc = (*loc, "add", "device")
    yield from check_ref(spec.device, device_loc, scenario.profiles, scenario.networks)


def _protocols_in_use(scenario: Scenario) -> set[str]:
    """Every protocol some profile or device uses."""
    used = {spec.protocol for spec in scenario.profiles.values()}
    refs = [ref for group in scenario.users for ref in group.devices]
    refs += [e.add.device for e in scenario.events if isinstance(e, AddEvent)]
    used |= {ref.protocol for ref in refs if ref.protocol is not None}
    return used


def _check_variants(scenario: Scenario) -> Iterator[Issue]:
    """A variant that keeps each device's protocol only sets keys every device understands."""
    if not scenario.variants:
        return
    used = _protocols_in_use(scenario)
    for name, variant in scenario.variants.items():
        if variant.protocol is not None:
            continue
        for key in variant.client.set_values():
            owners = [p for p in PROTOCOL_KEYS if key in PROTOCOL_KEYS[p]]
            if owners and used - set(owners):
                others = ", ".join(p.upper() for p in sorted(used - set(owners)))
                message = (
                    f"{key!r} only applies to {owners[0].upper()}, but some devices use "
                    f"{others}; set the variant's protocol"
                )
                yield Issue(("variants", name, "client", key), message, at_key=True)
