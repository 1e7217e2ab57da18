"""Match a client's cached messages to a mailbox renumbered under a new UIDVALIDITY, by
Message-ID, as isync 1.4 does instead of dropping its state (RFC 3501 §2.3.1.1 only says
the old UIDs mean nothing; it does not say the messages are new).

Pure data: no protocol, no clock. The IMAP client fetches the new mailbox's rows and uses
:func:`match` to decide which cached key is which new UID.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from simulator.mail.imap import Row


@dataclass
class Matching:
    """Which cached key is now which row, which rows are new, which keys have gone."""

    found: list[tuple[str, Row]] = field(default_factory=list)
    new: list[Row] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)


def match(cached: Iterable[tuple[int, str, str]], rows: Iterable[Row]) -> Matching:
    """Pair cached ``(old uid, key, mid)`` with new ``rows`` of the same Message-ID.

    Copies sharing a Message-ID are paired in UID order on both sides (a renumbering keeps
    the order of the messages); rows left over are new, keys left over have gone.
    """
    waiting: dict[str, deque[str]] = {}
    for _, key, mid in sorted(cached):
        waiting.setdefault(mid, deque()).append(key)
    out = Matching()
    for row in sorted(rows, key=lambda r: r.uid):
        keys = waiting.get(row.mid)
        if keys:
            out.found.append((keys.popleft(), row))
        else:
            out.new.append(row)
    out.gone = [key for keys in waiting.values() for key in keys]
    return out
