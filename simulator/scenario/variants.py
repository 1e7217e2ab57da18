"""Variants: what `mailsim compare` runs — the same scenario with other protocol/client settings.

Applying a variant sets every device's protocol and client settings; a protocol change starts
from the new protocol's defaults (keeping only the device's `poll`, so a comparison differs by
protocol and not by polling habit), otherwise the variant's keys merge over the device's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import model_validator

from .devices import (
    ClientSettings,
    DeviceRef,
    DeviceSpec,
    Protocol,
    check_client,
    resolve_device,
)
from .errors import Issue, ScenarioError
from .events import AddEvent, AddSpec
from .fields import Model
from .users import UserGroup

if TYPE_CHECKING:
    from .scenario import Scenario


CARRIED_OVER = ("poll",)  # client keys that survive a protocol change


class Variant(Model):
    """Protocol (None = keep each device's) and client settings to impose on every device."""

    protocol: Protocol | None = None
    client: ClientSettings = ClientSettings()

    @model_validator(mode="after")
    def _client_fits_protocol(self) -> Variant:
        """With a protocol, the client keys must belong to it."""
        check_client(self.client, self.protocol)
        return self

    def apply(self, protocol: str, client: ClientSettings) -> tuple[str, ClientSettings]:
        """The protocol and client settings a device with (protocol, client) gets."""
        new = self.protocol or protocol
        kept = {k: v for k, v in client.set_values().items() if k in CARRIED_OVER}
        base = client if new == protocol else ClientSettings.model_validate(kept)
        return new, base.merged(self.client)


def _variant(protocol: Protocol, **client: Any) -> Variant:
    """A built-in variant (client values in YAML spelling)."""
    return Variant(protocol=protocol, client=ClientSettings.model_validate(client))


BUILTIN_VARIANTS: dict[str, Variant] = {
    "pop3": _variant("pop3", leave_on_server=False),
    "pop3-keep": _variant("pop3", leave_on_server=True, delete_after="14d"),
    "imap": _variant("imap", cache="full", idle=True),
    "imap-light": _variant("imap", cache="headers", idle=False, poll="15m"),
    "imap-online": _variant("imap", cache="none", idle=True),
}


def _checked(variant: Variant, name: str, protocol: str, client: ClientSettings) -> Any:
    """Apply variant, failing when its keys do not fit the resulting protocol."""
    new, settings = variant.apply(protocol, client)
    bad = settings.foreign_keys(new)
    if bad:
        message = f"{bad[0]!r} does not apply to {new.upper()} devices; set the variant's protocol"
        issue = Issue(("variants", name, "client", bad[0]), message)
        raise ScenarioError.from_issues([issue])
    return new, settings


def _flat_ref(scenario: Scenario, ref: DeviceRef, variant: Variant, name: str) -> DeviceRef:
    """ref resolved against its profile, with the variant applied, as a self-contained entry."""
    device = resolve_device("", ref, scenario.profiles)
    protocol, client = _checked(variant, name, device.protocol, device.client)
    fields = {
        "name": ref.name,
        "protocol": protocol,
        "client": client,
        "storage": device.storage,
        "network": device.network,
        "online": device.online,
    }
    if device.networks is not None:
        fields["networks"] = device.networks
    if ref.uses is not None:
        fields["uses"] = ref.uses
    return DeviceRef.model_validate(fields)


def _flat_event(scenario: Scenario, event: Any, variant: Variant, name: str) -> Any:
    """An `add` event with its device flattened and the variant applied; others unchanged."""
    if not isinstance(event, AddEvent):
        return event
    device = _flat_ref(scenario, event.add.device, variant, name)
    return event.model_copy(update={"add": AddSpec(user=event.add.user, device=device)})


def apply_variant(scenario: Scenario, variant: Variant, name: str = "<variant>") -> Scenario:
    """A copy of scenario where every profile and device has the variant's protocol and client."""
    profiles = {}
    for key, spec in scenario.profiles.items():
        protocol, client = _checked(variant, name, spec.protocol, spec.client)
        profiles[key] = DeviceSpec.model_validate(
            {**dict(spec), "protocol": protocol, "client": client}
        )
    users = [
        UserGroup.model_validate(
            {**dict(g), "devices": [_flat_ref(scenario, r, variant, name) for r in g.devices]}
        )
        for g in scenario.users
    ]
    events = [_flat_event(scenario, e, variant, name) for e in scenario.events]
    fields = {**dict(scenario), "profiles": profiles, "users": users, "events": events}
    result = type(scenario).model_validate(fields)
    return result.with_source(scenario.source)
