"""Scenario models for the server, networks, mail traffic and user habits.

All units are already converted: seconds, bytes, bytes per second, events per second.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    SerializationInfo,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from .errors import custom_error
from .fields import At, Bandwidth, Bytes, Duration, Model, Rate, in_yaml
from .links import UptimeField
from .units import format_size

Probability = Annotated[float, Field(ge=0, le=1)]


def _positive(value: float, what: str) -> float:
    """Reject zero (or negative) where it would make no sense, e.g. an outage lasting 0s."""
    if value <= 0:
        raise ValueError(f"expected a {what} greater than 0")
    return value


class Outage(Model):
    """The server is unreachable from `at` for `for` (YAML key) seconds."""

    at: At
    for_: Duration = Field(alias="for")

    @field_validator("for_")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        """An outage must last some time."""
        return _positive(value, "duration")


class ServerConfig(Model):
    """The mail server's per-account policy: quota, retention, TLS, POP3 lock, outages, and
    what serves the accounts: the model (default) or a real Dovecot (``backend: dovecot``)."""

    quota: Bytes | None = None
    over_quota: Literal["bounce", "defer"] = "bounce"
    retention: Duration | None = None
    tls: Literal["implicit", "starttls", "none"] = "implicit"
    tls_version: Literal["1.2", "1.3"] = "1.3"
    pop3_lock: bool = True
    autologout: Duration = 1800.0
    outages: list[Outage] = Field(default_factory=list)
    backend: Literal["model", "dovecot"] = "model"

    @field_validator("autologout")
    @classmethod
    def _autologout_floor(cls, value: float) -> float:
        """RFC 1939 and RFC 3501 forbid autologout timers shorter than 10 minutes."""
        if value < 600:
            raise ValueError("expected at least 10m (RFC 1939/3501 minimum autologout)")
        return value


class Network(Model):
    """A link between devices and the server: latency, bandwidth, packet loss, uptime.

    `via` names the network this one reaches the server through (default: the server
    directly); `drop_probability` is the chance that a connection breaks at each command.
    """

    latency: Duration = 0.03
    bandwidth: Bandwidth = 2_500_000.0
    loss: Probability = 0.0
    up: UptimeField = None
    via: str | None = None
    drop_probability: Probability = 0.0

    @field_validator("bandwidth")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        """A link with no bandwidth could never carry a message."""
        return _positive(value, "bandwidth")


SIZE_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "description": "a fixed size", "examples": ["75KB"]},
        {
            "type": "object",
            "description": "lognormal sizes",
            "properties": {"median": {"type": "string"}, "sigma": {"type": "number"}},
            "required": ["median"],
            "additionalProperties": False,
        },
    ]
}


class Size(Model):
    """Message sizes: a fixed size ("75KB") or lognormal ({median: 75KB, sigma: 1.0})."""

    kind: Literal["fixed", "lognormal"] = "fixed"
    median: Bytes
    sigma: float = Field(0.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_yaml(cls, data: Any, info: ValidationInfo) -> Any:
        """A size string (or a Python int) is a fixed size; a mapping without kind is lognormal."""
        if isinstance(data, str) or (isinstance(data, int) and not in_yaml(info)):
            return {"kind": "fixed", "median": data}
        if isinstance(data, dict) and "kind" not in data:
            return {"kind": "lognormal", **data}
        return data

    @model_validator(mode="after")
    def _fixed_has_no_sigma(self) -> Size:
        """A fixed size has no spread."""
        if self.kind == "fixed" and self.sigma:
            raise custom_error("a fixed size has sigma 0 (omit kind for lognormal)", "sigma")
        return self

    @model_serializer(mode="wrap")
    def _to_yaml(self, handler: Any, info: SerializationInfo) -> Any:
        """In JSON/YAML, write a fixed size as "75KB" and a lognormal one as {median, sigma}."""
        if not info.mode_is_json():
            return handler(self)
        if self.kind == "fixed":
            return format_size(self.median)
        return {"median": format_size(self.median), "sigma": self.sigma}


SizeField = Annotated[Size, WithJsonSchema(SIZE_SCHEMA)]
DEFAULT_SIZE = Size(kind="fixed", median=75_000)


class Mail(Model):
    """A user's mail traffic: receive and send rates (per second) and message sizes."""

    receive: Rate
    send: Rate = 0.0
    size: SizeField = DEFAULT_SIZE


class Habits(Model):
    """What a person does at each mail check: how often, and each action's chance per message."""

    check_every: Duration = 3600.0
    read: Probability = 1.0
    delete: Probability = 0.3
    flag: Probability = 0.05
    archive: Probability = 0.2
    reply: Probability = 0.1

    @field_validator("check_every")
    @classmethod
    def _nonzero(cls, value: float) -> float:
        """People cannot check mail continuously."""
        return _positive(value, "duration")

    @model_validator(mode="after")
    def _delete_or_archive(self) -> Habits:
        """A message is deleted, archived or kept, so the two chances cannot exceed 1 together."""
        if self.delete + self.archive > 1 + 1e-9:
            total = self.delete + self.archive
            raise ValueError(f"expected delete + archive <= 1, got {total:g}")
        return self
