"""Plain-English accounts of what happened to one message, built from the kept history:

    m17@staff-01 delivered 2d 09:12; staff-01/phone downloaded it and deleted it from the
    server (POP3) 2d 09:20; staff-01/phone was lost 5d 12:00 → m17@staff-01 exists nowhere

They go with each anomaly witness and lost-mail example, so a report says what went wrong
and not only that something did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from simulator.observe.history import Event, History

MID_AT = {
    "deliver": 3,
    "bounce": 3,
    "defer": 3,
    "sent": 3,
    "intent": 3,
    "view": 3,
    "store": 7,
    "expunged_by": 3,
}
CONTEXT = ("lost", "uidvalidity_reset", "drop")
TOLD_DROPS = ("append", "quit", "dele", "move", "smtp_send")
MAX_PHRASES = 8
PERSON = {
    "read": "read",
    "delete": "deleted",
    "flag": "flagged",
    "archive": "archived",
    "reply": "answered",
}
EXPUNGE = {"pop3-quit": "deleted it from the server (POP3)", "retention": ""}


def clock(t: float) -> str:
    """Scenario time as "2d 09:12" (days since the start, then the time of day)."""
    minutes = int(t // 60)
    days, rest = divmod(minutes, 1440)
    return f"{days}d {rest // 60:02d}:{rest % 60:02d}"


@dataclass
class Phrase:
    """One thing that happened: when, who did it ("" for the server or the world), what."""

    t: float
    actor: str
    text: str
    joins: bool = True  # may be joined with the same actor's next phrase of the same minute

    def render(self) -> str:
        """ "staff-01/phone downloaded it 2d 09:20"."""
        who = f"{self.actor} " if self.actor else ""
        return f"{who}{self.text} {clock(self.t)}"


class StoryLog:
    """The events stories are told from: the history itself when it is kept, else just the
    kinds a story reads, so summary.json is the same whether or not the history is kept."""

    def __init__(self, history: History) -> None:
        self.events: list[Event] = history.events if history.keep else []
        if not history.keep:
            for kind in (*MID_AT, *CONTEXT):
                history.subscribe(kind, self.events.append)


def index(log: StoryLog, mids: Iterable[str]) -> tuple[dict[str, list[Event]], list[Event]]:
    """One pass over the logged events: events naming each wanted mid, and context events."""
    wanted: dict[str, list[Event]] = {mid: [] for mid in mids}
    context: list[Event] = []
    for event in log.events:
        kind = event[0]
        at = MID_AT.get(kind)
        if at is not None:
            found = wanted.get(event[at])
            if found is not None:
                found.append(event)
        elif kind in CONTEXT:
            context.append(event)
    return wanted, context


class Story:
    """The account of one message, optionally seen from some devices only and up to a time."""

    def __init__(
        self,
        mid: str,
        events: list[Event],
        context: list[Event],
        focus: set[str] | None = None,
        until: float | None = None,
    ) -> None:
        self.mid, self.focus, self.until = mid, focus, until
        self.events = [e for e in events if until is None or e[1] <= until]
        start = self.events[0][1] if self.events else 0.0
        self.context = [e for e in context if start <= e[1] and (until is None or e[1] <= until)]
        self.lost_at = {(e[2], e[1]) for e in context if e[0] == "lost"}
        self.held: dict[str, tuple[int, int]] = {}
        self.ever: set[str] = set()
        self.authors: set[str] = set()  # devices that wrote the message: their copy is no news
        self.person_deleted: set[tuple[str, float]] = set()
        self.moved_at: set[float] = set()
        self.on_server = 0  # server copies now: a UIDVALIDITY reset matters only to those

    def _sees(self, device: str) -> bool:
        """Whether the story follows ``device`` (all devices when it has no focus)."""
        return self.focus is None or device in self.focus

    # -- one phrase per event kind -------------------------------------------------------
    def _phrase(self, e: Event) -> Phrase | None:
        """The phrase for one event, or None when it tells nothing new."""
        kind, t = e[0], e[1]
        if kind == "deliver":
            return Phrase(t, "", f"{self.mid} delivered")
        if kind == "sent":
            self.authors.add(e[5])
            return Phrase(t, "", f"{self.mid} sent from {e[5]}")
        if kind == "bounce":
            return Phrase(t, "", "bounced back to the sender")
        if kind == "intent":
            return self._intent(e)
        if kind == "view":
            return self._view(e)
        if kind == "store":
            return self._store(e)
        if kind == "expunged_by":
            return self._expunged(e)
        return self._context(e)

    def _intent(self, e: Event) -> Phrase | None:
        """What the person did to the message (reading, flagging, deleting...)."""
        _, t, _user, _mid, _state, device, cause = e
        if cause == "delete":
            self.person_deleted.add((device, t))
        verb = PERSON.get(cause)
        return Phrase(t, "", f"the person {verb} it on {device}") if verb else None

    def _view(self, e: Event) -> Phrase | None:
        """A device starting or stopping to show the message, or showing it twice."""
        _, t, device, _mid, _state, shown, bodies = e
        before = self.held.get(device, (0, 0))
        self.held[device] = (shown, bodies)
        if not self._sees(device):
            return None
        if shown >= 2 > before[0]:
            return Phrase(t, device, f"shows it {shown} times")
        if (shown > 0) == (before[0] > 0):
            return None
        if shown and device in self.authors:
            self.authors.discard(device)
            self.ever.add(device)
            return None
        if shown and device in self.ever:
            return Phrase(t, device, "shows it again")
        if shown:
            self.ever.add(device)
            return Phrase(t, device, "downloaded it" if bodies else "listed it (headers only)")
        if (device, t) in self.lost_at:
            return Phrase(t, device, "was lost (its local mail wiped)")
        if (device, t) in self.person_deleted:
            return None
        return Phrase(t, device, "no longer shows it")

    def _store(self, e: Event) -> Phrase | None:
        """Server-side copies: moved, copied, appended, deleted by retention."""
        _, t, _user, kind, mailbox, _uv, _uid, _mid, cause = e
        self.on_server += {"add": 1, "expunge": -1}.get(kind, 0)
        if kind == "add" and cause in ("move", "copy"):
            self.moved_at.add(t)
            return Phrase(
                t, "", f"{'moved' if cause == 'move' else 'copied'} to {mailbox} on the server"
            )
        if kind == "add" and cause == "append":
            return Phrase(t, "", f"appended to {mailbox} on the server")
        if kind == "expunge" and cause == "retention":
            return Phrase(t, "", "server retention deleted it")
        return None

    def _expunged(self, e: Event) -> Phrase | None:
        """A device's command removed the message from the server."""
        _, t, _user, _mid, device, mailbox, cause = e
        if cause == "move" or t in self.moved_at:
            return None
        text = EXPUNGE.get(cause) or f"expunged it from {mailbox} on the server"
        return Phrase(t, device, text)

    def _context(self, e: Event) -> Phrase | None:
        """World events that matter to the message: a UIDVALIDITY reset, a dropped
        connection of a followed device at a telling command."""
        if e[0] == "uidvalidity_reset" and self.on_server > 0:
            return Phrase(e[1], "", "the server reset UIDVALIDITY")
        if e[0] == "drop" and self.focus and e[2] in self.focus and e[3] in TOLD_DROPS:
            _, t, device, command, when, _cause = e
            return Phrase(t, device, f"lost its connection {when} {command.upper()}", False)
        return None

    # -- the whole account ----------------------------------------------------------------
    def phrases(self) -> list[Phrase]:
        """Every phrase in time order, with one actor's same-minute phrases joined."""
        merged = sorted([*self.events, *self.context], key=lambda e: e[1])
        out: list[Phrase] = []
        for event in merged:
            phrase = self._phrase(event)
            if phrase is None:
                continue
            last = out[-1] if out else None
            if (
                last
                and last.actor
                and last.actor == phrase.actor
                and clock(last.t) == clock(phrase.t)
                and last.joins
                and phrase.joins
            ):
                last.text = f"{last.text} and {phrase.text}"
            else:
                out.append(phrase)
        return out

    def tell(self, ending: str) -> str:
        """The account in one line, at most MAX_PHRASES phrases (first ones and last ones)."""
        parts = [p.render() for p in self.phrases()]
        if len(parts) > MAX_PHRASES:
            parts = [*parts[:3], "…", *parts[-(MAX_PHRASES - 4) :]]
        return "; ".join(parts) + f" → {ending}"


