"""Durability checker: where every copy of every message lives (server and device bodies),
so that at the end it can say which messages exist nowhere (lost) or on one device only."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from simulator.observe.history import Event, History

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
        history.subscribe("account", lambda e: self.owner.__setitem__(e[2], e[3]))
        history.subscribe("store", self._store)
        history.subscribe("view", self._view)
        history.subscribe("intent", self._intent)
        history.subscribe("lost", self._lost)

    def _store(self, e: Event) -> None:
        _, t, account, kind, mailbox, _uv, _uid, mid, cause = e
        user = self.owner.get(account, account)
        if kind in ("add", "uidvalidity"):
            self.server[(user, mid)] += 1
        elif kind == "expunge":
            self.server[(user, mid)] -= 1
            if self.server[(user, mid)] == 0:
                self.last[mid] = f"server {mailbox}, removed at {t:.0f}s by {cause}"
                self.removal[mid] = (f"server {mailbox}", t, cause)
                self.server_cause[(user, mid)] = cause
        if kind == "uidvalidity":
            self.server[(user, mid)] -= 1  # the old copy was renumbered, not added

    def _view(self, e: Event) -> None:
        _, t, device, mid, _state, _shown, bodies = e
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

    def _intent(self, e: Event) -> None:
        _, _t, user, mid, state, _device, _cause = e
        if state is None:
            self.intent[user].pop(mid, None)
        else:
            self.intent[user][mid] = None

    def _lost(self, e: Event) -> None:
        self.lost_devices[e[2]] = e[1]

    def _local(self, device: str, mid: str) -> tuple[str, str]:
        """How and why a device let go of a body: on its own, or mirroring a server deletion
        (then the server's deletion, e.g. retention, is what removed the message)."""
        key = (device.partition("/")[0], mid)
        if self.server.get(key, 0) == 0 and key in self.server_cause:
            cause = self.server_cause[key]
            return f"removed locally after the server's {cause}", cause
        return "removed locally", "removed locally"

    def _removed(self, mid: str) -> dict[str, Any]:
        """Where ``mid`` last existed, when it went, and what removed it (a fault or a rule)."""
        place, t, what = self.removal.get(mid, ("never stored", None, None))
        return {"last_place": place, "removed_at_s": t, "removed_by": what}

    def where(self, user: str, mid: str) -> tuple[int, list[str]]:
        """Server copies and devices holding a body of ``mid``."""
        return self.server.get((user, mid), 0), sorted(self.bodies.get(mid, {}))

    def summary(self) -> tuple[dict[str, Any], list[tuple[str, str, str]]]:
        """The ``durability`` block and the local-only (user, mid, device) triples."""
        lost: list[dict[str, Any]] = []
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
        by_cause: dict[str, int] = {}
        for x in lost:
            by_cause[str(x["removed_by"])] = by_cause.get(str(x["removed_by"]), 0) + 1
        block = {"lost": sum(per_user.values()), "lost_examples": _examples(lost),
                 "per_user": per_user, "lost_by_cause": dict(sorted(by_cause.items()))}
        return block, local_only


def _examples(lost: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Up to MAX_EXAMPLES lost messages, taking each cause in turn so that every fault that
    lost mail gets an example."""
    queues: dict[str, list[dict[str, Any]]] = {}
    for x in lost:
        queues.setdefault(str(x["removed_by"]), []).append(x)
    picked: list[dict[str, Any]] = []
    while len(picked) < MAX_EXAMPLES and any(queues.values()):
        for queue in queues.values():
            if queue and len(picked) < MAX_EXAMPLES:
                picked.append(queue.pop(0))
    return picked
