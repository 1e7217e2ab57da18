"""The wording for a name that is not defined: the known names, or the closest ones when
there are many (shared by every cross-reference check)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection


def unknown(what: str, name: str, known: Collection[str], of: str = "") -> str:
    """ "unknown <what> 'x'<of> (expected one of: ...)", or close matches when the list is long."""
    head = f"unknown {what} {name!r}{of}"
    if not known:
        return f"{head} (none are defined)"
    if len(known) <= 12:
        return f"{head} (expected one of: {', '.join(known)})"
    close = _close_matches(name, known)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else "no close match"
    return f"{head} ({hint})"


def _numbers_unpadded(text: str) -> str:
    """text with leading zeros removed from every number (staff-0001 -> staff-1)."""
    return re.sub(r"\d+", lambda m: str(int(m.group())), text)


def _close_matches(name: str, known: Collection[str]) -> list[str]:
    """Names in known equal to name up to zero padding, else the closest spellings."""
    same = [k for k in known if _numbers_unpadded(k) == _numbers_unpadded(name)]
    return same[:3] or difflib.get_close_matches(name, list(known), n=3)
