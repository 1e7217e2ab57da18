"""Pydantic field types for the scenario's units, and the strict base model they live in.

In YAML (validation context {"yaml": True}) a unit field needs a string with a unit; from
Python, plain non-negative numbers (seconds, bytes, ...) are accepted as well.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from . import units
from .errors import custom_error
from .weekly import WeeklySchedule, format_weekly, parse_weekly


def in_yaml(info: ValidationInfo) -> bool:
    """Whether the value being validated comes from a YAML file (strict unit strings)."""
    return bool(info.context and info.context.get("yaml"))


class Model(BaseModel):
    """Base of every scenario model: immutable, unknown keys forbidden, aliases for YAML."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_by_name=True,
        validate_by_alias=True,
        coerce_numbers_to_str=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _yaml_uses_aliases(cls, data: Any, info: ValidationInfo) -> Any:
        """In YAML, the Python spelling of an aliased key (`for_`, `class_`) is an unknown key."""
        if in_yaml(info) and isinstance(data, dict):
            for name, field in cls.model_fields.items():
                if field.alias and field.alias != name and name in data:
                    keys = ", ".join(f.alias or n for n, f in cls.model_fields.items())
                    raise custom_error(f"unknown key (expected one of: {keys})", name, True)
        return data


def _unit_validator(parse: Callable[[object], Any]) -> Callable[[Any, ValidationInfo], Any]:
    """Wrap a unit parser: strings always parse; numbers only from Python and only if >= 0."""

    def validate(value: Any, info: ValidationInfo) -> Any:
        """Parse value with the unit parser unless it is a trusted Python number."""
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and not in_yaml(info):
            if not value >= 0:
                raise ValueError(f"expected a non-negative number, got {value!r}")
            return value
        return parse(value)

    return validate


def _unit_schema(pattern_hint: str, examples: list[str]) -> WithJsonSchema:
    """JSON schema for a unit string (0 is also accepted)."""
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string"}, {"const": 0}],
            "description": pattern_hint,
            "examples": examples,
        }
    )


Duration = Annotated[
    float,
    BeforeValidator(_unit_validator(units.parse_duration)),
    PlainSerializer(units.format_duration, when_used="json"),
    _unit_schema("duration: <number><ms|s|m|h|d|w>, parts may be combined", ["15m", "1d 12h"]),
]
At = Annotated[
    float,
    BeforeValidator(_unit_validator(units.parse_at)),
    PlainSerializer(units.format_at, when_used="json"),
    _unit_schema("time since scenario start: a duration, optionally + HH:MM", ["4h", "5d 12:00"]),
]
Bytes = Annotated[
    int,
    BeforeValidator(_unit_validator(units.parse_size)),
    PlainSerializer(units.format_size, when_used="json"),
    _unit_schema("size: <number><B|KB|MB|GB|TB|KiB|MiB|GiB|TiB>", ["75KB", "2MiB"]),
]
Bandwidth = Annotated[
    float,
    BeforeValidator(_unit_validator(units.parse_bandwidth)),
    PlainSerializer(units.format_bandwidth, when_used="json"),
    _unit_schema("bandwidth: <number><bit|kbit|Mbit|Gbit> or <number><B|KB|MB|GB>/s", ["100Mbit"]),
]
Rate = Annotated[
    float,
    BeforeValidator(_unit_validator(units.parse_rate)),
    PlainSerializer(units.format_rate, when_used="json"),
    _unit_schema("rate: <number>/<s|m|h|d|w>", ["40/d", "3/h"]),
]


def _schedule(value: Any) -> WeeklySchedule:
    """Accept a WeeklySchedule, "always", "never", a schedule string or {weekly: "..."}."""
    if isinstance(value, WeeklySchedule):
        return value
    if isinstance(value, dict):
        for key in value:
            if key != "weekly":
                raise custom_error("unknown key (expected one of: weekly)", key, True)
        if "weekly" not in value:
            raise ValueError('expected {weekly: "Mon-Fri 08:00-18:00"}, "always" or "never"')
        try:
            return parse_weekly(value["weekly"])
        except ValueError as exc:
            raise custom_error(str(exc), "weekly") from None
    return parse_weekly(value)


def _schedule_out(schedule: WeeklySchedule) -> str | dict[str, str]:
    """Write a schedule as "always", "never" or {weekly: "..."}."""
    text = format_weekly(schedule)
    return text if text in ("always", "never") else {"weekly": text}


Schedule = Annotated[
    WeeklySchedule,
    PlainValidator(_schedule),
    PlainSerializer(_schedule_out, when_used="json"),
    WithJsonSchema(
        {
            "anyOf": [
                {"enum": ["always", "never"]},
                {
                    "type": "object",
                    "properties": {"weekly": {"type": "string"}},
                    "required": ["weekly"],
                    "additionalProperties": False,
                },
            ],
            "examples": ["always", {"weekly": "Mon-Fri 08:00-18:00"}],
        }
    ),
]
