"""Run Debian's Dovecot with no daemon: a config in a temp dir, one process per session.

``/usr/lib/dovecot/imap -c CONF`` and ``/usr/lib/dovecot/pop3 -c CONF`` with ``USER`` and
``HOME`` set speak preauthenticated IMAP/POP3 on stdin/stdout; several processes on one
maildir are several concurrent sessions. ``dovecot-lda`` delivers (as the mail uid), and a
fake ``sendmail`` records bounces. Every read has a timeout, so a hung Dovecot fails a test
instead of hanging the suite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from simulator.conformance.messages import render
from simulator.conformance.proc import DEFAULT_TIMEOUT, Pipe
from simulator.conformance.wire import ImapConn, Pop3Conn
from simulator.external.program import Access

LIBEXEC = Path(os.environ.get("MAILSIM_DOVECOT_LIBEXEC", "/usr/lib/dovecot"))
DOVECONF = shutil.which("doveconf") or "/usr/bin/doveconf"
NOBODY = 65534
EX_TEMPFAIL = 75
FOLDERS = ("Sent", "Drafts", "Trash", "Archive")
"""Created at setup so the maildir has the model's folders (INBOX always exists)."""


def missing() -> str | None:
    """Why Dovecot cannot run here (binary or privilege missing), or None when it can."""
    for name in ("imap", "pop3", "dovecot-lda"):
        if not os.access(LIBEXEC / name, os.X_OK):
            return f"{LIBEXEC / name} not found: apt-get install dovecot-imapd dovecot-pop3d"
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        return "setpriv (util-linux) not found; needed to run dovecot-lda as the mail uid"
    return None


@dataclass(frozen=True)
class Settings:
    """The Dovecot settings a trace pins (the model gets the same through its own knobs)."""

    pop3_lock: bool = False
    seen_on_retr: bool = True
    quota: int | None = None
    tempfail: bool = False


