"""Durability checker: where every copy of every message lives (server and device bodies),
so that at the end it can say which messages exist nowhere (lost) or on one device only."""

from __future__ import annotations

import struct
from collections import defaultdict
from typing import Any, Final, NamedTuple

from simulator.observe.blocks import DurabilityBlock, LostExample, Removal
from simulator.observe.history import (
    AccountAdded,
    DeviceLost,
    History,
    Intent,
    StoreChange,
    ViewChange,
)

MAX_EXAMPLES: Final = 5
_PACKED: Final = struct.Struct("dI")  # a removal: when, and the number of its (where, cause, how)
_NONE: Final[dict[str, Any]] = {}  # a person with nothing in a per-person map: read, never written


class Removed(NamedTuple):
    """How a message's last copy went: from a server mailbox (``how`` empty) or from a
    device (``how`` says on its own or mirroring the server)."""

    where: str  # the mailbox, or the device
    t: float
    cause: str
    how: str

    @property
    def place(self) -> str:
        """Where the copy was, as summary.json names it."""
        return self.where if self.how else f"server {self.where}"

    def seen(self) -> str:
        """The ``last_seen`` text of a lost-mail example."""
        if self.how:
            return f"{self.where}, gone at {self.t:.0f}s ({self.how})"
        return f"server {self.where}, removed at {self.t:.0f}s by {self.cause}"


