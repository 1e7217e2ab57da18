"""Network availability and roaming: when a link is up, and which networks a device can use.

A network's `up` is "always" (the default), a weekly schedule ("Mon-Fri 07:00-20:00"),
random failures `{mtbf: 8h, mttr: 20m}` (exponential, seeded), or both
`{weekly: "...", mtbf: 8h, mttr: 20m}`. A roaming device lists the networks it can use in
order of preference, each optionally with its own weekly schedule:
`networks: [{network: office, weekly: "Mon-Fri 08:00-18:00"}, cellular]`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    SerializationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from .errors import custom_error
from .fields import Duration, Model, Schedule
from .units import format_duration
from .weekly import WeeklySchedule, format_weekly

ALWAYS = WeeklySchedule.always()
DEFAULT_NETWORK = "internet"  # always exists; a device without `network` uses it
_WEEKLY_SCHEMA = {"type": "string", "examples": ["Mon-Fri 08:00-18:00"]}


class Uptime(Model):
    """When a network is up: a weekly schedule, random failures (mtbf/mttr), or both.

    Failures alternate exponential(mtbf) seconds up with exponential(mttr) seconds down,
    drawn from a seeded stream per network.
    """

    weekly: Schedule = ALWAYS
    mtbf: Duration | None = None
    mttr: Duration | None = None

    @field_validator("mtbf", "mttr")
    @classmethod
    def _nonzero(cls, value: float | None) -> float | None:
        """Mean times must be positive."""
        if value is not None and value <= 0:
            raise ValueError("expected a duration greater than 0")
        return value

    @model_validator(mode="after")
    def _both_or_neither(self) -> Uptime:
        """Random failures need both a mean time between failures and a mean time to repair."""
        if (self.mtbf is None) != (self.mttr is None):
            raise ValueError("expected both mtbf and mttr (or neither)")
        return self

    @property
    def fails(self) -> bool:
        """Whether the network fails at random."""
        return self.mtbf is not None and self.mttr is not None

    @property
    def always(self) -> bool:
        """Whether this is no restriction at all (always up, never fails)."""
        return self.weekly == ALWAYS and not self.fails

    @model_serializer(mode="wrap")
    def _to_yaml(self, handler: Any, info: SerializationInfo) -> Any:
        """In JSON/YAML, write only what restricts the network ({weekly, mtbf, mttr})."""
        if not info.mode_is_json():
            return handler(self)
        out: dict[str, str] = {}
        if self.weekly != ALWAYS:
            out["weekly"] = format_weekly(self.weekly)
        if self.mtbf is not None and self.mttr is not None:
            out["mtbf"], out["mttr"] = format_duration(self.mtbf), format_duration(self.mttr)
        return out or "always"


def _uptime_in(value: Any) -> Any:
    """`up` may be "always" (None), a weekly schedule text, or a mapping."""
    if isinstance(value, str):
        return None if value.strip() == "always" else {"weekly": value}
    return value


UPTIME_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "string",
            "description": '"always" or a weekly schedule',
            "examples": ["always", "Mon-Fri 07:00-20:00"],
        },
        {
            "type": "object",
            "properties": {
                "weekly": _WEEKLY_SCHEMA,
                "mtbf": {"type": "string"},
                "mttr": {"type": "string"},
            },
            "additionalProperties": False,
        },
        {"type": "null"},
    ]
}


def _no_restriction_is_none(value: Uptime | None) -> Uptime | None:
    """An `up` that restricts nothing is the same as no `up` at all (canonical form)."""
    return None if value is not None and value.always else value


UptimeField = Annotated[
    Uptime | None,
    BeforeValidator(_uptime_in),
    AfterValidator(_no_restriction_is_none),
    WithJsonSchema(UPTIME_SCHEMA),
]


class Attachment(Model):
    """One network a roaming device can use, and when (its own weekly schedule)."""

    network: str
    weekly: Schedule = ALWAYS

    @model_validator(mode="before")
    @classmethod
    def _from_name(cls, data: Any) -> Any:
        """A bare network name means: that network, at any time."""
        return {"network": data} if isinstance(data, str) else data

    @model_serializer(mode="wrap")
    def _to_yaml(self, handler: Any, info: SerializationInfo) -> Any:
        """In JSON/YAML, write a bare name when there is no schedule."""
        if not info.mode_is_json():
            return handler(self)
        if self.weekly == ALWAYS:
            return self.network
        return {"network": self.network, "weekly": format_weekly(self.weekly)}


ATTACHMENTS_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "array",
            "minItems": 1,
            "items": {
                "anyOf": [
                    {"type": "string", "description": "a network name"},
                    {
                        "type": "object",
                        "properties": {"network": {"type": "string"}, "weekly": _WEEKLY_SCHEMA},
                        "required": ["network"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        {"type": "null"},
    ],
    "examples": [["wifi", "cellular"]],
}

Attachments = Annotated[list[Attachment] | None, WithJsonSchema(ATTACHMENTS_SCHEMA)]


def attachments_of(network: str, networks: list[Attachment] | None) -> list[Attachment]:
    """A device's networks in order of preference (just `network` when it does not roam)."""
    return list(networks) if networks else [Attachment(network=network)]


def _name_of(item: Any) -> Any:
    """The network name of one `networks` item as written (a name, a mapping or a model)."""
    if isinstance(item, Attachment):
        return item.network
    return item.get("network") if isinstance(item, dict) else item


def fold_networks(data: Any) -> Any:
    """With `networks`, `network` is the first (preferred) one: filled in if omitted, and an
    error if it names another network (a device names one network or a list, not both)."""
    if not isinstance(data, dict) or not data.get("networks"):
        return data
    items = data["networks"]
    if not isinstance(items, list):
        return data
    first = _name_of(items[0])
    if "network" in data and data["network"] != first:
        raise custom_error(
            "use either network or networks (network, if given, must be the first of networks)",
            "network",
        )
    return {**data, "network": first}
