"""One account's share of a device's local store, for a device that syncs several accounts
(claim P8).

Each account has its own client; the clients share the device's :class:`LocalStore` (one
view, one storage limit) through a :class:`StorePart` that keeps their keys apart. A client
that keeps mail in local folders (POP3) files every account's mail into the same local
Inbox; one that mirrors server folders (IMAP) keeps each account's folders apart, under the
account's name. Each new message filed into an Inbox is reported with that folder tree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from simulator.clients.local import LocalMsg, LocalStore
from simulator.mail.message import Message

Filed = Callable[[str, str], None]
"""Called with (mid, folder tree) when a message is first filed into an Inbox."""

LOCAL_TREE: Final = ""
"""The tree of local folders, shared by every account that downloads into it."""


class StorePart:
    """The keys of one account in a shared store: same interface as :class:`LocalStore`
    for a client, with keys prefixed by the account and results limited to them."""

    def __init__(self, store: LocalStore, account: str, tree: str, filed: Filed) -> None:
        self.whole = store
        self.prefix = f"{account}:"
        self.tree = tree
        self.filed = filed

    # -- what the client reads of the whole store --------------------------------------------
    @property
    def capacity(self) -> int | None:
        """The device's storage limit (shared by every account)."""
        return self.whole.capacity

    @property
    def bytes(self) -> int:
        """Bytes the whole device store uses."""
        return self.whole.bytes

    @property
    def count_headers(self) -> bool:
        """Whether header-only copies use storage (a setting of the whole store)."""
        return self.whole.count_headers

    @count_headers.setter
    def count_headers(self, value: bool) -> None:
        self.whole.count_headers = value

    def room_for(self, size: int) -> bool:
        """Whether ``size`` more bytes fit on the device."""
        return self.whole.room_for(size)

    # -- this account's keys -----------------------------------------------------------------
    def _own(self, local: LocalMsg | None) -> LocalMsg | None:
        if local is None or not local.key.startswith(self.prefix):
            return None
        return LocalMsg(local.key[len(self.prefix):], local.msg, local.folder, local.flags,
                        local.body)

    def _mine(self, mid: str) -> list[LocalMsg]:
        return [m for m in (self._own(self.whole.get(k)) for k in self.whole.keys_of(mid)) if m]

    def get(self, key: str) -> LocalMsg | None:
        """This account's message under ``key``, if any."""
        return self._own(self.whole.get(self.prefix + key))

    def keys_of(self, mid: str) -> list[str]:
        """This account's keys holding ``mid``."""
        return [m.key for m in self._mine(mid)]

    def shown(self, mid: str) -> LocalMsg | None:
        """This account's first visible copy of ``mid``."""
        return next((m for m in self._mine(mid) if m.visible), None)

    def has_body(self, mid: str) -> bool:
        """Whether this account holds a readable visible copy of ``mid``."""
        return any(m.body and m.visible for m in self._mine(mid))

    def visible_keys(self, folder: str) -> list[str]:
        """This account's visible keys in ``folder``, in the order they were stored."""
        n = len(self.prefix)
        keys = self.whole.visible_keys(folder)
        return [k[n:] for k in keys if k.startswith(self.prefix)]

    # -- changes -------------------------------------------------------------------------
    def put(self, key: str, msg: Message, folder: str, flags: frozenset[str], body: bool) -> None:
        """Store (or replace) ``key``; a new message in an Inbox is reported as filed."""
        new = self.whole.get(self.prefix + key) is None
        self.whole.put(self.prefix + key, msg, folder, flags, body)
        if new and folder == "INBOX":
            self.filed(msg.mid, self.tree)

    def update(self, key: str, *, folder: str | None = None, flags: frozenset[str] | None = None,
               body: bool | None = None) -> LocalMsg | None:
        """Change folder, flags or body of this account's ``key``."""
        return self._own(self.whole.update(self.prefix + key, folder=folder, flags=flags,
                                           body=body))

    def remove(self, key: str) -> None:
        """Forget this account's ``key``."""
        self.whole.remove(self.prefix + key)

    def wipe(self) -> None:
        """The device is lost or reset: the whole store goes, every account's part."""
        self.whole.wipe()


__all__ = ["LOCAL_TREE", "StorePart"]


Store = LocalStore | StorePart
"""What a client keeps its mail in: the device's whole store, or its account's part of it."""