class Durability:
    """Counts server copies per (person, mid), over all of the person's accounts, and device
    bodies per mid, with the last place each intended message was seen and what removed it.

    Memory follows live mail, not the run's length: a count that falls to zero and a mid
    no device holds are dropped (absent reads as zero), and removals are kept only for
    messages the person still expects (the summary reads them for those alone; a mid
    enters the intent when it is delivered or sent, before any copy of it can go, and
    never again once it left it)."""

    def __init__(self, history: History,
                 intent: defaultdict[str, dict[str, Any]] | None = None) -> None:
        """``intent``: the person -> expected mids map another checker keeps up to date
        (the observer shares the consistency checker's: one map, not one per checker, as
        it holds every message a person expects); without it, this checker keeps its own."""
        self.server: defaultdict[str, dict[str, int]] = defaultdict(dict)
        """Person -> mid -> server copies (never 0): per person, not keyed by a (person,
        mid) tuple, which would cost a tuple per message held."""
        self.bodies: dict[str, str | tuple[str, ...]] = {}
        """Mid -> the device with a body, or a tuple of the devices when there are several
        (never empty; no dict or set: most messages have a body on one or two devices). A
        tuple is shared by every message with bodies on the same devices (``_combos``): a
        person has a handful of devices, and most of their mail is on the same few."""
        self._combos: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._owns = intent is None
        self.intent: defaultdict[str, dict[str, Any]] = defaultdict(dict) if intent is None \
            else intent
        self.removal: dict[str, bytes] = {}
        """Intended mid -> its last copy's removal (:meth:`removed`), packed: the time as a
        double and the number of its (where, cause, how) in ``_hows``, which a run has few
        of (a Removed and its float would cost twice as much per message)."""
        self._hows: list[tuple[str, str, str]] = []
        self._how_at: dict[tuple[str, str, str], int] = {}
        self.server_cause: dict[str, dict[str, str]] = {}
        """Person -> mid -> what removed its last server copy (per person, as ``server``)."""
        self.lost_devices: dict[str, float] = {}
        self.owner: dict[str, str] = {}  # a person's further account -> the person
        history.subscribe(AccountAdded, self._account)
        history.subscribe(StoreChange, self._store)
        history.subscribe(ViewChange, self._view)
        history.subscribe(Intent, self._intent)
        history.subscribe(DeviceLost, self._lost)

    def _account(self, e: AccountAdded) -> None:
        self.owner[e.account] = e.person

    def _store(self, e: StoreChange) -> None:
        """A server copy came or went (a UIDVALIDITY renumbering changes no count)."""
        person, mid = self.owner.get(e.user, e.user), e.mid
        counts = self.server[person]
        if e.change == "add":
            counts[mid] = counts.get(mid, 0) + 1
        elif e.change == "expunge":
            left = counts.get(mid, 0) - 1
            if left:
                counts[mid] = left
                return
            del counts[mid]
            if mid in self.intent[person]:
                self._remove(mid, e.mailbox, e.t, e.cause, "")
                self.server_cause.setdefault(person, {})[mid] = e.cause

    def _view(self, e: ViewChange) -> None:
        t, device, mid, bodies = e.t, e.device, e.mid, e.bodies
        held = _devices(self.bodies.get(mid))
        if bodies:
            if not held:
                self.bodies[mid] = device
            elif device not in held:
                self.bodies[mid] = self._combo((*held, device))
        elif device in held:
            rest = tuple(d for d in held if d != device)
            if len(rest) > 1:
                self.bodies[mid] = self._combo(rest)
            elif rest:
                self.bodies[mid] = rest[0]
            else:
                del self.bodies[mid]
            if mid not in self.intent[device.partition("/")[0]]:
                return
            how, cause = ("device lost",) * 2
            if self.lost_devices.get(device) != t:
                how, cause = self._local(device, mid)
            self._remove(mid, device, t, cause, how)

    def _remove(self, mid: str, where: str, t: float, cause: str, how: str) -> None:
        """Keep how ``mid``'s last copy went (see ``removal``)."""
        key = (where, cause, how)
        n = self._how_at.get(key)
        if n is None:
            n = self._how_at[key] = len(self._hows)
            self._hows.append(key)
        self.removal[mid] = _PACKED.pack(t, n)

    def removed(self, mid: str) -> Removed | None:
        """How ``mid``'s last copy went, if it is expected and one did."""
        packed = self.removal.get(mid)
        if packed is None:
            return None
        t, n = _PACKED.unpack(packed)
        where, cause, how = self._hows[n]
        return Removed(where, t, cause, how)

    def _combo(self, devices: tuple[str, ...]) -> tuple[str, ...]:
        """The one tuple of these devices, in this order."""
        return self._combos.setdefault(devices, devices)

    def _intent(self, e: Intent) -> None:
        if e.state is not None:
            if self._owns:
                self.intent[e.user][e.mid] = None
            return
        if self._owns:
            self.intent[e.user].pop(e.mid, None)
        self.removal.pop(e.mid, None)  # no longer expected: never read again
        causes = self.server_cause.get(e.user)
        if causes:
            causes.pop(e.mid, None)

    def _lost(self, e: DeviceLost) -> None:
        self.lost_devices[e.device] = e.t

    def _local(self, device: str, mid: str) -> tuple[str, str]:
        """How and why a device let go of a body: on its own, or mirroring a server deletion
        (then the server's deletion, e.g. retention, is what removed the message)."""
        person = device.partition("/")[0]
        cause = self.server_cause.get(person, _NONE).get(mid)
        if cause is not None and self.server.get(person, _NONE).get(mid, 0) == 0:
            return f"removed locally after the server's {cause}", cause
        return "removed locally", "removed locally"

    def _removed(self, mid: str) -> Removal:
        """Where ``mid`` last existed, when it went, and what removed it (a fault or a rule)."""
        removed = self.removed(mid)
        if removed is None:
            return {"last_place": "never stored", "removed_at_s": None, "removed_by": None}
        return {"last_place": removed.place, "removed_at_s": removed.t,
                "removed_by": removed.cause}

    def where(self, user: str, mid: str) -> tuple[int, list[str]]:
        """Server copies and devices holding a body of ``mid``."""
        return self.server.get(user, _NONE).get(mid, 0), sorted(_devices(self.bodies.get(mid)))

    def summary(self) -> tuple[DurabilityBlock, list[tuple[str, str, str]]]:
        """The ``durability`` block and the local-only (user, mid, device) triples."""
        lost, per_user, local_only = self.scan()
        by_cause: dict[str, int] = {}
        for x in lost:
            by_cause[str(x["removed_by"])] = by_cause.get(str(x["removed_by"]), 0) + 1
        block: DurabilityBlock = {
            "lost": sum(per_user.values()), "lost_examples": examples(lost),
            "per_user": per_user, "lost_by_cause": dict(sorted(by_cause.items())),
        }
        return block, local_only

    def scan(self) -> tuple[list[LostExample], dict[str, int], list[tuple[str, str, str]]]:
        """Every lost message (by person, then in intent order), the lost per person, and
        the local-only (user, mid, device) triples (a sharded run merges these)."""
        lost: list[LostExample] = []
        local_only: list[tuple[str, str, str]] = []
        per_user: dict[str, int] = {}
        for user in sorted(self.intent):
            for mid in self.intent[user]:
                copies, devices = self.where(user, mid)
                if copies > 0:
                    continue
                if not devices:
                    per_user[user] = per_user.get(user, 0) + 1
                    removed = self._removed(mid)
                    last = self.removed(mid)
                    lost.append({"mid": mid, "user": user,
                                 "last_seen": last.seen() if last else "never stored",
                                 **removed})
                elif len(devices) == 1:
                    local_only.append((user, mid, devices[0]))
        return lost, per_user, local_only


def _devices(held: str | tuple[str, ...] | None) -> tuple[str, ...]:
    """The devices of a ``bodies`` entry."""
    if held is None:
        return ()
    return (held,) if isinstance(held, str) else held


def examples(lost: list[LostExample]) -> list[LostExample]:
    """Up to MAX_EXAMPLES lost messages, taking each cause in turn so that every fault that
    lost mail gets an example."""
    queues: dict[str, list[LostExample]] = {}
    for x in lost:
        queues.setdefault(str(x["removed_by"]), []).append(x)
    picked: list[LostExample] = []
    while len(picked) < MAX_EXAMPLES and any(queues.values()):
        for queue in queues.values():
            if queue and len(picked) < MAX_EXAMPLES:
                picked.append(queue.pop(0))
    return picked
