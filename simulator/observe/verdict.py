"""Verdict checker: simulator invariants and protocol rules, read from the history. A false
verdict means a bug in the model or in a client (DESIGN: verdict.valid)."""

from __future__ import annotations

from typing import Any

from simulator.observe.history import Event, History

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
        history.subscribe("violation", lambda e: self.fail(f"t={e[1]:.0f}s: {e[2]}"))
        history.subscribe("store", self._store)
        history.subscribe("deliver", lambda e: self.known.add(e[3]))
        history.subscribe("sent", lambda e: self.known.add(e[3]))
        history.subscribe("bounce", lambda e: self.bounced.add(e[3]))
        history.subscribe("view", self._view)
        history.subscribe("intent", self._intent)

    def fail(self, text: str) -> None:
        """Record a violation (the first few verbatim)."""
        self.count += 1
        if len(self.violations) < MAX_VIOLATIONS:
            self.violations.append(text)

    def _store(self, e: Event) -> None:
        _, t, user, kind, mailbox, uidvalidity, uid, mid, _cause = e
        if kind not in ("add", "uidvalidity"):
            return
        key = (user, mailbox, uidvalidity)
        if uid <= self.last_uid.get(key, 0):
            self.fail(f"t={t:.0f}s: {user}/{mailbox} UID {uid} reused (UIDVALIDITY {uidvalidity})")
        self.last_uid[key] = uid
        if mid not in self.known:
            self.fail(f"t={t:.0f}s: {user}/{mailbox} stores {mid}, never delivered or sent")

    def _view(self, e: Event) -> None:
        _, t, device, mid, _state, shown, _bodies = e
        if shown and mid not in self.known:
            self.fail(f"t={t:.0f}s: {device} shows {mid}, never delivered or sent")

    def _intent(self, e: Event) -> None:
        _, t, user, mid, state, _device, cause = e
        mids = self.intent.setdefault(user, set())
        if state is None:
            if cause != "delete":
                self.fail(f"t={t:.0f}s: {mid} left {user}'s intent without a deletion")
            mids.discard(mid)
            self.deleted.add(mid)
        else:
            mids.add(mid)

    def summary(self, storage_over: list[str]) -> dict[str, Any]:
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
