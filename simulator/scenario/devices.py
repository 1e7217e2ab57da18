"""Devices: client settings, device templates (profiles), per-user device entries, resolution.

A user's device entry (`DeviceRef`) names a profile and overrides some of its fields; the
fields it did not set come from the profile, and its client settings merge key by key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    SerializationInfo,
    field_validator,
    model_serializer,
    model_validator,
)

from simulator.external.runners import check_options

from .errors import custom_error
from .fields import Bytes, Duration, Model, Schedule
from .links import DEFAULT_NETWORK, Attachment, Attachments, attachments_of, fold_networks
from .units import format_duration, parse_duration
from .weekly import WeeklySchedule

Protocol = Literal["pop3", "imap"]
COMMON_KEYS = ("poll", "class", "external", "options")
PROTOCOL_KEYS: dict[str, tuple[str, ...]] = {
    "pop3": ("leave_on_server", "delete_after", "delete_when_deleted_locally"),
    "imap": ("cache", "idle", "resync", "delete", "recovery"),
}
PROGRAMS: dict[str, str] = {
    "mbsync": "imap", "offlineimap": "imap", "getmail": "pop3", "fetchmail": "pop3",
}
"""The real sync programs a device can run as its client, and the protocol each speaks."""
_CLASS_PATH = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def _check_name(value: str) -> str:
    """Names become ids like "user/device": they must be non-empty and contain no "/"."""
    if not value.strip() or "/" in value or value != value.strip():
        raise ValueError(f"expected a name without '/' or surrounding spaces, got {value!r}")
    return value


Name = Annotated[str, AfterValidator(_check_name)]


class SetOnlyModel(Model):
    """A model whose unset fields mean "inherit", so JSON/YAML output lists only set keys."""

    @model_serializer(mode="wrap")
    def _set_only(self, handler: Any, info: SerializationInfo) -> Any:
        """In JSON/YAML, keep only the keys that were set."""
        data = handler(self)
        if not info.mode_is_json():
            return data
        fields = type(self).model_fields
        keep = {fields[n].alias or n for n in self.model_fields_set} | self.model_fields_set
        return {key: value for key, value in data.items() if key in keep}


class ClientSettings(SetOnlyModel):
    """A mail client's sync settings; POP3-only and IMAP-only keys are checked per device.

    Only keys that were set count as overrides when merging (profile, device, variant).
    """

    poll: Duration = 900.0
    class_: str | None = Field(None, alias="class")
    leave_on_server: bool = False
    delete_after: Duration | None = None
    delete_when_deleted_locally: bool = False
    cache: str = "full"
    idle: bool = False
    resync: Literal["base", "condstore", "qresync"] = "condstore"
    delete: Literal["trash", "expunge"] = "trash"
    recovery: Literal["careful", "naive"] = "careful"  # by Message-ID after lost replies/UIDs
    external: Literal["mbsync", "offlineimap", "getmail", "fetchmail"] | None = None
    options: dict[str, str | bool | int] = Field(default_factory=dict)  # the program's own

    @field_validator("poll")
    @classmethod
    def _poll_positive(cls, value: float) -> float:
        """A poll interval of 0 would be a busy loop."""
        if value <= 0:
            raise ValueError("expected a poll interval greater than 0")
        return value

    @field_validator("class_")
    @classmethod
    def _class_path(cls, value: str | None) -> str | None:
        """A user-supplied client is named "package.module:ClassName"."""
        if value is not None and not _CLASS_PATH.fullmatch(value):
            raise ValueError(f"expected package.module:ClassName, got {value!r}")
        return value

    @field_validator("cache")
    @classmethod
    def _cache_mode(cls, value: str) -> str:
        """Accept full, headers, none or recent:<duration>, written canonically."""
        mode, _, period = value.partition(":")
        if mode in ("full", "headers", "none") and not period:
            return mode
        if mode == "recent" and period:
            try:
                return f"recent:{format_duration(parse_duration(period.strip()))}"
            except ValueError:
                pass
        expected = "full, headers, none or recent:<duration> like recent:30d"
        raise ValueError(f"expected {expected}, got {value!r}")

    @property
    def cache_mode(self) -> tuple[str, float | None]:
        """The IMAP cache mode and, for "recent", how far back bodies are kept (seconds)."""
        mode, _, period = self.cache.partition(":")
        return mode, parse_duration(period) if period else None

    def set_values(self) -> dict[str, Any]:
        """The keys that were set, by YAML name (alias), with their Python values."""
        fields = type(self).model_fields
        return {
            fields[n].alias or n: getattr(self, n) for n in fields if n in self.model_fields_set
        }

    def merged(self, over: ClientSettings) -> ClientSettings:
        """These settings with every key set in `over` replacing this one's."""
        return ClientSettings.model_validate(self.set_values() | over.set_values())

    def only_for(self, protocol: str) -> ClientSettings:
        """These settings without the keys that belong to the other protocol."""
        keys = (*COMMON_KEYS, *PROTOCOL_KEYS[protocol])
        kept = {k: v for k, v in self.set_values().items() if k in keys}
        return ClientSettings.model_validate(kept)

    def foreign_keys(self, protocol: str) -> list[str]:
        """Set keys that only make sense for the other protocol than `protocol`."""
        other = "imap" if protocol == "pop3" else "pop3"
        return [key for key in self.set_values() if key in PROTOCOL_KEYS[other]]


