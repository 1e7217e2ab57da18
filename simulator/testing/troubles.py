"""What went wrong in a run, told as stories: broken rules, anomaly witnesses, lost mail,
messages shown twice at the end, and messages a device shows differently from what the
person expects when the run ends (so that a divergence explains itself like a witness)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
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


def flags_differ(expected: State | None, have: State | None) -> bool:
    """A message shown in the folder the person expects, but with other flags."""
    return expected is not None and have is not None and expected[0] == have[0] \
        and expected[1] != have[1]


def divergence_stories(results: Any, limit: int = 3, flags_only: bool = False) -> list[str]:
    """Up to ``limit`` divergent messages told as stories (none without a kept history);
    with ``flags_only``, only those shown in the right folder with the wrong flags."""
    history: History = results.history
    if not history.keep:
        return []
    found = [row for row in divergent(history)
             if not flags_only or flags_differ(row[2], row[3])][:limit]
    events, context = index(StoryLog(history), [mid for _, mid, _, _ in found])
    everyone = {e.device for e in history.every(NewDevice)}  # so their drops are told
    return [Story(mid, events[mid], context, focus=everyone).tell(
                f"{device} shows {shown(have)}, the person expects {shown(want)}")
            for device, mid, want, have in found]


def shown_twice_at_end(results: Any) -> dict[str, list[str]]:
    """Device -> messages it shows more than once when the run ends."""
    copies: dict[tuple[str, str], int] = {}
    for e in results.history.every(ViewChange):
        copies[(e.device, e.mid)] = e.shown
    twice: dict[str, list[str]] = {}
    for (device, mid), n in sorted(copies.items()):
        if n > 1:
            twice.setdefault(device, []).append(mid)
    return twice


def troubles(results: Any, first: Iterable[str] = ()) -> list[str]:
    """Each thing that went wrong, one line each ("lost: ...", "duplicate: ...",
    "diverged: ...", broken rules as they are), those starting with ``first`` first."""
    lines = list(_troubles(results))
    wanted = tuple(first)
    return sorted(lines, key=lambda line: not (wanted and line.startswith(wanted)))


def _troubles(results: Any) -> Iterator[str]:
    summary = results.summary
    yield from summary["verdict"]["violations"]
    for kind, witnesses in summary["consistency"]["anomaly_witnesses"].items():
        for w in witnesses[:2]:
            yield f"{kind}: {w.get('story') or w['what']}"
    for x in summary["durability"]["lost_examples"][:3]:
        yield f"lost: {x.get('story') or x['mid']}"
    yield from (f"diverged: {story}" for story in divergence_stories(results))
    for device, v in summary["devices"].items():
        if v["divergent_messages"]:
            yield f"diverged: {device} differs from what the person expects on " \
                  f"{v['divergent_messages']} message(s) at the end"
    if results.history.keep:
        for device, mids in shown_twice_at_end(results).items():
            yield f"duplicate: {device} shows {', '.join(mids[:5])} twice at the end"
