"""A device's local mail store: what the person sees on that device, and what it costs.

Clients change it only through these methods, so every change to the device's view (and to
the bodies it keeps, which is what survives a lost server) reaches one listener.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, NamedTuple

from simulator.mail.message import Message
from simulator.mail.store import ANSWERED, DELETED, FLAGGED, SEEN, shared_flags

VISIBLE_FLAGS: Final = frozenset({SEEN, FLAGGED, ANSWERED})
HIDDEN_FOLDERS: Final = frozenset({"Trash", "Drafts"})


class State(NamedTuple):
    """What a person sees of one message on a device: its folder and visible flags.

    A named tuple, not a bare ``tuple[str, frozenset[str]]``: compiled code keeps a bare
    tuple type unboxed and boxes it anew wherever it is stored, which would undo the
    sharing of :func:`shared_state` (one object per intent and per view)."""

    folder: str
    flags: frozenset[str]


_STATES: Final[dict[tuple[str, frozenset[str]], State]] = {}


def shared_state(folder: str, flags: frozenset[str]) -> State:
    """One object per distinct state: a run records millions of views and intents but only
    a handful of distinct (folder, flags) pairs, so sharing them saves most of their memory."""
    state = _STATES.get((folder, flags))
    if state is None:
        state = _STATES[(folder, flags)] = State(folder, flags)
    return state


ViewListener = Callable[[str, State | None, int, int], None]
"""Called with (mid, visible state or None, copies shown, copies with body kept)."""


class LocalMsg:
    """One message held by a client: its key there, folder, flags and whether its body is kept.

    Immutable by convention (a change is a new one). A plain class with its own
    ``__init__``, not a dataclass: compiled, a dataclass keeps the ``__init__`` that
    ``dataclasses`` writes, which runs interpreted, and one is built per message stored."""

    __slots__ = ("body", "flags", "folder", "key", "msg")

    def __init__(self, key: str, msg: Message, folder: str, flags: frozenset[str],
                 body: bool) -> None:
        self.key = key
        self.msg = msg
        self.folder = folder
        self.flags = flags
        self.body = body

    def _fields(self) -> tuple[str, Message, str, frozenset[str], bool]:
        return (self.key, self.msg, self.folder, self.flags, self.body)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LocalMsg):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        return (f"LocalMsg(key={self.key!r}, msg={self.msg!r}, folder={self.folder!r}, "
                f"flags={self.flags!r}, body={self.body!r})")

    @property
    def visible(self) -> bool:
        """Shown to the person: not in Trash/Drafts and not marked \\Deleted."""
        return self.folder not in HIDDEN_FOLDERS and DELETED not in self.flags

    @property
    def state(self) -> State:
        """The person's view of it: folder and visible flags."""
        return shared_state(self.folder, self.flags & VISIBLE_FLAGS)

    @property
    def bytes(self) -> int:
        """Local bytes used: the body if kept, else the headers."""
        return self.msg.size if self.body else self.msg.header_size


