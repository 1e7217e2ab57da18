"""The reply every server command returns: success, a value, an error code and its cost."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.mail.message import Cost


@dataclass(slots=True)
class Reply:
    """A server's answer to one command. ``code`` is a response code like ``IN-USE``."""

    ok: bool
    value: Any = None
    cost: Cost = field(default_factory=Cost)
    code: str = ""
    text: str = ""
    updates: Any = None


class ProtocolError(Exception):
    """A command issued in a state where the protocol forbids it (a client bug)."""
