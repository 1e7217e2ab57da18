"""The world's server on Dovecot (``server: {backend: dovecot}``): the model's
:class:`~simulator.world.server.Server` in time, with every account a Maildir of a
daemon-less Dovecot (:mod:`simulator.backend.install`).

Sessions are Dovecot processes (:mod:`~simulator.backend.imap_session`,
:mod:`~simulator.backend.pop3_session`), deliveries go through ``dovecot-lda`` (quota,
bounce or defer as Dovecot decides), and retention and UIDVALIDITY resets are done to
Dovecot's files. The model Accounts stay as mirrors written only from what Dovecot reports
(:mod:`~simulator.backend.mirror`), so the history, and every checker reading it, is the
same as on the model backend.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import simpy

from simulator.backend.imap_session import ImapSession
from simulator.backend.install import Installation, require
from simulator.backend.letters import render
from simulator.backend.mirror import Mirror
from simulator.backend.pop3_session import Pop3Session
from simulator.external.program import Access
from simulator.mail.message import Message
from simulator.mail.store import Account
from simulator.observe.history import History
from simulator.world.server import Server
from simulator.world.timing import GIVE_UP_AFTER, RETENTION_SWEEP, RETRY_EVERY

if TYPE_CHECKING:
    from simulator.scenario import ServerConfig

KEEP = "MAILSIM_KEEP_SCRATCH"
"""Set (to anything) to keep every run's Dovecot scratch folder for a post-mortem."""


class DovecotServer(Server):
    """A mail server whose accounts live in Dovecot; the Accounts mirror them."""

    runs_programs = True

    def __init__(self, env: simpy.Environment, config: ServerConfig, history: History,
                 name: str = "") -> None:
        super().__init__(env, config, history, name)
        self.install = Installation(config.quota, config.over_quota == "defer",
                                    config.pop3_lock, name)
        self.mirrors: dict[str, Mirror] = {}
        self.pop3_holders: dict[str, set[Pop3Session]] = {}  # live POP3 sessions per account

    @staticmethod
    def check() -> None:
        """Raise DovecotMissing, naming the Debian packages, when Dovecot cannot run here."""
        require()

    def add_account(self, user: str, index: int) -> Account:
        """Create ``user``'s Maildir in Dovecot and its mirror Account (no quota of its
        own: Dovecot enforces the quota, the mirror holds whatever Dovecot holds)."""
        account = super().add_account(user, index)
        account.quota = None
        self.install.add_user(user)
        self.mirrors[user] = Mirror(account, lambda: self.install.imap(user))
        self.pop3_holders[user] = set()
        return account

    def open(self, user: str, protocol: str, by: str) -> Any:
        """A new connection to ``user``'s account over ``protocol``, made by device ``by``."""
        if protocol == "pop3":
            return Pop3Session(self, user, by)
        return ImapSession(self, user, by)

    # -- what the external clients use -----------------------------------------------------
    def access(self, user: str) -> Access:
        """How a real program reaches ``user``'s account: the argv of Dovecot's
        preauthenticated imap and pop3 processes, and their environment."""
        if user not in self.mirrors:
            raise KeyError(f"no account {user!r} on this server")
        return Access(self.install.argv("imap"), self.install.argv("pop3"),
                      self.install.env(user))

    def workspace(self, name: str) -> Path:
        """A folder of this run's scratch space for a device's real program (its config,
        state, log and Maildir), removed with the rest at the end."""
        path = self.install.root / "devices" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @staticmethod
    def letter(msg: Message) -> bytes:
        """``msg`` as the bytes Dovecot stores (a device files its sent copies so)."""
        return render(msg)

    def observe(self, user: str, cause: str = "", by: str = "") -> None:
        """Read Dovecot's state of ``user``'s account and apply what changed since the last
        look to the mirror Account, naming ``cause`` and ``by`` (a device id; "" for the
        server) in the history."""
        self.mirrors[user].observe(cause, by)

    # -- delivery --------------------------------------------------------------------------
    def attempt(self, user: str, msg: Message, first: float) -> str:
        """One try at delivering ``msg`` through dovecot-lda: "delivered", "bounced", or
        "deferred" (Dovecot's temporary failure, or the server down)."""
        outcome = self.install.deliver(user, render(msg)) if self.up else "deferred"
        if outcome == "delivered":
            self.history.add("deliver", self.env.now, user, msg.mid, msg.size)
            self.observe(user, "deliver")
            return outcome
        if outcome == "bounced":
            self.history.add("bounce", self.env.now, user, msg.mid, msg.size)
            return outcome
        self.history.add("defer", self.env.now, user, msg.mid)
        if self.env.now + RETRY_EVERY - first > GIVE_UP_AFTER:
            self.history.add("bounce", self.env.now, user, msg.mid, msg.size)
            return "bounced"
        return "deferred"

    # -- server-side housekeeping ----------------------------------------------------------
    def retention(self) -> Generator[Any, Any, None]:
        """Once a day, expunge in Dovecot every message older than the retention period
        (by the model date it carries), then read the result back."""
        keep = self.config.retention
        while True:
            yield self.env.timeout(RETENTION_SWEEP)
            cutoff = self.env.now - keep
            for user in sorted(self.accounts):
                old = {name: [e.uid for e in box.entries.values() if e.msg.date <= cutoff]
                       for name, box in self.accounts[user].mailboxes.items()}
                if any(old.values()):
                    self._expunge(user, old)
                    self.observe(user, "retention")

    def _expunge(self, user: str, uids: dict[str, list[int]]) -> None:
        """Expunge ``uids`` (folder -> UIDs) from ``user``'s account in a session of its own."""
        conn = self.install.imap(user)
        for folder, wanted in uids.items():
            if wanted:
                conn.command(f"SELECT {folder}")
                text = ",".join(map(str, wanted))
                conn.command(f"UID STORE {text} +FLAGS.SILENT (\\Deleted)")
                conn.command(f"UID EXPUNGE {text}")
        conn.command("LOGOUT")
        self.install.close(conn.pipe)

    def reset_uidvalidity(self) -> None:
        """Every folder of every account loses its UID list and indexes (a restore from
        backup); Dovecot renumbers them under new UIDVALIDITYs, which the mirrors read."""
        for user in sorted(self.accounts):
            mirror = self.mirrors[user]
            mirror.close()
            for folder in self.accounts[user].mailboxes:
                self.install.forget_uids(user, folder)
            mirror.reopen()
            mirror.observe()

    # -- the end ---------------------------------------------------------------------------
    def log(self) -> str:
        """Dovecot's log of this run so far."""
        return self.install.log()

    def close(self, keep: bool = False) -> str:
        """End every process and remove the scratch folder (unless ``keep``, or the
        environment sets MAILSIM_KEEP_SCRATCH); returns Dovecot's log."""
        keep = keep or bool(os.environ.get(KEEP))
        text = self.install.log()
        if keep:
            text += f"mailsim: scratch folder kept at {self.install.root}\n"
        for mirror in self.mirrors.values():
            mirror.close()
        self.install.shutdown(keep)
        return text