class LocalStore:
    """Messages on one device keyed by the client's own keys; several keys may share a mid."""

    def __init__(self, capacity: int | None = None, count_headers: bool = True) -> None:
        self.capacity = capacity
        self.count_headers = count_headers
        self.msgs: dict[str, LocalMsg] = {}
        self.by_mid: dict[str, str | tuple[str, ...]] = {}
        """Each message's keys in the order stored: the key itself when it is held under
        one (almost always), else a tuple; never a set or dict. A message held under its own
        Message-ID alone (every synced IMAP copy) has no entry: ``msgs`` says it, and a map
        slot per copy is saved. Read it with :meth:`keys_of`."""
        self.bytes = 0
        self.listener: ViewListener | None = None

    # -- queries -------------------------------------------------------------------------
    def get(self, key: str) -> LocalMsg | None:
        """The message under ``key``, if any."""
        return self.msgs.get(key)

    def keys_of(self, mid: str) -> list[str]:
        """Keys under which ``mid`` is held (more than one visible is a duplicate)."""
        return list(self._keys(mid))

    def mids(self) -> list[str]:
        """The Message-IDs held, each once, in the order of their first key stored."""
        return list(dict.fromkeys(local.msg.mid for local in self.msgs.values()))

    def shown(self, mid: str) -> LocalMsg | None:
        """The first visible copy of ``mid``, if the person can see it here."""
        for key in self._keys(mid):
            local = self.msgs[key]
            if local.visible:
                return local
        return None

    def has_body(self, mid: str) -> bool:
        """Whether a visible copy of ``mid`` can be read here without a connection."""
        return any(self.msgs[k].body and self.msgs[k].visible for k in self._keys(mid))

    def room_for(self, size: int) -> bool:
        """Whether ``size`` more bytes fit within the device's storage limit."""
        return self.capacity is None or self.bytes + size <= self.capacity

    def visible_keys(self, folder: str) -> list[str]:
        """Keys of visible messages in ``folder`` in the order they were stored."""
        return [k for k, m in self.msgs.items() if m.folder == folder and m.visible]

    # -- changes -------------------------------------------------------------------------
    def put(self, key: str, msg: Message, folder: str, flags: frozenset[str], body: bool) -> None:
        """Store (or replace) ``key``."""
        old = self.msgs.get(key)
        if old is not None:
            self._unindex(old)
        self._index(LocalMsg(key, msg, folder, shared_flags(flags), body))
        self._notify(msg.mid)
        if old is not None and old.msg.mid != msg.mid:
            self._notify(old.msg.mid)

    def update(self, key: str, *, folder: str | None = None, flags: frozenset[str] | None = None,
               body: bool | None = None) -> LocalMsg | None:
        """Change folder, flags or body of ``key`` (a no-op for unknown keys or no change)."""
        old = self.msgs.get(key)
        if old is None:
            return None
        folder = old.folder if folder is None else folder
        flags = old.flags if flags is None else flags
        body = old.body if body is None else body
        if folder == old.folder and flags == old.flags and body == old.body:
            return old  # most resyncs report the flags the device already shows
        new = LocalMsg(key, old.msg, folder, shared_flags(flags), body)
        self._unindex(old)
        self._index(new)
        self._notify(new.msg.mid)
        return new

    def remove(self, key: str) -> None:
        """Forget ``key`` and its body."""
        old = self.msgs.get(key)
        if old is not None:
            self._unindex(old)
            self._notify(old.msg.mid)

    def wipe(self) -> None:
        """The device is lost or reset: everything goes."""
        mids = self.mids()
        for local in list(self.msgs.values()):
            self._unindex(local)
        for mid in mids:
            self._notify(mid)

    # -- internals -----------------------------------------------------------------------
    def _cost(self, local: LocalMsg) -> int:
        return local.bytes if (local.body or self.count_headers) else 0

    def _keys(self, mid: str) -> tuple[str, ...]:
        held = self.by_mid.get(mid)
        if held is None:
            local = self.msgs.get(mid)
            return (mid,) if local is not None and local.msg.mid == mid else ()
        return (held,) if isinstance(held, str) else held

    def _index(self, local: LocalMsg) -> None:
        mid, key = local.msg.mid, local.key
        held = self.by_mid.get(mid)  # the key is not there yet
        if held is None:
            alone = self.msgs.get(mid)
            if alone is not None and alone.msg.mid == mid:
                held = mid  # held under itself alone until now
        self.msgs[key] = local
        if held is None:
            if key != mid:
                self.by_mid[mid] = key
        elif isinstance(held, str):
            self.by_mid[mid] = (held, key)
        else:
            self.by_mid[mid] = (*held, key)
        self.bytes += self._cost(local)

    def _unindex(self, local: LocalMsg) -> None:
        mid, key = local.msg.mid, local.key
        del self.msgs[key]
        held = self.by_mid.get(mid)
        if isinstance(held, str):  # it is this key
            del self.by_mid[mid]
        elif held is not None:
            rest = tuple(k for k in held if k != key)
            if len(rest) > 1:
                self.by_mid[mid] = rest
            elif rest[0] != mid:
                self.by_mid[mid] = rest[0]
            else:
                del self.by_mid[mid]  # held under itself alone again
        self.bytes -= self._cost(local)

    def _notify(self, mid: str) -> None:
        if self.listener is None:
            return
        state: State | None = None
        shown = bodies = 0
        held = self.by_mid.get(mid)
        if held is None:  # held under itself alone, or not at all
            one = self.msgs.get(mid)
            if one is None or one.msg.mid != mid:
                self.listener(mid, None, 0, 0)
                return
            held = mid
        if isinstance(held, str):  # one copy: most messages
            local = self.msgs[held]
            if local.visible:
                self.listener(mid, local.state, 1, int(local.body))
            else:
                self.listener(mid, None, 0, int(local.body))
            return
        for key in held or ():
            local = self.msgs[key]
            bodies += local.body
            if local.visible:
                if not shown:
                    state = local.state  # the first visible copy is the one shown
                shown += 1
        self.listener(mid, state, shown, bodies)
