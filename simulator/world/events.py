"""Scripted events carried out at their time: lose, add, offline, deliver, the server's
UIDVALIDITY reset, a person's action on a named device, partitions (links cut for a while)
and a device's connection dropped at a chosen command."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from simulator.mail.message import Message
from simulator.scenario.events import (
    AddEvent,
    DeliverEvent,
    DropEvent,
    EventBase,
    LoseEvent,
    OfflineEvent,
    PartitionEvent,
    ServerEvent,
    UserActionEvent,
)
from simulator.world.people import Person, _now

if TYPE_CHECKING:
    from simulator.world.device import Device
    from simulator.world.world import World


def apply_event(world: World, event: EventBase) -> None:
    """Dispatch on the event's class."""
    match event:
        case LoseEvent():
            _lose(world, event)
        case AddEvent():
            _add(world, event)
        case OfflineEvent():
            _offline(world, event)
        case DeliverEvent():
            _deliver(world, event)
        case ServerEvent():
            _server(world, event)
        case UserActionEvent():
            _user(world, event)
        case PartitionEvent():
            _partition(world, event)
        case DropEvent():
            _drop(world, event)
        case _:
            raise TypeError(f"no handler for scripted event {type(event).__name__}")


def _lose(world: World, event: LoseEvent) -> None:
    device = world.devices[event.lose]
    world.history.add("lost", world.env.now, device.id)  # first: the wipe's views follow
    device.lost()


def _add(world: World, event: AddEvent) -> None:
    spec = world.added[id(event)]
    world.add_device(spec)
    world.history.add("added", world.env.now, spec.id)


def _offline(world: World, event: OfflineEvent) -> None:
    device = world.devices[event.offline]
    device.set_online(forced=1)
    world.env.process(_back_online(world, device, event.for_))


def _back_online(world: World, device: Device, after: float) -> Generator[Any, Any, None]:
    yield world.env.timeout(after)
    device.set_online(forced=-1)


def _deliver(world: World, event: DeliverEvent) -> None:
    person = world.people[event.deliver.to]
    rng_size = int(event.deliver.size.median)
    for i in range(event.deliver.count):
        mid = f"e{int(event.at)}-{i + 1}@{person.name}"
        world.env.process(person.deliver(Message(mid, rng_size, world.env.now)))


def _server(world: World, event: ServerEvent) -> None:
    if event.server == "uidvalidity-reset":
        for line in world.lines():
            if line.server is world.server:
                line.lose_session()
        world.server.reset_uidvalidity()
        world.history.add("uidvalidity_reset", world.env.now)


def _user(world: World, event: UserActionEvent) -> None:
    person = world.people[event.user]
    device = world.devices[event.device_id]
    device.request(lambda d: _do(person, d, event.do))


def _do(person: Person, device: Device, action: str) -> Generator[Any, Any, None]:
    if action == "check":
        yield from person.check(device, -1)
    elif action == "read":
        yield from person.check(device, -1, read_all=True)
    elif action == "send":
        yield from _now(person.send, device, int(person.spec.mail.size.median))
    else:
        inbox = device.store.visible_keys("INBOX")
        if inbox:
            mid = device.store.msgs[inbox[-1]].msg.mid
            getattr(person, action)(device, mid)


def _partition(world: World, event: PartitionEvent) -> None:
    """Cut the named links for the event's duration."""
    world.env.process(world.topology.partition(list(event.partition), event.for_))


def _drop(world: World, event: DropEvent) -> None:
    """Arm a one-shot connection drop at the device's next matching command (on the line to
    the person's own account)."""
    world.devices[event.drop].lines[0].drops.script(*event.moment)
