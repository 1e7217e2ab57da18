"""Verdict checker: simulator invariants and protocol rules, read from the history. A false
verdict means a bug in the model or in a client (DESIGN: verdict.valid)."""

from __future__ import annotations

from bisect import insort
from typing import Any, Final

from simulator.observe.blocks import VerdictBlock
from simulator.observe.history import (
    Bounced,
    Delivered,
    History,
    Intent,
    Sent,
    StoreChange,
    ViewChange,
    Violation,
)

MAX_VIOLATIONS: Final = 20


class Verdict:
    """UIDs never reused, no phantom messages, and every message accounted for."""

    def __init__(self, history: History, intent: dict[str, dict[str, Any]] | None = None,
                 deleted: dict[str, set[str]] | None = None) -> None:
        """``intent`` and ``deleted``: the person -> expected mids and person -> mids they
        deleted maps another checker keeps up to date (the observer shares the consistency
        checker's: they hold every message a person keeps or deleted); without them, this
        one keeps its own."""
        self.timed: list[tuple[float, str]] = []  # the MAX_VIOLATIONS earliest (when, what)
        self.count = 0
        self.last_uid: dict[tuple[str, str, int], int] = {}
        self.known: set[str] = set()
        self.bounced: set[str] = set()
        self._owns = intent is None
        self.intent: dict[str, dict[str, Any]] = {} if intent is None else intent
        self._owns_deleted = deleted is None
        self.deleted: dict[str, set[str]] = {} if deleted is None else deleted
        self.left: set[str] = set()  # mids that left an intent without a deletion (violations)
        history.subscribe(Violation, self._violation)
        history.subscribe(StoreChange, self._store)
        history.subscribe(Delivered, self._known)
        history.subscribe(Sent, self._known)
        history.subscribe(Bounced, self._bounced)
        history.subscribe(ViewChange, self._view)
        history.subscribe(Intent, self._intent)

    def fail(self, t: float, text: str) -> None:
        """Record a violation at ``t``; the earliest few are kept verbatim, by (time, text),
        so which ones does not depend on the order of people's records within an instant."""
        self.count += 1
        if len(self.timed) < MAX_VIOLATIONS or (t, text) < self.timed[-1]:
            insort(self.timed, (t, text))
            del self.timed[MAX_VIOLATIONS:]

    def _violation(self, e: Violation) -> None:
        self.fail(e.t, f"t={e.t:.0f}s: {e.text}")

    def _known(self, e: Delivered | Sent) -> None:
        self.known.add(e.mid)

    def _bounced(self, e: Bounced) -> None:
        self.bounced.add(e.mid)

    def _store(self, e: StoreChange) -> None:
        if e.change not in ("add", "uidvalidity"):
            return
        key = (e.user, e.mailbox, e.uidvalidity)
        if e.uid <= self.last_uid.get(key, 0):
            self.fail(e.t, f"{_where(e)} UID {e.uid} reused (UIDVALIDITY {e.uidvalidity})")
        self.last_uid[key] = e.uid
        if e.mid not in self.known:
            self.fail(e.t, f"{_where(e)} stores {e.mid}, never delivered or sent")

    def _view(self, e: ViewChange) -> None:
        if e.shown and e.mid not in self.known:
            self.fail(e.t, f"t={e.t:.0f}s: {e.device} shows {e.mid}, never delivered or sent")

    def _intent(self, e: Intent) -> None:
        t, user, mid = e.t, e.user, e.mid
        if e.state is None:
            if e.cause != "delete":
                self.fail(t, f"t={t:.0f}s: {mid} left {user}'s intent without a deletion")
                self.left.add(mid)
            elif self._owns_deleted:
                self.deleted.setdefault(user, set()).add(mid)
        if self._owns:  # a dict as a set: smaller under churn
            mids = self.intent.setdefault(user, {})
            if e.state is None:
                mids.pop(mid, None)
            else:
                mids[mid] = None

    def summary(self, storage_over: list[tuple[float, str]]) -> VerdictBlock:
        """The ``verdict`` block: everything recorded (storage over quota among it, by
        time), then the accounting at the end."""
        for t, text in storage_over:
            self.fail(t, text)
        violations = [text for _, text in self.timed]
        at_end: list[str] = []
        in_intent = self.in_intent()
        unaccounted = self.unaccounted(in_intent)
        for mid in sorted(unaccounted)[:5]:
            at_end.append(f"{mid} is neither in the intent, nor deleted, nor bounced")
        for mid in sorted(in_intent & self.bounced)[:5]:
            at_end.append(f"{mid} bounced but is expected in a mailbox")
        self.count += len(at_end) + max(0, len(unaccounted) - 5)
        violations += at_end[:MAX_VIOLATIONS - len(violations)]
        return {"valid": self.count == 0, "violations": violations,
                "violation_count": self.count}


    def in_intent(self) -> set[str]:
        """Every message some person expects."""
        return set().union(*self.intent.values()) if self.intent else set()

    def unaccounted(self, in_intent: set[str]) -> set[str]:
        """Messages delivered or sent that are neither expected (``in_intent``) nor deleted."""
        return self.known - in_intent - self.left.union(*self.deleted.values())


def _where(e: StoreChange) -> str:
    """Where a server change happened, as violations name it: "t=120s: ann/INBOX"."""
    return f"t={e.t:.0f}s: {e.user}/{e.mailbox}"
