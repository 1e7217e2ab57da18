"""The IMAP tunnel a real program runs instead of a connection: it relays the program's
stdin/stdout to a preauthenticated Dovecot process, counts commands and bytes, and can cut
the stream at a drawn command, as a dropped connection would.

``python -m simulator.external.tunnel --stats FILE [--cut before:N|after:N] [--env K=V]...
-- ARGV...``. The program's n-th tagged command (0-based; IDLE's ``DONE`` and literal data
are not commands) is command n, counted over every connection of one run: FILE is the run's
ledger, one JSON line per connection, so a program that reconnects (offlineimap does) goes
on counting where its last connection stopped, and once the link was cut every later
connection of the run is refused at once (the link is down for the rest of the run).

``before:N`` never relays command N: both sides are closed the moment the program sends it.
``after:N`` relays command N, stops relaying the program's later commands, relays the
server's output up to the tagged answer of command N, and closes both sides instead of
relaying that tagged line. Dovecot sees an EOF, as for a dropped TCP
connection. The connection's line (commands relayed, bytes each way, whether it cut or was
refused, the server's exit status) is appended to FILE when the tunnel ends; connections
of one run are assumed not to overlap (mbsync uses one, offlineimap ``maxconnections = 1``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.external.program import Cut

CHUNK = 65536
LINE_KEPT = 80
MAX_PENDING = 1 << 20
"""Bytes buffered for a slow reader before the tunnel stops reading from its writer."""
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r?\n$")


class Scanner:
    """Splits an IMAP byte stream into lines and literal data, and says which line starts a
    new command or response (rather than continuing one after a literal)."""

    def __init__(self) -> None:
        self._buf = b""
        self._literal = 0
        self._continuing = False

    def feed(self, data: bytes) -> Iterator[tuple[bytes, bool]]:
        """The pieces of ``data`` in order, each with whether it is a statement's first line."""
        self._buf += data
        while self._buf:
            if self._literal:
                piece, self._buf = self._buf[: self._literal], self._buf[self._literal :]
                self._literal -= len(piece)
                yield piece, False
                continue
            end = self._buf.find(b"\n")
            if end < 0:
                return
            line, self._buf = self._buf[: end + 1], self._buf[end + 1 :]
            starts = not self._continuing
            m = _LITERAL.search(line)
            self._literal = int(m.group(1)) if m else 0
            self._continuing = m is not None
            yield line, starts


@dataclass
class Relay:
    """The cut decisions and the counts, fed with the pieces of each direction."""

    cut: Cut | None
    first: int = 0
    """How many commands earlier connections of the run relayed (the numbering goes on)."""
    commands: int = 0
    up: int = 0
    down: int = 0
    did_cut: bool = False
    _idle: bool = False
    _cut_tag: bytes | None = None
    _held: bool = False
    lines: list[str] = field(default_factory=list)
    """Each relayed command's first line without its tag (at most 80 characters)."""

    def from_program(self, piece: bytes, starts: bool) -> bytes | None:
        """What to pass on to the server for a piece the program sent; None means cut now."""
        if not starts:
            return b"" if self._held else piece
        words = piece.split(None, 2)
        if self._idle and piece.strip().upper() == b"DONE":
            self._idle = False
            return b"" if self._held else piece
        if self._cut_tag is not None:
            self._held = True
            return b""
        number = self.first + self.commands
        if self.cut == ("before", number):
            return None
        if self.cut == ("after", number):
            self._cut_tag = words[0] if words else b""
        self._idle = len(words) > 1 and words[1].upper() == b"IDLE"
        self.commands += 1
        self.lines.append(b" ".join(words[1:]).decode("utf-8", "replace").strip()[:LINE_KEPT])
        return piece

    def from_server(self, piece: bytes, starts: bool) -> bytes | None:
        """What to pass on to the program for a piece the server sent; None means cut now."""
        if starts and self._cut_tag is not None and piece.startswith(self._cut_tag + b" "):
            return None
        return piece

    def stats(self, server_exit: int | None) -> dict[str, object]:
        """This connection's line of the ledger."""
        return {"commands": self.commands, "up": self.up, "down": self.down,
                "cut": self.did_cut, "refused": False, "server_exit": server_exit,
                "lines": self.lines}


