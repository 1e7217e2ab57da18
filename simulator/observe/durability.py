"""Durability checker: where every copy of every message lives (server and device bodies),
so that at the end it can say which messages exist nowhere (lost) or on one device only."""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from simulator.observe.blocks import DurabilityBlock, LostExample, Removal
from simulator.observe.history import (
    AccountAdded,
    DeviceLost,
    History,
    Intent,
    StoreChange,
    ViewChange,
)

MAX_EXAMPLES = 5


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

    def __init__(self, history: History) -> None:
        self.server: dict[tuple[str, str], int] = {}  # (person, mid) -> server copies (not 0)
        self.bodies: dict[str, tuple[str, ...]] = {}  # mid -> devices with a body (never
        # empty; a tuple, not a dict or set: most messages have a body on one or two devices)
        self.intent: defaultdict[str, dict[str, None]] = defaultdict(dict)
        self.removal: dict[str, Removed] = {}  # intended mid -> its last copy's removal
        self.server_cause: dict[tuple[str, str], str] = {}  # what removed the last server copy
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
        person = self.owner.get(e.user, e.user)
        key = (person, e.mid)
        if e.change == "add":
            self.server[key] = self.server.get(key, 0) + 1
        elif e.change == "expunge":
            left = self.server.get(key, 0) - 1
            if left:
                self.server[key] = left
                return
            del self.server[key]
            if e.mid in self.intent[person]:
                self.removal[e.mid] = Removed(e.mailbox, e.t, e.cause, "")
                self.server_cause[key] = e.cause

    def _view(self, e: ViewChange) -> None:
        t, device, mid, bodies = e.t, e.device, e.mid, e.bodies
        held = self.bodies.get(mid)
        if bodies:
            if held is None:
                self.bodies[mid] = (device,)
            elif device not in held:
                self.bodies[mid] = (*held, device)
        elif held is not None and device in held:
            rest = tuple(d for d in held if d != device)
            if rest:
                self.bodies[mid] = rest
            else:
                del self.bodies[mid]
            if mid not in self.intent[device.partition("/")[0]]:
                return
            how, cause = ("device lost",) * 2
            if self.lost_devices.get(device) != t:
                how, cause = self._local(device, mid)
            self.removal[mid] = Removed(device, t, cause, how)

    def _intent(self, e: Intent) -> None:
        if e.state is not None:
            self.intent[e.user][e.mid] = None
            return
        self.intent[e.user].pop(e.mid, None)
        self.removal.pop(e.mid, None)  # no longer expected: never read again
        self.server_cause.pop((e.user, e.mid), None)

    def _lost(self, e: DeviceLost) -> None:
        self.lost_devices[e.device] = e.t

    def _local(self, device: str, mid: str) -> tuple[str, str]:
        """How and why a device let go of a body: on its own, or mirroring a server deletion
        (then the server's deletion, e.g. retention, is what removed the message)."""
        key = (device.partition("/")[0], mid)
        if self.server.get(key, 0) == 0 and key in self.server_cause:
            cause = self.server_cause[key]
            return f"removed locally after the server's {cause}", cause
        return "removed locally", "removed locally"

    def _removed(self, mid: str) -> Removal:
        """Where ``mid`` last existed, when it went, and what removed it (a fault or a rule)."""
        removed = self.removal.get(mid)
        if removed is None:
            return {"last_place": "never stored", "removed_at_s": None, "removed_by": None}
        return {"last_place": removed.place, "removed_at_s": removed.t,
                "removed_by": removed.cause}

    def where(self, user: str, mid: str) -> tuple[int, list[str]]:
        """Server copies and devices holding a body of ``mid``."""
        return self.server.get((user, mid), 0), sorted(self.bodies.get(mid, ()))

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
                    removed = self.removal.get(mid)
                    last = removed.seen() if removed else "never stored"
                    lost.append({"mid": mid, "user": user, "last_seen": last,
                                 **self._removed(mid)})
                elif len(devices) == 1:
                    local_only.append((user, mid, devices[0]))
        return lost, per_user, local_only


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
