"""The `Scenario` model: a whole validated scenario file, plus expansion and variants.

Everything is in SI units. `expand()` gives the resolved people and devices the world runs;
`with_variant()` gives the same scenario under another protocol or client settings.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import datetime
from typing import Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticSerializationError

from .checks import check_scenario
from .decision import DecisionSettings
from .devices import DeviceSpec, ResolvedDevice, resolve_device
from .errors import Issue, ScenarioError
from .events import AddEvent, Event, timeline
from .fields import Duration, Model
from .links import DEFAULT_NETWORK
from .models import Network, ServerConfig
from .users import User, UserGroup
from .variants import BUILTIN_VARIANTS, Variant, apply_variant
from .weekly import DAY
from .yamlio import dump_yaml

DEFAULT_START = datetime(2026, 1, 5)  # a Monday, so weekly schedules line up with day 0


class Scenario(Model):
    """A validated, fully-resolved scenario (format version 1), read from `source`."""

    mailsim: Literal[1]
    name: str
    seed: int = 0
    duration: Duration
    quiet: Duration = 0.0  # the last stretch: no new mail, nobody acts, devices keep syncing
    start: datetime = DEFAULT_START
    server: ServerConfig = ServerConfig()
    servers: dict[str, ServerConfig] = Field(default_factory=dict)  # other servers (claim P8)
    networks: dict[str, Network] = Field(default_factory=lambda: {DEFAULT_NETWORK: Network()})
    profiles: dict[str, DeviceSpec] = Field(default_factory=dict)
    users: list[UserGroup] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    variants: dict[str, Variant] | None = None
    decision: DecisionSettings | None = None  # limits and priorities (analysis/decision)
    _source: str = PrivateAttr("<string>")

    @field_validator("duration")
    @classmethod
    def _positive(cls, value: float) -> float:
        """A scenario must last some time."""
        if value <= 0:
            raise ValueError("expected a duration greater than 0, like 14d")
        return value

    @model_validator(mode="after")
    def _quiet_within_duration(self) -> Scenario:
        """The quiet stretch is part of the run, so it must be shorter than it."""
        if self.quiet >= self.duration:
            raise ValueError("expected quiet shorter than duration (activity must start)")
        return self

    @property
    def active_until(self) -> float:
        """Seconds after which no mail arrives and nobody acts (duration minus quiet)."""
        return self.duration - self.quiet

    @field_validator("networks")
    @classmethod
    def _with_internet(cls, value: dict[str, Network]) -> dict[str, Network]:
        """The default network "internet" always exists (unless redefined)."""
        return value if DEFAULT_NETWORK in value else {**value, DEFAULT_NETWORK: Network()}

    @model_validator(mode="after")
    def _cross_references(self) -> Scenario:
        """Names used across the scenario exist; raises ScenarioError with every problem."""
        issues = check_scenario(self)
        if issues:
            raise ScenarioError.from_issues(issues)
        return self

    def __eq__(self, other: object) -> bool:
        """Scenarios are equal when their content is; where they were read from does not count."""
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None  # type: ignore[assignment]

    @property
    def source(self) -> str:
        """The file this scenario was read from ("<string>" when parsed from text)."""
        return self._source

    def with_source(self, source: str) -> Scenario:
        """This scenario, recorded as read from source."""
        copy = self.model_copy()
        copy._source = source
        return copy

    @property
    def start_weekday_offset_s(self) -> float:
        """Seconds from the Monday 00:00 before `start` to `start`.

        A weekly schedule is evaluated at scenario time t as `(offset + t) % 604800`.
        """
        midnight = self.start.replace(hour=0, minute=0, second=0, microsecond=0)
        return self.start.weekday() * DAY + (self.start - midnight).total_seconds()

    def expand(self, only: Container[str] | None = None) -> list[User]:
        """Every person (groups with `count` expanded), or only those named in `only`, with
        fully-resolved devices."""
        return [user for group in self.users for user in group.expand(self.profiles, only)]

    def roster(self) -> list[tuple[str, UserGroup]]:
        """Every person's name and group, in order: what `expand` gives, without resolving
        devices (a shard's world resolves only its own people's)."""
        return [(name, group) for group in self.users for name in group.user_names()]

    def timeline(self) -> list[Event]:
        """The scripted events in the order they happen (by time, then as written)."""
        return timeline(self.events)

    def added_devices(self) -> list[tuple[AddEvent, ResolvedDevice]]:
        """Each `add` event with its resolved device, in time order.

        An added device without `uses` gets an equal share: 1 / (the user's device count
        after the add); the world treats `uses` as relative weights.
        """
        counts = {name: len(group.devices) for name, group in self.roster()}
        out = []
        for event in self.timeline():
            if isinstance(event, AddEvent):
                counts[event.add.user] += 1
                share = 1 / counts[event.add.user]
                device = resolve_device(event.add.user, event.add.device, self.profiles, share)
                out.append((event, device))
        return out

    def variant_names(self) -> list[str]:
        """The variants `mailsim compare` runs: the scenario's own, else the built-in ones."""
        return list(self.variants if self.variants is not None else BUILTIN_VARIANTS)

    def variant(self, name: str) -> Variant:
        """The variant called name: the scenario's own first, then the built-in ones."""
        found = (self.variants or {}).get(name) or BUILTIN_VARIANTS.get(name)
        if found is None:
            known = ", ".join(dict.fromkeys([*(self.variants or {}), *BUILTIN_VARIANTS]))
            message = f"unknown variant {name!r} (expected one of: {known})"
            raise ScenarioError.from_issues([Issue(("variants", name), message)], self.source)
        return found

    def with_variant(self, variant: str | Variant) -> Scenario:
        """This scenario with every device's protocol and client settings set by the variant."""
        if isinstance(variant, str):
            return apply_variant(self, self.variant(variant), variant)
        return apply_variant(self, variant)

    def to_yaml(self) -> str:
        """A canonical YAML dump with resolved defaults and units written back as strings.

        `parse_scenario(s.to_yaml()) == s` for every scenario s.
        """
        try:
            data = self.model_dump(mode="json", by_alias=True)
        except PydanticSerializationError as problem:
            stop = problem.__cause__  # e.g. Ctrl-C landing in a unit's (Python) serializer
            if stop is None or isinstance(stop, Exception):
                raise
            raise stop from None  # stop as asked, not as a serialization error
        for optional in ("variants", "decision"):
            if data.get(optional) is None:
                data.pop(optional, None)
        if not data.get("servers"):
            data.pop("servers", None)
        for server in [data["server"], *data.get("servers", {}).values()]:
            if server.get("backend") == "model":  # the default, left out as before
                server.pop("backend")
        for group in data.get("users", []):
            if not group.get("accounts"):
                group.pop("accounts", None)
        return f"# mailsim scenario {self.name} (canonical form)\n" + dump_yaml(data)
