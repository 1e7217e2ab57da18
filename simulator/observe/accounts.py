"""Accounts checker (claim P8): for people with several mail accounts, where each account's
mail lives on the servers, and whether a device files it into one Inbox or one per account.

It reads "account" events (a person's further account, its server and quota), "filed"
events (a new message put into an Inbox folder tree on a device that syncs several
accounts) and deliveries; each account's bytes come from the server storage checker.
Without further accounts it subscribes to nothing else and has nothing to say.
"""

from __future__ import annotations

from collections import Counter
from typing import Final

from simulator.observe.blocks import AccountBlock, AccountsBlock, Inboxes
from simulator.observe.history import AccountAdded, Delivered, Filed, History
from simulator.observe.storage import ServerStorage

ORGANISATION: Final = "(organisation)"


class Accounts:
    """Per account: owner, server, mail delivered, server bytes; per device: its Inboxes."""

    def __init__(self, history: History, storage: ServerStorage) -> None:
        self.history, self.storage = history, storage
        self.owner: dict[str, str] = {}
        self.server: dict[str, str] = {}
        self.delivered: Counter[str] = Counter()
        self.filed: dict[str, Counter[str]] = {}  # device -> Inbox tree -> messages
        history.subscribe(AccountAdded, self._account)
        history.subscribe(Filed, self._filed)

    def _account(self, e: AccountAdded) -> None:
        if not self.owner:  # the first further account: now deliveries are worth counting
            self.history.subscribe(Delivered, self._delivered)
        self.owner[e.account] = e.person
        self.server[e.account] = e.server or ORGANISATION
        self.owner.setdefault(e.person, e.person)
        self.server.setdefault(e.person, ORGANISATION)

    def _delivered(self, e: Delivered) -> None:
        self.delivered[e.user] += 1

    def _filed(self, e: Filed) -> None:
        self.filed.setdefault(e.device, Counter())[e.tree] += 1

    def summary(self, end: float) -> AccountsBlock | None:
        """The ``accounts`` block of summary.json, or None when nobody has further accounts."""
        if not self.owner:
            return None
        per_device = {d: _inboxes(trees) for d, trees in sorted(self.filed.items())}
        filed = sum(sum(trees.values()) for trees in self.filed.values())
        merged = sum(max(trees.values()) for trees in self.filed.values())
        inboxes = [block["inboxes"] for block in per_device.values()]
        return {
            "merged_inbox_share": round(merged / filed, 6) if filed else None,
            "inboxes_per_device": round(sum(inboxes) / len(inboxes), 6) if inboxes else None,
            "per_account": {a: self._account_block(a, end) for a in sorted(self.owner)},
            "per_device": per_device,
        }

    def _account_block(self, account: str, end: float) -> AccountBlock:
        stored = self.storage.per_user_summary(account, end)
        return {
            "person": self.owner[account],
            "server": self.server[account],
            "delivered": self.delivered[account],
            "server_peak_bytes": stored["server_peak_bytes"],
            "server_final_bytes": stored["server_final_bytes"],
        }


def _inboxes(trees: Counter[str]) -> Inboxes:
    """How many Inbox folders a device's new mail went to, and the busiest one's share."""
    total = sum(trees.values())
    return {"inboxes": len(trees), "merged_share": round(max(trees.values()) / total, 6)}


__all__ = ["Accounts"]
