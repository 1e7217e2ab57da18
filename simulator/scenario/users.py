"""Users: groups of people as written in YAML (`UserGroup`) and resolved people (`User`).

A group with `count: N` stands for N people named name-01..name-NN; each gets the same
mail, habits and devices. A person may have more mail accounts than their own (`accounts:`,
claim P8): each is a separate account, on the organisation's server or on one of `servers:`,
that every device of the person also syncs.
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from functools import lru_cache

from pydantic import Field, model_validator

from .devices import DeviceRef, DeviceSpec, Name, ResolvedDevice, resolve_device
from .errors import custom_error
from .fields import Model
from .models import Habits, Mail

USES_TOLERANCE = 1e-6


class ExtraAccount(Model):
    """Another mail account of the same person (e.g. a private one at an ISP): its own
    mailbox on `server` (a key of `servers:`; default the organisation's `server:`)."""

    name: Name
    server: str | None = None
    mail: Mail


class User(Model):
    """One resolved person: their mail traffic, habits, fully-resolved devices and any
    further accounts."""

    name: str
    mail: Mail
    habits: Habits
    devices: list[ResolvedDevice]
    accounts: list[ExtraAccount] = Field(default_factory=list)

    def account_id(self, account: ExtraAccount) -> str:
        """The server account's name: "<person>+<account>" (the person's own is their name)."""
        return account_id(self.name, account)


def account_id(person: str, account: ExtraAccount) -> str:
    """The server account's name of ``person``'s further ``account``: "<person>+<account>"."""
    return f"{person}+{account.name}"


class UserGroup(Model):
    """One person, or `count` alike people, with mail, habits and devices sharing their checks."""

    name: Name
    count: int | None = Field(None, ge=1, le=1_000_000)
    mail: Mail
    habits: Habits = Habits()
    devices: list[DeviceRef] = Field(min_length=1)
    accounts: list[ExtraAccount] = Field(default_factory=list)

    @model_validator(mode="after")
    def _accounts_unique(self) -> UserGroup:
        """Each further account of a person has its own name."""
        seen: set[str] = set()
        for i, account in enumerate(self.accounts):
            if account.name in seen:
                raise custom_error(f"duplicate account name {account.name!r}",
                                   ("accounts", i, "name"))
            seen.add(account.name)
        return self

    @model_validator(mode="after")
    def _devices_fit(self) -> UserGroup:
        """Device names are unique and every device has a `uses` share; shares sum to 1."""
        seen: set[str] = set()
        for i, device in enumerate(self.devices):
            if device.name in seen:
                raise custom_error(f"duplicate device name {device.name!r}", ("devices", i, "name"))
            seen.add(device.name)
            if device.uses is None:
                raise custom_error("missing required key 'uses'", ("devices", i, "uses"))
        total = sum(d.uses or 0.0 for d in self.devices)
        if abs(total - 1) > USES_TOLERANCE:
            raise custom_error(f"expected the devices' uses to sum to 1, got {total:g}", "devices")
        return self

    def user_names(self) -> tuple[str, ...]:
        """The people this group stands for: name-01..name-NN, or just the name without count."""
        return _names(self.name, self.count)

    def expand(self, profiles: Mapping[str, DeviceSpec],
               only: Container[str] | None = None) -> list[User]:
        """Resolved users for this group (those named in ``only``, if given), devices filled
        in from profiles."""
        return [
            User(
                name=name,
                mail=self.mail,
                habits=self.habits,
                devices=[resolve_device(name, ref, profiles) for ref in self.devices],
                accounts=self.accounts,
            )
            for name in self.user_names() if only is None or name in only
        ]


@lru_cache(maxsize=256)
def _names(name: str, count: int | None) -> tuple[str, ...]:
    """A group's people's names, made once: every shard of a large organisation walks the
    roster (a shard's start in a 10,000-person one took 19.0 ms of CPU, 6.7 with this)."""
    if count is None:
        return (name,)
    width = max(2, len(str(count)))
    return tuple(f"{name}-{i:0{width}d}" for i in range(1, count + 1))
