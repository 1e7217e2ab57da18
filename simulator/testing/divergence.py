"""Which messages a device shows differently from what the person expects when a run
ends, each with its story: what a failed convergence check prints, so that a divergence
explains itself like an anomaly witness does."""

from __future__ import annotations

from typing import Any

from simulator.clients.local import State
from simulator.observe.history import History, Intent, NewDevice, ViewChange
from simulator.observe.narrative import Story, StoryLog, index


def divergent(history: History) -> list[tuple[str, str, State | None, State | None]]:
    """(device, mid, expected, shown) for each message that differs at the end, in order."""
    user_of = {e.device: e.user for e in history.every(NewDevice)}
    want: dict[tuple[str, str], State | None] = {}
    for e in history.every(Intent):
        want[(e.user, e.mid)] = e.state
    have: dict[tuple[str, str], State | None] = {}
    for v in history.every(ViewChange):
        have[(v.device, v.mid)] = v.state
    out = []
    for device, user in sorted(user_of.items()):
        mids = {m for (u, m), s in want.items() if u == user and s is not None}
        mids |= {m for (d, m), s in have.items() if d == device and s is not None}
        for mid in sorted(mids):
            expected, shown = want.get((user, mid)), have.get((device, mid))
            if expected != shown:
                out.append((device, mid, expected, shown))
    return out


def shown(state: State | None) -> str:
    """ "INBOX (Seen, Flagged)" or "nothing"."""
    if state is None:
        return "nothing"
    folder, flags = state
    return f"{folder} ({', '.join(sorted(flags))})" if flags else folder


def divergence_stories(results: Any, limit: int = 3) -> list[str]:
    """Up to ``limit`` divergent messages told as stories (none without a kept history)."""
    history: History = results.history
    if not history.keep:
        return []
    found = divergent(history)[:limit]
    events, context = index(StoryLog(history), [mid for _, mid, _, _ in found])
    everyone = {e.device for e in history.every(NewDevice)}  # so their drops are told
    return [Story(mid, events[mid], context, focus=everyone).tell(
                f"{device} shows {shown(have)}, the person expects {shown(want)}")
            for device, mid, want, have in found]
