"""Run a real program once with a timeout, behind the counting tunnel, and gather what
happened as a SyncResult: exit code, duration, the tunnel's counts, and the program's log
(also appended to ``work/<program>.log``, so a run's whole story stays beside its state)."""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from simulator.external import tunnel
from simulator.external.program import Access, Cut, SyncResult

GRACE = 2.0
"""Seconds a timed-out program gets after SIGTERM before SIGKILL."""
STATS = "tunnel.jsonl"
"""The tunnel's ledger of one run (one line per connection), in the scratch folder."""


def tunnel_line(work: Path, access: Access, cut: Cut | None) -> str:
    """The shell command a program runs as its connection: the tunnel before Dovecot's imap."""
    argv = tunnel.command(work / STATS, access.imap, dict(access.env), cut)
    return "exec " + " ".join(shlex.quote(a) for a in argv)


def environment(work: Path) -> dict[str, str]:
    """A clean environment: HOME is the scratch folder (no personal config leaks in), and
    the tunnel can import mailsim whether or not it is installed."""
    package_root = str(Path(__file__).resolve().parents[2])
    return {"HOME": str(work), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": package_root, "LANG": "C.UTF-8", "TZ": "UTC"}


def run(name: str, argv: Sequence[str], work: Path, timeout: float) -> SyncResult:
    """Run ``argv`` in ``work`` behind the tunnel and gather what happened."""
    (work / STATS).unlink(missing_ok=True)
    code, seconds, timed_out, out = spawn(argv, environment(work), work, timeout)
    stats = tunnel.totals(work / STATS)
    keep_log(work / f"{name}.log", argv, out, code, timed_out, _relayed(stats))
    return SyncResult(program=name, exit_code=code, seconds=seconds,
                      commands=stats["commands"], up=stats["up"], down=stats["down"],
                      cut=stats["cut"], timed_out=timed_out, log=out)


def spawn(argv: Sequence[str], env: Mapping[str, str], cwd: Path,
          timeout: float) -> tuple[int, float, bool, str]:
    """Run ``argv`` in ``cwd`` in a process group of its own (killed whole on timeout):
    (exit code, seconds, timed out, stdout and stderr)."""
    start = time.monotonic()
    proc = subprocess.Popen(list(argv), cwd=cwd, env=dict(env), text=True,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True, errors="replace")
    timed_out = False
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        out = _stop(proc)
    return proc.returncode, time.monotonic() - start, timed_out, out


def _stop(proc: subprocess.Popen[str]) -> str:
    """SIGTERM the whole group (program, tunnel, server), SIGKILL after the grace time."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        out, _ = proc.communicate(timeout=GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out or ""


def keep_log(path: Path, argv: Sequence[str], out: str, code: int, timed_out: bool,
             after: str = "") -> None:
    """Append one run to the program's kept log: the command, its output, ``[exit N]`` or
    ``[timed out]``, then ``after`` (what the tunnel or proxy saw)."""
    end = "timed out" if timed_out else f"exit {code}"
    with path.open("a", encoding="utf-8") as log:
        log.write(f"$ {shlex.join(argv)}\n{out}[{end}]\n{after}")


def _relayed(stats: dict[str, Any]) -> str:
    """The tunnel's part of the log: connections, whether it cut, the commands it relayed."""
    cut = ", link cut" if stats["cut"] else ""
    sent = "".join(f"  {n}: {line}\n" for n, line in enumerate(stats["lines"]))
    return f"[tunnel: {stats['connections']} connection(s){cut}; commands relayed:]\n{sent}"

