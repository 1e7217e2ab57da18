"""The history: a compact, append-only log of everything observable in a run.

Events are plain tuples ``(kind, t, ...)``; checkers subscribe to the kinds they need and
are fed as events are appended, so metrics stay incremental (DESIGN: performance).

Kinds and fields:
  device (t, device, user, protocol, grace_s)      deliver (t, user, mid, size)
  bounce (t, user, mid, size)   defer (t, user, mid)   sent (t, user, mid, size, device)
  intent (t, user, mid, state|None, device, cause) view (t, device, mid, state|None, shown, bodies)
  store (t, user, kind, mailbox, uidvalidity, uid, mid, cause)   server_bytes (t, user, bytes)
  device_bytes (t, device, bytes)   online (t, device, bool)   session (t, device, proto, plain)
  traffic (t, device, round_trips, up, down)   read (t, device, mid, ok, offline, shown, wait_s)
  lost (t, device)   added (t, device)   outage (t, down)   uidvalidity_reset (t)
  tick (t, online_devices, server_up)   violation (t, text)   end (t)
Network and faults (world/topology.py, world/faults.py):
  route (t, device, network|None)   link (t, network, up, cause: schedule|failure|partition)
  partition (t, (targets...), active)   drop (t, device, command, before|after|between, cause)
  expunged_by (t, user, mid, device, mailbox, cause)
Several accounts per person (claim P8; "user" above is then the account's name):
  account (t, account, person, server, quota)   filed (t, device, mid, inbox_tree)
  server_outage (t, server, down)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

Event = tuple[Any, ...]
Handler = Callable[[Event], None]


class History:
    """Appends events, keeps them (unless ``keep`` is False) and feeds subscribers."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.events: list[Event] = []
        self._handlers: defaultdict[str, list[Handler]] = defaultdict(list)

    def subscribe(self, kind: str, handler: Handler) -> None:
        """Call ``handler`` with every future event of ``kind``."""
        self._handlers[kind].append(handler)

    def add(self, kind: str, *fields: Any) -> None:
        """Append one event and feed it to the subscribers of its kind."""
        event = (kind, *fields)
        if self.keep:
            self.events.append(event)
        for handler in self._handlers.get(kind, ()):
            handler(event)

    def of(self, *kinds: str) -> Iterator[Event]:
        """Kept events of the given kinds, in order."""
        wanted = set(kinds)
        return (e for e in self.events if e[0] in wanted)
