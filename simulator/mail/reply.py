"""The reply every server command returns: success, a value, an error code and its cost."""

from __future__ import annotations

from typing import Any, Final

from simulator.mail.message import Cost

NO_COST: Final = Cost()
"""What a reply built without a cost costs (immutable, so every such reply shares it)."""


class Reply:
    """A server's answer to one command. ``code`` is a response code like ``IN-USE``.

    A plain class with its own ``__init__``, not a dataclass: compiled, a dataclass keeps
    the ``__init__`` that ``dataclasses`` writes, which runs interpreted, and every command
    builds one."""

    __slots__ = ("code", "cost", "ok", "text", "updates", "value")

    def __init__(self, ok: bool, value: Any = None, cost: Cost = NO_COST, code: str = "",
                 text: str = "", updates: Any = None) -> None:
        self.ok = ok
        self.value = value
        self.cost = cost
        self.code = code
        self.text = text
        self.updates = updates

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reply):
            return NotImplemented
        return (self.ok, self.value, self.cost, self.code, self.text, self.updates) == (
            other.ok, other.value, other.cost, other.code, other.text, other.updates)

    def __repr__(self) -> str:
        return (f"Reply(ok={self.ok!r}, value={self.value!r}, cost={self.cost!r}, "
                f"code={self.code!r}, text={self.text!r}, updates={self.updates!r})")


class ProtocolError(Exception):
    """A command issued in a state where the protocol forbids it (a client bug)."""