def check_client(client: ClientSettings, protocol: str | None) -> None:
    """Raise the error for the first key of client that the other protocol owns, or a real
    program that speaks the other protocol (nothing to check without a protocol)."""
    check_program(client)
    program = client.external
    if program is not None and protocol is not None and PROGRAMS[program] != protocol:
        raise custom_error(
            f"{program} speaks {PROGRAMS[program].upper()}, but this device uses "
            f"{protocol.upper()}", ("client", "external"))
    bad = client.foreign_keys(protocol) if protocol is not None else []
    if not bad:
        return
    owner = "an IMAP" if protocol == "pop3" else "a POP3"
    raise custom_error(
        f"{bad[0]!r} is {owner} setting, but this device uses {protocol.upper()}",
        ("client", bad[0]),
        on_key=True,
    )


def check_program(client: ClientSettings) -> None:
    """A real program excludes a client class; program options need a program."""
    if client.external is not None and client.class_ is not None:
        raise custom_error("expected either class or external, not both", ("client", "external"))
    if client.options and client.external is None:
        raise custom_error("options are a real program's settings: set external too",
                           ("client", "options"), on_key=True)
    if client.external is not None:
        try:
            check_options(client.external, client.options)
        except ValueError as err:
            raise custom_error(str(err), ("client", "options")) from None


class DeviceSpec(Model):
    """A device template (a profile): protocol, client settings, storage, network, online times."""

    protocol: Protocol
    client: ClientSettings = ClientSettings()
    storage: Bytes | None = None
    network: str = DEFAULT_NETWORK
    networks: Attachments = None
    online: Schedule = WeeklySchedule.always()

    @model_validator(mode="before")
    @classmethod
    def _roaming(cls, data: Any) -> Any:
        """With `networks`, `network` is the first of them (see links.fold_networks)."""
        return fold_networks(data)

    @model_validator(mode="after")
    def _client_fits_protocol(self) -> DeviceSpec:
        """Check that client settings fit the protocol."""
        check_client(self.client, self.protocol)
        return self


class DeviceRef(SetOnlyModel):
    """A user's device: a name, its share of mail checks (`uses`), a profile and overrides.

    Any field set here overrides the profile; `client` merges key by key over the profile's.
    """

    name: Name
    profile: str | None = None
    uses: float | None = Field(None, gt=0, le=1)
    protocol: Protocol | None = None
    client: ClientSettings = ClientSettings()
    storage: Bytes | None = None
    network: str = DEFAULT_NETWORK
    networks: Attachments = None
    online: Schedule = WeeklySchedule.always()

    @model_validator(mode="before")
    @classmethod
    def _roaming(cls, data: Any) -> Any:
        """With `networks`, `network` is the first of them (see links.fold_networks)."""
        return fold_networks(data)

    @model_validator(mode="after")
    def _client_fits_protocol(self) -> DeviceRef:
        """Check that client settings fit the protocol, when the protocol is set here."""
        check_client(self.client, self.protocol)
        return self


class ResolvedDevice(Model):
    """A resolved device of one user, with every setting filled in."""

    name: str
    user: str
    protocol: Protocol
    client: ClientSettings
    storage: Bytes | None
    network: str
    online: Schedule
    uses: float
    networks: Attachments = None

    @property
    def id(self) -> str:
        """The device's id, "user/device", as used in events and reports."""
        return f"{self.user}/{self.name}"

    @property
    def attachments(self) -> list[Attachment]:
        """The networks this device can use, in order of preference."""
        return attachments_of(self.network, self.networks)


def resolve_device(
    user: str, ref: DeviceRef, profiles: Mapping[str, DeviceSpec], uses: float | None = None
) -> ResolvedDevice:
    """Fill in ref's unset fields from its profile (client merged key by key).

    When ref changes the profile's protocol, the profile's keys for the old protocol are
    dropped. Raises KeyError for an unknown profile and ValueError without any protocol.
    """
    profile = profiles[ref.profile] if ref.profile is not None else None
    protocol = ref.protocol or (profile.protocol if profile else None)
    if protocol is None:
        raise ValueError(f"device {ref.name!r} has neither a profile nor a protocol")
    base = profile.client.only_for(protocol) if profile else ClientSettings()
    chosen = ref.model_fields_set

    def pick(field: str) -> Any:
        """The ref's value if it set it (or has no profile), else the profile's."""
        return getattr(ref if profile is None or field in chosen else profile, field)

    roams_here = profile is None or bool({"network", "networks"} & chosen)
    net_from = ref if roams_here else profile  # network and networks come as a pair

    return ResolvedDevice(
        name=ref.name,
        user=user,
        protocol=protocol,
        client=base.merged(ref.client),
        storage=pick("storage"),
        network=net_from.network,
        networks=net_from.networks,
        online=pick("online"),
        uses=ref.uses if ref.uses is not None else (uses or 0.0),
    )
