"""Messages and the per-command cost every protocol reply carries."""

from __future__ import annotations

from typing import Final, NamedTuple

HEADER_BYTES: Final = 2_000
"""Bytes of a message's header block (what TOP n 0 or a header FETCH moves)."""


class Message:
    """An immutable mail message; ``mid`` (its Message-ID) identifies it across the world.

    Immutable by convention, compared and hashed by value. A plain class with its own
    ``__init__``, not a dataclass: compiled, a dataclass keeps the ``__init__`` that
    ``dataclasses`` writes, which runs interpreted."""

    __slots__ = ("date", "mid", "size")

    def __init__(self, mid: str, size: int, date: float = 0.0) -> None:
        self.mid = mid
        self.size = size
        self.date = date  # when it was written (seconds into the scenario), as data, not a clock

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Message):
            return NotImplemented
        return (self.mid, self.size, self.date) == (other.mid, other.size, other.date)

    def __hash__(self) -> int:
        return hash((self.mid, self.size, self.date))

    def __repr__(self) -> str:
        return f"Message(mid={self.mid!r}, size={self.size!r}, date={self.date!r})"

    @property
    def header_size(self) -> int:
        """Bytes of the header block, never more than the message."""
        return min(self.size, HEADER_BYTES)


class Cost(NamedTuple):
    """What a command costs on the wire: round trips and bytes each way.

    An immutable named tuple rather than a frozen dataclass: one is built per command, and
    a tuple is built in half the time (``+`` adds field by field, it does not concatenate).
    """

    round_trips: int = 0
    up: int = 0
    down: int = 0

    def __add__(self, other: Cost) -> Cost:  # type: ignore[override]
        return _new(_COST, (self[0] + other[0], self[1] + other[1], self[2] + other[2]))


_new: Final = tuple.__new__
"""``_new(Cost, (...))`` is ``Cost(...)`` without the Python call of the named tuple's
``__new__`` (one cost is built per command)."""
_COST: Final = Cost  # Final: compiled code reads a C static, not a dict


LINE: Final = 40
"""Bytes of a command line or a one-line status reply."""


PLAIN: Final = Cost(1, LINE, LINE)
"""One command line and a one-line reply: what most commands cost (Cost is immutable, so
every such command shares this one)."""


def command_cost(down: int = 0, up: int = 0, round_trips: int = 1) -> Cost:
    """Cost of one request/response exchange with ``down``/``up`` payload bytes."""
    if not down and not up and round_trips == 1:
        return PLAIN
    return _new(_COST, (round_trips, LINE + up, LINE + down))
