"""Running a POP3 fetcher once: the proxy in front of Dovecot, the program as a subprocess
with a timeout, and the SyncResult with the proxy's counts and both logs.

When mailsim runs as root the program runs as ``nobody`` (65534), as Dovecot's mail
processes do: getmail refuses to deliver to a Maildir as root and fetchmail discourages it.
The scratch folder and the Maildir are then handed to that uid, and every folder above them
must be enterable by it (a clear error says which is not).
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from simulator.external.launch import keep_log, spawn
from simulator.external.pop3proxy import Pop3Proxy
from simulator.external.program import Access, Cut, SyncResult

NOBODY = 65534
PROXY_PREFIX = "pop3proxy: "
"""How the proxy's transcript lines are marked in ``SyncResult.log``."""
USER, PASSWORD = "user", "mailsim"
"""The credentials the programs send; the proxy accepts any password."""


def as_root() -> bool:
    """Whether mailsim runs as root (then the program runs as ``nobody``)."""
    return os.geteuid() == 0


def prepare_maildir(maildir: Path) -> None:
    """Create the Maildir (cur, new, tmp) that the program delivers into, if missing."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)


def hand_over(*paths: Path) -> None:
    """As root, give ``paths`` (trees) to ``nobody`` and check that it can reach them."""
    if not as_root():
        return
    for path in paths:
        for parent in path.resolve().parents:
            mode = parent.stat()
            if not (mode.st_mode & stat.S_IXOTH or mode.st_uid == NOBODY):
                raise ValueError(
                    f"{parent} is not enterable by uid {NOBODY}, which runs the fetcher when "
                    f"mailsim runs as root: chmod o+x it or use another scratch folder"
                )
        _chown_tree(path)


def _chown_tree(path: Path) -> None:
    """chown -R nobody:nogroup."""
    os.chown(path, NOBODY, NOBODY)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), NOBODY, NOBODY, follow_symlinks=False)


def as_user(argv: Sequence[str]) -> list[str]:
    """``argv``, wrapped in setpriv to run as ``nobody`` when mailsim runs as root."""
    if not as_root():
        return list(argv)
    setpriv = shutil.which("setpriv") or "/usr/bin/setpriv"
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *argv]


def run(argv: Sequence[str], env: Mapping[str, str], cwd: Path,
        timeout: float) -> tuple[int, float, bool, str]:
    """Run the program (as ``nobody`` under root): (exit code, seconds, timed out,
    stdout+stderr); on timeout its whole process group goes, delivery children included."""
    return spawn(as_user(argv), env, cwd, timeout)


def fetch(name: str, argv: Sequence[str], env: Mapping[str, str], work: Path, maildir: Path,
          access: Access, cut: Cut | None, timeout: float,
          configure: Callable[[int], None]) -> SyncResult:
    """One run of a fetcher: start the proxy, let ``configure(port)`` write the program's
    files into ``work``, run ``argv`` there, and report what happened (the run's log is also
    appended to ``work/<name>.log``, so the whole story stays beside the program's state)."""
    work.mkdir(parents=True, exist_ok=True)
    prepare_maildir(maildir)
    with Pop3Proxy(access, cut, timeout) as proxy:
        configure(proxy.port)
        hand_over(work, maildir)
        code, seconds, timed_out, output = run(argv, env, work, timeout)
    stats = proxy.stats
    lines = [f"{PROXY_PREFIX}{line}\n" for line in stats.transcript]
    log = output + ("" if output.endswith("\n") or not output else "\n") + "".join(lines)
    keep_log(work / f"{name}.log", argv, log, code, timed_out)
    return SyncResult(
        program=name, exit_code=code, seconds=round(seconds, 3), commands=stats.commands,
        up=stats.up, down=stats.down, cut=stats.cut, timed_out=timed_out, log=log,
    )


def transcript(log: str) -> list[str]:
    """The proxy's transcript lines of a SyncResult's log (``"4 RETR 1 -> +OK ..."``)."""
    return [line.removeprefix(PROXY_PREFIX) for line in log.splitlines()
            if line.startswith(PROXY_PREFIX)]


def command_index(log: str, verb: str, nth: int = 0) -> int:
    """The run-wide index of the ``nth`` command starting with ``verb`` in a run's log."""
    found = [int(line.split(" ", 1)[0]) for line in transcript(log)
             if line.split(" ")[1:2] == [verb.upper()]]
    if len(found) <= nth:
        raise LookupError(f"no {verb} number {nth} in the transcript: {transcript(log)}")
    return found[nth]
