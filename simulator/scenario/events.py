"""Scripted events replayed at exact times: device loss, new devices, outages, deliveries...

Each YAML event is a mapping with `at` and exactly one kind key (lose, add, offline,
deliver, server, user, partition, drop); that key picks the event class.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Discriminator, Field, Tag, field_validator, model_validator

from .devices import DeviceRef
from .fields import At, Duration, Model
from .models import DEFAULT_SIZE, SizeField


def _check_device_id(value: str) -> str:
    """A device is named "user/device"."""
    user, sep, device = value.partition("/")
    if not sep or not user or not device or "/" in device:
        raise ValueError(f"expected a device as user/device (e.g. staff-01/phone), got {value!r}")
    return value


DeviceId = Annotated[str, AfterValidator(_check_device_id)]


class EventBase(Model):
    """What every event has: the time it happens, in seconds from the scenario start."""

    KIND: ClassVar[str] = ""
    at: At

    @property
    def kind(self) -> str:
        """The event's kind: lose, add, offline, deliver, server or user."""
        return self.KIND


class LoseEvent(EventBase):
    """A device's local store is wiped (lost, reset or replaced)."""

    KIND: ClassVar[str] = "lose"
    lose: DeviceId

    @property
    def device_id(self) -> str:
        """The affected device, "user/device"."""
        return self.lose


class AddSpec(Model):
    """A device that a user starts using during the scenario."""

    user: str
    device: DeviceRef


class AddEvent(EventBase):
    """A user adds a device; its `uses` defaults to an equal share among the user's devices."""

    KIND: ClassVar[str] = "add"
    add: AddSpec

    @property
    def device_id(self) -> str:
        """The new device, "user/device"."""
        return f"{self.add.user}/{self.add.device.name}"


class OfflineEvent(EventBase):
    """A device loses its connection for `for` seconds, whatever its schedule says."""

    KIND: ClassVar[str] = "offline"
    offline: DeviceId
    for_: Duration = Field(alias="for")

    @field_validator("for_")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        """Being offline for no time is a mistake."""
        if value <= 0:
            raise ValueError("expected a duration greater than 0")
        return value

    @property
    def device_id(self) -> str:
        """The affected device, "user/device"."""
        return self.offline


class Delivery(Model):
    """A burst of `count` messages of `size` delivered to user `to`."""

    to: str
    count: int = Field(1, ge=1)
    size: SizeField = DEFAULT_SIZE


class DeliverEvent(EventBase):
    """Messages arrive for a user at an exact time (on top of the random arrivals)."""

    KIND: ClassVar[str] = "deliver"
    deliver: Delivery


class ServerEvent(EventBase):
    """Something happens to the server itself, e.g. a UIDVALIDITY reset."""

    KIND: ClassVar[str] = "server"
    server: Literal["uidvalidity-reset"]


class UserActionEvent(EventBase):
    """A person does one thing on one of their devices at an exact time."""

    KIND: ClassVar[str] = "user"
    user: str
    on: str
    do: Literal["read", "delete", "flag", "archive", "send", "check"]

    @property
    def device_id(self) -> str:
        """The device used, "user/device"."""
        return f"{self.user}/{self.on}"


class PartitionEvent(EventBase):
    """Links are cut for `for` seconds: a network's link towards the server (by network
    name) or every network access of a device (by "user/device")."""

    KIND: ClassVar[str] = "partition"
    partition: Annotated[list[str], Field(min_length=1)]
    for_: Duration = Field(alias="for")

    @field_validator("partition", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        """A single name is a list of one."""
        return [value] if isinstance(value, str) else value

    @field_validator("for_")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        """A partition must last some time."""
        if value <= 0:
            raise ValueError("expected a duration greater than 0")
        return value


class DropEvent(EventBase):
    """A device's connection breaks at its next command named `before` (the command never
    reaches the server) or right after its next command named `after` (the server carried
    it out, the reply is lost); with neither, before its very next command."""

    KIND: ClassVar[str] = "drop"
    drop: DeviceId
    before: str | None = None
    after: str | None = None

    @model_validator(mode="after")
    def _not_both(self) -> DropEvent:
        """One moment per drop."""
        if self.before is not None and self.after is not None:
            raise ValueError("expected `before` or `after`, not both")
        return self

    @property
    def device_id(self) -> str:
        """The affected device, "user/device"."""
        return self.drop

    @property
    def moment(self) -> tuple[str, str]:
        """("before" | "after", command name or "" for any command)."""
        if self.after is not None:
            return "after", self.after
        return "before", self.before or ""


EVENT_CLASSES: dict[str, type[EventBase]] = {
    cls.KIND: cls
    for cls in (
        LoseEvent,
        AddEvent,
        OfflineEvent,
        DeliverEvent,
        ServerEvent,
        UserActionEvent,
        PartitionEvent,
        DropEvent,
    )
}
_KINDS = ", ".join(EVENT_CLASSES)


def _event_kind(value: Any) -> str | None:
    """The event kind of a raw mapping (its one kind key) or of an event object."""
    if isinstance(value, EventBase):
        return value.KIND
    if isinstance(value, dict):
        found = [kind for kind in EVENT_CLASSES if kind in value]
        return found[0] if len(found) == 1 else None
    return None


Event = Annotated[
    Annotated[LoseEvent, Tag("lose")]
    | Annotated[AddEvent, Tag("add")]
    | Annotated[OfflineEvent, Tag("offline")]
    | Annotated[DeliverEvent, Tag("deliver")]
    | Annotated[ServerEvent, Tag("server")]
    | Annotated[UserActionEvent, Tag("user")]
    | Annotated[PartitionEvent, Tag("partition")]
    | Annotated[DropEvent, Tag("drop")],
    Discriminator(
        _event_kind,
        custom_error_type="event_kind",
        custom_error_message=f"expected a mapping with `at` and exactly one of: {_KINDS}",
    ),
]


def timeline(events: list[Event]) -> list[Event]:
    """Events in the order they happen: by time, then in the order they were written."""
    return sorted(events, key=lambda event: event.at)