class Pipes:
    """The two byte streams (program <-> server) pumped without blocking either side."""

    def __init__(self, relay: Relay, child: subprocess.Popen[bytes]) -> None:
        assert child.stdin is not None and child.stdout is not None
        self.relay, self.child = relay, child
        self.prog_in, self.prog_out = 0, 1
        self.srv_in, self.srv_out = child.stdin.fileno(), child.stdout.fileno()
        for fd in (self.prog_in, self.prog_out, self.srv_in, self.srv_out):
            os.set_blocking(fd, False)
        self.to_server, self.to_program = bytearray(), bytearray()
        self.up_scan, self.down_scan = Scanner(), Scanner()
        self.program_done = self.server_done = False

    def run(self) -> None:
        """Pump until the server's output ends (and is delivered) or the stream is cut."""
        sel = selectors.DefaultSelector()
        try:
            while not self.relay.did_cut and not (self.server_done and not self.to_program):
                self._register(sel)
                for key, events in sel.select():
                    self._handle(key.fd, events)
                    if self.relay.did_cut:
                        break
            if self.relay.did_cut:
                self._deliver_rest(sel)
        finally:
            sel.close()

    def _deliver_rest(self, sel: selectors.BaseSelector) -> None:
        """At a cut, what either side sent before the cut point still arrives (it was on the
        wire already); give up on a side that does not read it within 2 s."""
        for fd in list(sel.get_map()):
            sel.unregister(fd)
        for fd, pending in ((self.srv_in, self.to_server), (self.prog_out, self.to_program)):
            if fd < 0 or not pending:
                continue
            sel.register(fd, selectors.EVENT_WRITE)
            while pending and sel.select(2.0):
                self._write(fd)
            sel.unregister(fd)

    def _register(self, sel: selectors.BaseSelector) -> None:
        """Watch what can make progress now: reads with room to buffer, pending writes."""
        wanted: dict[int, int] = {}
        if not self.program_done and len(self.to_server) < MAX_PENDING:
            wanted[self.prog_in] = selectors.EVENT_READ
        if not self.server_done and len(self.to_program) < MAX_PENDING:
            wanted[self.srv_out] = selectors.EVENT_READ
        if self.to_server and self.srv_in >= 0:
            wanted[self.srv_in] = selectors.EVENT_WRITE
        if self.to_program:
            wanted[self.prog_out] = wanted.get(self.prog_out, 0) | selectors.EVENT_WRITE
        for fd in list(sel.get_map()):
            sel.unregister(fd)
        for fd, events in wanted.items():
            sel.register(fd, events)

    def _handle(self, fd: int, events: int) -> None:
        """One ready descriptor."""
        if events & selectors.EVENT_WRITE:
            self._write(fd)
        if events & selectors.EVENT_READ and fd == self.prog_in:
            self._read_program()
        elif events & selectors.EVENT_READ and fd == self.srv_out:
            self._read_server()

    def _write(self, fd: int) -> None:
        """Write as much of the pending bytes for ``fd`` as it takes now."""
        pending = self.to_server if fd == self.srv_in else self.to_program
        try:
            n = os.write(fd, pending)
        except BlockingIOError:
            return
        except OSError:  # that side hung up: nothing more can reach it
            pending.clear()
            if fd == self.srv_in:
                self._close_server_input()
            return
        del pending[:n]
        if fd == self.srv_in:
            self.relay.up += n
            if self.program_done and not pending:
                self._close_server_input()
        else:
            self.relay.down += n

    def _read_program(self) -> None:
        """Relay what the program sent, unless it is where the stream is cut."""
        data = _read(self.prog_in)
        if data is None:
            return
        if not data:
            self.program_done = True
            if not self.to_server:
                self._close_server_input()
            return
        for piece, starts in self.up_scan.feed(data):
            out = self.relay.from_program(piece, starts)
            if out is None:
                self.relay.did_cut = True
                return
            self.to_server += out
        self._flush(self.srv_in, self.to_server)

    def _read_server(self) -> None:
        """Relay what the server sent, unless it is the answer where the stream is cut."""
        data = _read(self.srv_out)
        if data is None:
            return
        if not data:
            self.server_done = True
            return
        for piece, starts in self.down_scan.feed(data):
            out = self.relay.from_server(piece, starts)
            if out is None:
                self.relay.did_cut = True
                return
            self.to_program += out
        self._flush(self.prog_out, self.to_program)

    def _flush(self, fd: int, pending: bytearray) -> None:
        """Try an immediate write, so a small answer does not wait for a select round."""
        if pending and fd >= 0:
            self._write(fd)

    def _close_server_input(self) -> None:
        """The program hung up and its last bytes are written: the server sees EOF."""
        if self.srv_in < 0:
            return
        self.to_server.clear()
        assert self.child.stdin is not None
        with contextlib.suppress(OSError):
            self.child.stdin.close()
        self.srv_in = -1


