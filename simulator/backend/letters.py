"""A model message as the bytes Dovecot stores, and the way back.

The conformance harness renders a message of an exact size with the model's Message-ID
(:mod:`simulator.conformance.messages`); the backend adds ``X-Mailsim-Date`` (the
message's date in seconds into the scenario, written with ``repr`` so it reads back as
the same float), so that a Row or a Message rebuilt from what Dovecot reports equals the
model's.
"""

from __future__ import annotations

import re

from simulator.conformance.messages import headers, mid_of, padded
from simulator.mail.message import Message
from simulator.world.world import SimulationError

DATE_HEADER = "X-Mailsim-Date"
FIELDS = f"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID {DATE_HEADER.upper()})]"
"""The FETCH item that names a message and its date (and moves no more)."""
_DATE = re.compile(rb"^X-Mailsim-Date:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


class TooSmall(SimulationError):
    """A message smaller than its own headers cannot be stored at its model size."""


def head(msg: Message) -> bytes:
    """The header block of ``msg`` (with its terminating blank line)."""
    base = headers(msg.mid)
    return base[:-2] + f"{DATE_HEADER}: {msg.date!r}\r\n\r\n".encode()


def render(msg: Message) -> bytes:
    """``msg`` as exactly ``msg.size`` octets (CRLF line ends, as Dovecot stores them)."""
    top = head(msg)
    left = msg.size - len(top)
    if left < 3:
        raise TooSmall(f"message {msg.mid} of {msg.size} bytes is smaller than its headers "
                       f"({len(top) + 3} bytes): the dovecot backend cannot store it")
    return padded(top, msg.size)


def date_of(header_block: bytes) -> float:
    """The model date named by ``X-Mailsim-Date`` (0.0 without one)."""
    m = _DATE.search(header_block)
    return float(m.group(1)) if m else 0.0


def parse(header_block: bytes, size: int) -> Message:
    """The model message behind a header block (the whole message or the named fields)."""
    mid = mid_of(header_block)
    if mid is None:
        raise ValueError(f"a message without Message-ID in Dovecot: {header_block[:200]!r}")
    return Message(mid, size, date_of(header_block))
