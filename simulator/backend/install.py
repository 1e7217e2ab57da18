"""One run's Dovecot: a scratch folder with one config and one Maildir home per account,
run without a daemon (one process per session, ``dovecot-lda`` per delivery).

Generalises the conformance harness's single throw-away account
(:mod:`simulator.conformance.dovecot`) to the accounts of a server in a scenario: the
config names ``mail_location = maildir:~/Maildir`` and each process gets its account's
``USER`` and ``HOME``, so every account is a Maildir of its own under one Dovecot.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from simulator.conformance.dovecot import (
    EX_TEMPFAIL,
    FOLDERS,
    LIBEXEC,
    _chown_tree,
    _yes,
    mail_ids,
    missing,
    scratch,
)
from simulator.conformance.proc import Pipe
from simulator.conformance.wire import ImapConn, Pop3Conn
from simulator.world.world import SimulationError

TIMEOUT = 30.0
"""Seconds to wait for one reply line before declaring Dovecot hung."""
PACKAGES = "dovecot-imapd dovecot-pop3d"


class DovecotMissing(SimulationError):
    """Dovecot cannot run here: the scenario asks for ``server: {backend: dovecot}``."""


def require() -> None:
    """Raise DovecotMissing, naming the Debian packages, when Dovecot cannot run here."""
    reason = missing()
    if reason is not None:
        raise DovecotMissing(f"server backend dovecot: {reason}")


class Installation:
    """The scratch folder of one Dovecot server of a run: config, log, bounces, homes."""

    def __init__(self, quota: int | None, tempfail: bool, pop3_lock: bool,
                 name: str = "") -> None:
        require()
        self.quota, self.tempfail, self.pop3_lock = quota, tempfail, pop3_lock
        self.root = scratch(f"mailsim-dovecot-{name or 'server'}-", "homes")
        self.uid, self.gid = mail_ids()
        self.conf = self.root / "dovecot.conf"
        self.bounces = self.root / "bounces"
        self.pipes: list[Pipe] = []
        self._setup()

    def _setup(self) -> None:
        """The config, and the homes and log handed to the mail uid."""
        self.conf.write_text(self.config())
        if os.geteuid() == 0:
            for path in (self.root / "homes", self.root / "log", self.bounces):
                _chown_tree(path, self.uid, self.gid)

    def config(self) -> str:
        """The dovecot.conf text: paths in the scratch folder and the server's policy."""
        r = self.root
        lines = [
            f"base_dir = {r}/base",
            f"state_dir = {r}/state",
            f"log_path = {r}/log",
            "mail_location = maildir:~/Maildir",
            "ssl = no",
            f"mail_uid = {self.uid}",
            f"mail_gid = {self.gid}",
            f"first_valid_uid = {min(self.uid, 500)}",
            "protocols = imap pop3",
            "mail_save_crlf = yes",
            f"pop3_lock_session = {_yes(self.pop3_lock)}",
            f"sendmail_path = {r}/bin/sendmail",
            f"quota_full_tempfail = {_yes(self.tempfail)}",
        ]
        if self.quota is not None:
            lines += [
                "mail_plugins = $mail_plugins quota",
                "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}",
                "plugin {",
                "  quota = maildir:User quota",
                f"  quota_rule = *:storage={self.quota}B",
                "  quota_grace = 0",
                "}",
            ]
        return "\n".join(lines) + "\n"

    # -- accounts --------------------------------------------------------------------------
    def home(self, user: str) -> Path:
        """The home folder of ``user`` (its Maildir is ``Maildir`` in it)."""
        return self.root / "homes" / user

    def env(self, user: str) -> dict[str, str]:
        """The environment a Dovecot binary needs to serve ``user`` preauthenticated."""
        return {"USER": user, "HOME": str(self.home(user)), "PATH": "/usr/bin:/bin"}

    def argv(self, binary: str) -> tuple[str, ...]:
        """The command line of a preauthenticated ``imap`` or ``pop3`` process."""
        return (str(LIBEXEC / binary), "-c", str(self.conf))

    def add_user(self, user: str) -> None:
        """Create ``user``'s Maildir with the model's folders (IMAP CREATE)."""
        home = self.home(user)
        (home / "Maildir").mkdir(parents=True)
        if os.geteuid() == 0:
            _chown_tree(home, self.uid, self.gid)
        setup = self.imap(user)
        for folder in FOLDERS:
            if not setup.command(f"CREATE {folder}").ok:
                raise RuntimeError(f"cannot create {folder} in {home}: {self.log()[-2000:]}")
        self.close(setup.pipe)

    def spawn(self, user: str, binary: str) -> Pipe:
        """Start one ``binary`` process on ``user``'s account (killed at shutdown)."""
        pipe = Pipe(self.argv(binary), self.env(user), TIMEOUT)
        self.pipes.append(pipe)
        return pipe

    def imap(self, user: str) -> ImapConn:
        """A new preauthenticated IMAP session on ``user``'s account."""
        return ImapConn(self.spawn(user, "imap"))

    def pop3(self, user: str) -> Pop3Conn:
        """A new preauthenticated POP3 process (it may still answer IN-USE)."""
        return Pop3Conn(self.spawn(user, "pop3"))

    def close(self, pipe: Pipe, graceful: bool = True) -> None:
        """End a session's process and forget it: EOF (a disconnect) or SIGKILL."""
        pipe.close(graceful)
        if pipe in self.pipes:
            self.pipes.remove(pipe)

    # -- delivery and housekeeping ---------------------------------------------------------
    def deliver(self, user: str, data: bytes) -> str:
        """Deliver ``data`` through dovecot-lda: delivered, bounced or deferred."""
        before = self.bounces.stat().st_size
        argv = [str(LIBEXEC / "dovecot-lda"), "-c", str(self.conf), "-f", "sender@example.org"]
        env = self.env(user)
        if os.geteuid() == 0:
            ids = [f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
            pairs = [f"{k}={v}" for k, v in env.items()]
            argv = ["setpriv", *ids, "env", "-i", *pairs, *argv]
        done = subprocess.run(argv, input=data, capture_output=True, env=env, timeout=TIMEOUT,
                              check=False)
        if done.returncode == EX_TEMPFAIL:
            return "deferred"
        if done.returncode != 0:
            raise RuntimeError(f"dovecot-lda failed ({done.returncode}): {done.stderr!r}")
        return "bounced" if self.bounces.stat().st_size != before else "delivered"

    def forget_uids(self, user: str, folder: str) -> None:
        """Delete ``folder``'s UID list and indexes: Dovecot renumbers it under a new
        UIDVALIDITY at its next access, keeping messages and flags (a restored backup)."""
        maildir = self.home(user) / "Maildir"
        path = maildir if folder == "INBOX" else maildir / f".{folder}"
        for name in ["dovecot-uidlist", *(p.name for p in path.glob("dovecot.index*"))]:
            (path / name).unlink(missing_ok=True)

    def log(self) -> str:
        """Dovecot's log file."""
        return (self.root / "log").read_text(errors="replace")

    def shutdown(self, keep: bool = False) -> None:
        """Kill every process still running and remove the scratch folder (unless ``keep``)."""
        for pipe in self.pipes:
            pipe.close(graceful=False)
        self.pipes.clear()
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