ENDINGS = {
    "duplicate": "{device} shows {mid} more than once",
    "resurrected": "deleted by the person, yet {device} shows {mid}",
    "lost_flag_change": "{what} on {device}",
    "local_only": "{mid} is only on {device}, not on the server",
    "never_stored": "{mid} never reached the server and is only on {device}",
}


def _stored(events: list[Event]) -> bool:
    """Whether the server ever held the message."""
    return any(e[0] == "store" and e[3] == "add" for e in events)


def add_stories(
    log: StoryLog, witnesses: dict[str, list[dict[str, Any]]], lost: list[dict[str, Any]]
) -> None:
    """Give every anomaly witness and lost-mail example a ``story``."""
    mids = [w["mid"] for rows in witnesses.values() for w in rows] + [x["mid"] for x in lost]
    events, context = index(log, mids)
    for kind, rows in witnesses.items():
        for w in rows:
            whole = kind == "local_only"
            story = Story(
                w["mid"],
                events[w["mid"]],
                context,
                focus=None if whole else {w["device"]},
                until=None if whole else w["t"],
            )
            ending = kind if not whole or _stored(events[w["mid"]]) else "never_stored"
            w["story"] = story.tell(ENDINGS[ending].format(**w))
    for x in lost:
        x["story"] = Story(x["mid"], events[x["mid"]], context).tell(f"{x['mid']} exists nowhere")