class Dovecot:
    """One throw-away Dovecot account (a maildir in a temp dir) and its processes."""

    def __init__(self, settings: Settings, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.settings = settings
        self.timeout = timeout
        self.root = scratch("mailsim-dovecot-", "home/Maildir")
        self.uid, self.gid = mail_ids()
        self.conf = self.root / "dovecot.conf"
        self.bounces = self.root / "bounces"
        self._pipes: list[Pipe] = []
        self._setup()

    # -- set-up ----------------------------------------------------------------------------
    def _setup(self) -> None:
        """Config, ownership, and the model's folders (via IMAP CREATE)."""
        self.conf.write_text(self.config())
        if os.geteuid() == 0:
            for path in (self.root / "home", self.root / "log", self.bounces):
                _chown_tree(path, self.uid, self.gid)
        setup = self.imap()
        for folder in FOLDERS:
            if not setup.command(f"CREATE {folder}").ok:
                raise RuntimeError(f"cannot create {folder} in {self.root}")
        self.close(setup)

    def config(self) -> str:
        """The dovecot.conf text: paths under the temp dir plus the pinned settings."""
        s, r = self.settings, self.root
        lines = [
            f"base_dir = {r}/base",
            f"state_dir = {r}/state",
            f"log_path = {r}/log",
            f"mail_location = maildir:{r}/home/Maildir",
            "ssl = no",
            f"mail_uid = {self.uid}",
            f"mail_gid = {self.gid}",
            f"first_valid_uid = {min(self.uid, 500)}",
            "protocols = imap pop3",
            "mail_save_crlf = yes",
            f"pop3_lock_session = {_yes(s.pop3_lock)}",
            f"pop3_no_flag_updates = {_yes(not s.seen_on_retr)}",
            f"sendmail_path = {r}/bin/sendmail",
            f"quota_full_tempfail = {_yes(s.tempfail)}",
        ]
        if s.quota is not None:
            lines += [
                "mail_plugins = $mail_plugins quota",
                "protocol imap {\n  mail_plugins = $mail_plugins imap_quota\n}",
                "plugin {",
                "  quota = maildir:User quota",
                f"  quota_rule = *:storage={s.quota}B",
                "  quota_grace = 0",
                "}",
            ]
        return "\n".join(lines) + "\n"

    def doveconf(self) -> str:
        """``doveconf -n`` of the generated config: Dovecot's own check that it is valid."""
        done = subprocess.run(
            [DOVECONF, "-n", "-c", str(self.conf)], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"doveconf rejects {self.conf}: {done.stderr}")
        return done.stdout

    def _env(self) -> dict[str, str]:
        """The environment Dovecot's binaries need to find the (preauthenticated) user."""
        return {"USER": "user", "HOME": str(self.root / "home"), "PATH": "/usr/bin:/bin"}

    def access(self) -> Access:
        """How a real program reaches this account (the preauth imap/pop3 argv and env)."""
        conf = ("-c", str(self.conf))
        return Access(imap=(str(LIBEXEC / "imap"), *conf), pop3=(str(LIBEXEC / "pop3"), *conf),
                      env=self._env())

    # -- sessions --------------------------------------------------------------------------
    def _spawn(self, binary: str) -> Pipe:
        """Start one ``binary`` process on the account, remembered for shutdown."""
        pipe = Pipe([str(LIBEXEC / binary), "-c", str(self.conf)], self._env(), self.timeout)
        self._pipes.append(pipe)
        return pipe

    def imap(self) -> ImapConn:
        """A new preauthenticated IMAP session on the account."""
        return ImapConn(self._spawn("imap"))

    def pop3(self) -> Pop3Conn:
        """A new preauthenticated POP3 session (it may still be refused with IN-USE)."""
        return Pop3Conn(self._spawn("pop3"))

    def close(self, conn: ImapConn | Pop3Conn, graceful: bool = True) -> None:
        """End a session's process: EOF (the server sees the disconnect) or SIGKILL."""
        conn.pipe.close(graceful)

    # -- delivery --------------------------------------------------------------------------
    def deliver(self, mid: str, size: int) -> str:
        """Deliver through dovecot-lda: ``delivered``, ``bounced`` or ``deferred`` (rule 21)."""
        before = self.bounces.read_text()
        argv = [str(LIBEXEC / "dovecot-lda"), "-c", str(self.conf), "-f", "sender@example.org"]
        env = self._env()
        if os.geteuid() == 0:
            ids = [f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
            pairs = [f"{k}={v}" for k, v in env.items()]
            argv = ["setpriv", *ids, "env", "-i", *pairs, *argv]
        done = subprocess.run(
            argv, input=render(mid, size), capture_output=True, env=env, timeout=self.timeout
        )
        if done.returncode == EX_TEMPFAIL:
            return "deferred"
        if done.returncode != 0:
            raise RuntimeError(f"dovecot-lda failed ({done.returncode}): {done.stderr!r}")
        return "bounced" if self.bounces.read_text() != before else "delivered"

    def forget_uids(self, folder: str) -> None:
        """Delete ``folder``'s UID list and indexes: Dovecot renumbers it under a new
        UIDVALIDITY at the next access, keeping messages and flags (a restored backup)."""
        maildir = self.root / "home" / "Maildir"
        path = maildir if folder == "INBOX" else maildir / f".{folder}"
        for name in ["dovecot-uidlist", *(p.name for p in path.glob("dovecot.index*"))]:
            (path / name).unlink(missing_ok=True)

    # -- clean-up --------------------------------------------------------------------------
    def log(self) -> str:
        """Dovecot's log file (for diagnosing a failing trace)."""
        return (self.root / "log").read_text(errors="replace")

    def shutdown(self) -> None:
        """Kill every process still running and remove the temp dir."""
        for pipe in self._pipes:
            pipe.close(graceful=False)
        self._pipes.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def mail_ids() -> tuple[int, int]:
    """The uid and gid the mail processes run as: nobody's under root, else ours."""
    if os.geteuid() == 0:
        return NOBODY, NOBODY
    return os.geteuid(), os.getegid()


def scratch(prefix: str, homes: str) -> Path:
    """A new scratch folder for a daemon-less Dovecot: base, state, ``homes`` and bin
    folders, an empty log and bounce list, and a fake sendmail that records bounces."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)
    for sub in ("base", "state", homes, "bin"):
        (root / sub).mkdir(parents=True)
    for name in ("log", "bounces"):
        (root / name).touch(mode=0o666)
    sendmail = root / "bin" / "sendmail"
    sendmail.write_text(f'#!/bin/sh\ncat >/dev/null\necho "$*" >> {root / "bounces"}\n')
    sendmail.chmod(0o755)
    return root


def _yes(flag: bool) -> str:
    """Dovecot's spelling of a boolean setting."""
    return "yes" if flag else "no"


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    """chown -R: the mail processes run as the mail uid and must own the maildir."""
    os.chown(path, uid, gid)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid)
