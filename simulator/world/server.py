"""The mail server in time: accounts, delivery with quota (bounce or defer with sender
retries, SEMANTICS 21), retention, UIDVALIDITY resets, and the sessions open on it."""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, ClassVar

import simpy
from mypy_extensions import mypyc_attr

from simulator.mail import imap, pop3
from simulator.mail.message import Message
from simulator.mail.smtp import Submission
from simulator.mail.store import Account, StoreEvent
from simulator.observe.history import History
from simulator.observe.records import Delivered, ServerBytes, StoreChange
from simulator.world.timing import GIVE_UP_AFTER, RETENTION_SWEEP, RETRY_EVERY

if TYPE_CHECKING:
    from simulator.scenario import ServerConfig


@mypyc_attr(allow_interpreted_subclasses=True)
class Server:
    """A mail server: its accounts (one per user, and any further accounts people have on
    it) and the protocol front ends."""

    runs_programs: ClassVar[bool] = False
    """Whether real programs can sync with it (a real server backend: ``access``,
    ``observe``, ``workspace`` and ``letter``)."""

    def __init__(self, env: simpy.Environment, config: ServerConfig, history: History,
                 name: str = "") -> None:
        self.env = env
        self.name = name  # "" for the organisation's own server
        self.config = config
        self.history = history
        self.accounts: dict[str, Account] = {}
        self.maildrops: dict[str, pop3.Maildrop] = {}
        self.imap: dict[str, imap.ImapServer] = {}
        self.submission = Submission(keep=False)  # nothing here reads what it sent
        self.watchers: list[Callable[[str, StoreEvent], None]] = []
        self.up = True

    def add_account(self, user: str, index: int) -> Account:
        """Create ``user``'s mailboxes; UIDVALIDITY bases differ per account."""
        account = Account(user, self.config.quota, uidvalidity_base=1000 * (index + 1))
        account.listeners.append(self._on_store)
        self.accounts[user] = account
        self.maildrops[user] = pop3.Maildrop(account, lock=self.config.pop3_lock)
        self.imap[user] = imap.ImapServer(account)
        self.history.add("server_bytes", self.env.now, user, 0)
        return account

    def open(self, user: str, protocol: str, by: str) -> Any:
        """A new connection to ``user``'s account over ``protocol``, made by device ``by``
        (the store's events name it as the maker of that session's changes)."""
        if protocol == "pop3":
            return self.maildrops[user].open(by)
        return self.imap[user].connect(by)

    def _on_store(self, account: Account, event: StoreEvent) -> None:
        now = self.env.now
        self.history.emit(StoreChange(now, account.name, event.kind, event.mailbox,
                                      event.uidvalidity, event.uid, event.mid, event.cause))
        if event.kind in ("add", "expunge"):
            self.history.emit(ServerBytes(now, account.name, account.used))
        for watch in self.watchers:
            watch(account.name, event)

    # -- delivery ------------------------------------------------------------------------
    def deliver(self, user: str, msg: Message) -> Generator[Any, Any, str]:
        """Deliver over LMTP; over quota it bounces (552) or the sender retries (452)."""
        first = self.env.now
        while (outcome := self.attempt(user, msg, first)) == "deferred":
            yield self.env.timeout(RETRY_EVERY)
        return outcome

    def attempt(self, user: str, msg: Message, first: float) -> str:
        """One try at delivering ``msg`` (first tried at ``first``): "delivered",
        "bounced", or "deferred" when the sender tries again in RETRY_EVERY."""
        account = self.accounts[user]
        if self.up and account.fits(msg.size):
            self.history.emit(Delivered(self.env.now, user, msg.mid, msg.size))
            account.add("INBOX", msg, cause="deliver")
            return "delivered"
        if self.up and self.config.over_quota == "bounce":
            self.history.add("bounce", self.env.now, user, msg.mid, msg.size)
            return "bounced"
        self.history.add("defer", self.env.now, user, msg.mid)
        if self.env.now + RETRY_EVERY - first > GIVE_UP_AFTER:
            self.history.add("bounce", self.env.now, user, msg.mid, msg.size)
            return "bounced"
        return "deferred"

    # -- server-side housekeeping ----------------------------------------------------------
    def retention(self) -> Generator[Any, Any, None]:
        """Once a day, expunge every message older than the retention period (claim R1)."""
        keep = self.config.retention
        assert keep is not None  # started only for a server that has a retention period
        while True:
            yield self.env.timeout(RETENTION_SWEEP)
            cutoff = self.env.now - keep
            for user in sorted(self.accounts):
                account = self.accounts[user]
                for name, box in account.mailboxes.items():
                    old = [e.uid for e in box.entries.values() if e.msg.date <= cutoff]
                    if old:
                        account.expunge(name, old, cause="retention")

    @staticmethod
    def check() -> None:
        """Nothing to check for the model (a real server's backend checks it can run)."""

    def close(self, keep: bool = False) -> str:
        """The run is over: nothing to end on the model (a real server's backend ends its
        processes here and returns its log)."""
        return ""

    def reset_uidvalidity(self) -> None:
        """Every mailbox of every account gets a new UIDVALIDITY (a restore from backup)."""
        for user in sorted(self.accounts):
            account = self.accounts[user]
            for name in list(account.mailboxes):
                account.reset_uidvalidity(name)