def _read(fd: int) -> bytes | None:
    """What ``fd`` has now: b"" at EOF or on a reset connection, None if nothing yet."""
    try:
        return os.read(fd, CHUNK)
    except BlockingIOError:
        return None
    except OSError:
        return b""


def parse_cut(text: str) -> Cut:
    """``before:N`` or ``after:N`` as a Cut, or a clear error."""
    where, _, n = text.partition(":")
    if where not in ("before", "after") or not n.isdigit():
        raise argparse.ArgumentTypeError(f"--cut {text!r}: expected before:N or after:N")
    return (where, int(n))  # type: ignore[return-value]


def command(stats: Path, argv: Sequence[str], env: dict[str, str], cut: Cut | None,
            python: str = sys.executable) -> list[str]:
    """The argv that runs this tunnel in front of ``argv`` (for a program's Tunnel setting)."""
    line = [python, "-m", "simulator.external.tunnel", "--stats", str(stats)]
    if cut is not None:
        line += ["--cut", f"{cut[0]}:{cut[1]}"]
    for key, value in sorted(env.items()):
        line += ["--env", f"{key}={value}"]
    return [*line, "--", *argv]


def ledger(path: Path) -> list[dict[str, Any]]:
    """The connections a run made so far (one JSON object each)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def totals(path: Path) -> dict[str, Any]:
    """A run's connections summed: commands (and their lines, numbered as the cuts count
    them), bytes each way, whether the link was cut."""
    rows = ledger(path)
    return {"connections": len(rows), "commands": sum(r["commands"] for r in rows),
            "up": sum(r["up"] for r in rows), "down": sum(r["down"] for r in rows),
            "cut": any(r["cut"] for r in rows),
            "lines": [line for r in rows for line in r["lines"]]}


def _append(path: Path, row: dict[str, object]) -> None:
    """Add one connection's line to the ledger."""
    with path.open("a") as out:
        out.write(json.dumps(row, sort_keys=True) + "\n")


def main(args: Sequence[str] | None = None) -> int:
    """Run the tunnel for one connection; the exit status is 0 unless the arguments are
    wrong."""
    parser = argparse.ArgumentParser(prog="python -m simulator.external.tunnel")
    parser.add_argument("--stats", type=Path, required=True)
    parser.add_argument("--cut", type=parse_cut, default=None)
    parser.add_argument("--env", action="append", default=[])
    parser.add_argument("argv", nargs="+")
    ns = parser.parse_args(args)
    env = dict(item.partition("=")[::2] for item in ns.env)
    before = totals(ns.stats)
    if before["cut"]:
        _append(ns.stats, {"commands": 0, "up": 0, "down": 0, "cut": False, "refused": True,
                           "server_exit": None, "lines": []})
        return 0
    relay = Relay(ns.cut, first=before["commands"])
    child = subprocess.Popen(ns.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        Pipes(relay, child).run()
    finally:
        _end(child)
        _append(ns.stats, relay.stats(child.returncode))
    return 0


def _end(child: subprocess.Popen[bytes]) -> None:
    """Hang up on the program and the server: the server sees EOF, then is killed if stuck."""
    with contextlib.suppress(OSError):
        os.close(1)
    if child.stdin is not None:
        with contextlib.suppress(OSError):
            child.stdin.close()
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


if __name__ == "__main__":
    raise SystemExit(main())
