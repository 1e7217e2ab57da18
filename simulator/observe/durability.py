"""Durability checker: where every copy of every message lives (server and device bodies),
so that at the end it can say which messages exist nowhere (lost) or on one device only."""

from __future__ import annotations

from collections import defaultdict

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


class Durability:
    """Counts server copies per (person, mid), over all of the person's accounts, and device
    bodies per mid, with the last place each message was seen and what removed it."""

    def __init__(self, history: History) -> None:
        self.server: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.bodies: defaultdict[str, dict[str, int]] = defaultdict(dict)
        self.intent: defaultdict[str, dict[str, None]] = defaultdict(dict)
        self.last: dict[str, str] = {}
        self.removal: dict[str, tuple[str, float, str]] = {}  # mid -> (place, t, what did it)
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
        key = (self.owner.get(e.user, e.user), e.mid)
        if e.change in ("add", "uidvalidity"):
            self.server[key] += 1
        elif e.change == "expunge":
            self.server[key] -= 1
            if self.server[key] == 0:
                self.last[e.mid] = f"server {e.mailbox}, removed at {e.t:.0f}s by {e.cause}"
                self.removal[e.mid] = (f"server {e.mailbox}", e.t, e.cause)
                self.server_cause[key] = e.cause
        if e.change == "uidvalidity":
            self.server[key] -= 1  # the old copy was renumbered, not added

    def _view(self, e: ViewChange) -> None:
        t, device, mid, bodies = e.t, e.device, e.mid, e.bodies
        held = self.bodies[mid]
        if bodies:
            held[device] = bodies
        elif device in held:
            del held[device]
            how, cause = ("device lost",) * 2
            if self.lost_devices.get(device) != t:
                how, cause = self._local(device, mid)
            self.last[mid] = f"{device}, gone at {t:.0f}s ({how})"
            self.removal[mid] = (device, t, cause)

    def _intent(self, e: Intent) -> None:
        if e.state is None:
            self.intent[e.user].pop(e.mid, None)
        else:
            self.intent[e.user][e.mid] = None

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
        place, t, what = self.removal.get(mid, ("never stored", None, None))
        return {"last_place": place, "removed_at_s": t, "removed_by": what}

    def where(self, user: str, mid: str) -> tuple[int, list[str]]:
        """Server copies and devices holding a body of ``mid``."""
        return self.server.get((user, mid), 0), sorted(self.bodies.get(mid, {}))

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
                    last = self.last.get(mid, "never stored")
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
