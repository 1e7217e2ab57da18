"""Verdict checker: simulator invariants and protocol rules, read from the history. A false
verdict means a bug in the model or in a client (DESIGN: verdict.valid)."""

from __future__ import annotations

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

MAX_VIOLATIONS = 20


class Verdict:
    """UIDs never reused, no phantom messages, and every message accounted for."""

    def __init__(self, history: History) -> None:
        self.violations: list[str] = []
        self.count = 0
        self.last_uid: dict[tuple[str, str, int], int] = {}
        self.known: set[str] = set()
        self.bounced: set[str] = set()
        self.intent: dict[str, set[str]] = {}
        self.deleted: set[str] = set()
        history.subscribe(Violation, self._violation)
        history.subscribe(StoreChange, self._store)
        history.subscribe(Delivered, self._known)
        history.subscribe(Sent, self._known)
        history.subscribe(Bounced, self._bounced)
        history.subscribe(ViewChange, self._view)
        history.subscribe(Intent, self._intent)

    def fail(self, text: str) -> None:
        """Record a violation (the first few verbatim)."""
        self.count += 1
        if len(self.violations) < MAX_VIOLATIONS:
            self.violations.append(text)

    def _violation(self, e: Violation) -> None:
        self.fail(f"t={e.t:.0f}s: {e.text}")

    def _known(self, e: Delivered | Sent) -> None:
        self.known.add(e.mid)

    def _bounced(self, e: Bounced) -> None:
        self.bounced.add(e.mid)

    def _store(self, e: StoreChange) -> None:
        if e.change not in ("add", "uidvalidity"):
            return
        key = (e.user, e.mailbox, e.uidvalidity)
        if e.uid <= self.last_uid.get(key, 0):
            self.fail(f"{_where(e)} UID {e.uid} reused (UIDVALIDITY {e.uidvalidity})")
        self.last_uid[key] = e.uid
        if e.mid not in self.known:
            self.fail(f"{_where(e)} stores {e.mid}, never delivered or sent")

    def _view(self, e: ViewChange) -> None:
        if e.shown and e.mid not in self.known:
            self.fail(f"t={e.t:.0f}s: {e.device} shows {e.mid}, never delivered or sent")

    def _intent(self, e: Intent) -> None:
        t, user, mid = e.t, e.user, e.mid
        mids = self.intent.setdefault(user, set())
        if e.state is None:
            if e.cause != "delete":
                self.fail(f"t={t:.0f}s: {mid} left {user}'s intent without a deletion")
            mids.discard(mid)
            self.deleted.add(mid)
        else:
            mids.add(mid)

    def summary(self, storage_over: list[str]) -> VerdictBlock:
        """The ``verdict`` block: accounting at the end, plus everything recorded."""
        for text in storage_over:
            self.fail(text)
        in_intent = set().union(*self.intent.values()) if self.intent else set()
        unaccounted = self.known - in_intent - self.deleted
        for mid in sorted(unaccounted)[:5]:
            self.fail(f"{mid} is neither in the intent, nor deleted, nor bounced")
        if unaccounted:
            self.count += max(0, len(unaccounted) - 5)
        for mid in sorted(in_intent & self.bounced)[:5]:
            self.fail(f"{mid} bounced but is expected in a mailbox")
        return {"valid": self.count == 0, "violations": list(self.violations),
                "violation_count": self.count}


def _where(e: StoreChange) -> str:
    """Where a server change happened, as violations name it: "t=120s: ann/INBOX"."""
    return f"t={e.t:.0f}s: {e.user}/{e.mailbox}"
