"""Plain-English accounts of what happened to one message, built from the kept history:

    m17@staff-01 delivered 2d 09:12; staff-01/phone downloaded it and deleted it from the
    server (POP3) 2d 09:20; staff-01/phone was lost 5d 12:00 → m17@staff-01 exists nowhere

They go with each anomaly witness and lost-mail example, so a report says what went wrong
and not only that something did.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from simulator.observe.blocks import LostExample, Witness
from simulator.observe.history import (
    Bounced,
    Deferred,
    Delivered,
    DeviceLost,
    Drop,
    ExpungedBy,
    History,
    Intent,
    Record,
    Sent,
    StoreChange,
    UidvalidityReset,
    ViewChange,
)
from simulator.observe.storyfile import StoryWriter
from simulator.scenario.devices import PROGRAMS

ABOUT_A_MESSAGE = (Delivered, Bounced, Deferred, Sent, Intent, ViewChange, StoreChange,
                   ExpungedBy)
"""Records that name a message (in their ``mid`` field)."""
CONTEXT = (DeviceLost, UidvalidityReset, Drop)
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
    """The events stories are told from: the history itself when it is kept, else the
    kinds a story reads streamed to a story file (observe/storyfile.py, at ``path`` or
    unnamed), so summary.json is the same whether or not the history is kept and memory
    does not grow with the run's length."""

    def __init__(self, history: History, path: Path | None = None, told: bool = True) -> None:
        """The log of ``history``; not ``told``, none at all (the run's stories are told
        another way: runs/retell.py)."""
        self.file: StoryWriter | None = None
        self.events: Iterable[Record] = history.events
        self.told = told
        if not told:
            self.events = ()
        elif path is not None or not history.keep:
            self.file = self.events = StoryWriter(path)
            for cls in (*ABOUT_A_MESSAGE, *CONTEXT):
                history.subscribe(cls, self.file.add)

    def close(self) -> None:
        """End the story file (an unnamed one is deleted); nothing when there is none."""
        if self.file is not None:
            self.file.close()

    def abandon(self) -> None:
        """Let go of the story file of a run that stopped, without writing what is held."""
        if self.file is not None:
            self.file.abandon()


def index(log: StoryLog, mids: Iterable[str]) -> tuple[dict[str, list[Record]], list[Record]]:
    """One pass over the logged records: those naming each wanted mid, and context ones."""
    wanted: dict[str, list[Record]] = {mid: [] for mid in mids}
    context: list[Record] = []
    if not wanted:
        return wanted, context  # no story to tell: spare reading the story file
    events = log.events
    if log.file is not None:  # decode only what a story reads
        events = log.file.about(wanted, (cls.kind for cls in CONTEXT))
    for event in events:
        if isinstance(event, ABOUT_A_MESSAGE):
            found = wanted.get(event.mid)
            if found is not None:
                found.append(event)
        elif isinstance(event, CONTEXT):
            context.append(event)
    return wanted, context


class Story:
    """The account of one message, optionally seen from some devices only and up to a time."""

    def __init__(
        self,
        mid: str,
        events: list[Record],
        context: list[Record],
        focus: set[str] | None = None,
        until: float | None = None,
    ) -> None:
        self.mid, self.focus, self.until = mid, focus, until
        self.events = [e for e in events if until is None or e.t <= until]
        start = self.events[0].t if self.events else 0.0
        self.context = [e for e in context if start <= e.t and (until is None or e.t <= until)]
        self.lost_at = {(e.device, e.t) for e in context if e.kind == "lost"}
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
    def _phrase(self, e: Record) -> Phrase | None:
        """The phrase for one record, or None when it tells nothing new."""
        if e.kind == "deliver":
            return Phrase(e.t, "", f"{self.mid} delivered")
        if e.kind == "sent":
            self.authors.add(e.device)
            return Phrase(e.t, "", f"{self.mid} sent from {e.device}")
        if e.kind == "bounce":
            return Phrase(e.t, "", "bounced back to the sender")
        if e.kind == "intent":
            return self._intent(e)
        if e.kind == "view":
            return self._view(e)
        if e.kind == "store":
            return self._store(e)
        if e.kind == "expunged_by":
            return self._expunged(e)
        if e.kind == "uidvalidity_reset" and self.on_server > 0:
            return Phrase(e.t, "", "the server reset UIDVALIDITY")
        if e.kind == "drop":
            return self._drop(e)
        return None

    def _intent(self, e: Intent) -> Phrase | None:
        """What the person did to the message (reading, flagging, deleting...)."""
        if e.cause == "delete":
            self.person_deleted.add((e.device, e.t))
        verb = PERSON.get(e.cause)
        return Phrase(e.t, "", f"the person {verb} it on {e.device}") if verb else None

    def _view(self, e: ViewChange) -> Phrase | None:
        """A device starting or stopping to show the message, or showing it twice."""
        t, device, shown, bodies = e.t, e.device, e.shown, e.bodies
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

    def _store(self, e: StoreChange) -> Phrase | None:
        """Server-side copies: moved, copied, appended, deleted by retention."""
        t, change, mailbox, cause = e.t, e.change, e.mailbox, e.cause
        self.on_server += {"add": 1, "expunge": -1}.get(change, 0)
        if change == "add" and cause in ("move", "copy"):
            self.moved_at.add(t)
            return Phrase(
                t, "", f"{'moved' if cause == 'move' else 'copied'} to {mailbox} on the server"
            )
        if change == "add" and cause == "append":
            return Phrase(t, "", f"appended to {mailbox} on the server")
        if change == "add" and cause in PROGRAMS:  # a real program's run put it there
            return Phrase(t, "", f"{cause} put it in {mailbox} on the server")
        if change == "expunge" and cause == "retention":
            return Phrase(t, "", "server retention deleted it")
        return None

    def _expunged(self, e: ExpungedBy) -> Phrase | None:
        """A device's command removed the message from the server."""
        if e.cause == "move" or e.t in self.moved_at:
            return None
        text = EXPUNGE.get(e.cause) or f"expunged it from {e.mailbox} on the server"
        return Phrase(e.t, e.device, text)

    def _drop(self, e: Drop) -> Phrase | None:
        """A followed device's connection dropped at a telling command."""
        if self.focus and e.device in self.focus and e.command in PROGRAMS:
            return Phrase(e.t, e.device, f"lost its connection during a {e.command} run",
                          False)
        if self.focus and e.device in self.focus and e.command in TOLD_DROPS:
            return Phrase(e.t, e.device, f"lost its connection {e.when} {e.command.upper()}",
                          False)
        return None

    # -- the whole account ----------------------------------------------------------------
    def phrases(self) -> list[Phrase]:
        """Every phrase in time order, with one actor's same-minute phrases joined."""
        merged = sorted([*self.events, *self.context], key=lambda e: e.t)
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


def _stored(events: list[Record]) -> bool:
    """Whether the server ever held the message."""
    return any(e.kind == "store" and e.change == "add" for e in events)


def add_stories(
    log: StoryLog, witnesses: dict[str, list[Witness]], lost: list[LostExample]
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
