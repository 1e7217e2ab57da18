"""A loopback POP3 listener in front of Dovecot's preauthenticated ``pop3`` process.

A POP3 fetcher needs a TCP server that asks for a password; Dovecot run without a daemon is
a preauthenticated process on a pipe. The proxy bridges the two: it answers the
AUTHORIZATION phase itself (greeting, CAPA, USER, PASS; any password is accepted), starts
the Dovecot process at PASS, then relays one command and its whole answer at a time. It
counts the program's commands and the bytes each way, keeps a transcript for the run's
story, and cuts the connection at a drawn command like the IMAP tunnel: ``before`` n never
delivers command n, ``after`` n delivers it, reads its whole answer, then drops both sides
without passing the answer on. Dovecot is left as a dropped connection leaves it: its stdin
closes with no QUIT, so no DELE is committed (RFC 1939 §6) unless the cut came after QUIT.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from simulator.external.program import Access, Cut

GREETING = b"+OK mailsim POP3 proxy ready.\r\n"
CAPABILITIES = b"+OK\r\nTOP\r\nUIDL\r\nUSER\r\nRESP-CODES\r\n.\r\n"
"""What the proxy offers before login: no STLS, no SASL (USER/PASS only), no PIPELINING."""
MULTILINE = frozenset({"RETR", "TOP", "CAPA"})
"""Commands whose +OK answer is a dot-terminated block; LIST and UIDL too without argument."""
MAX_LINE = 8192


@dataclass
class ProxyStats:
    """What crossed the proxied connection(s) of one run, and the transcript of commands:
    ``sent`` counts the program's commands (the cut's index), ``commands`` and ``up`` those
    that reached the server, ``down`` the bytes that reached the program."""

    sent: int = 0
    commands: int = 0
    up: int = 0
    down: int = 0
    cut: bool = False
    transcript: list[str] = field(default_factory=list)


class BackendGone(Exception):
    """Dovecot's process did not answer in time, or ended its output."""


class Backend:
    """Dovecot's preauthenticated pop3 process on a pipe, read line by line with a timeout."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], timeout: float) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen(
            list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=dict(env), start_new_session=True,
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._stdin, self._stdout = self.proc.stdin, self.proc.stdout
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._stdout, selectors.EVENT_READ)
        self._buf = b""

    def send(self, data: bytes) -> None:
        """Write a command to the process."""
        try:
            self._stdin.write(data)
            self._stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise BackendGone(f"cannot write to Dovecot's pop3: {exc}") from exc

    def readline(self) -> bytes:
        """One line with its line end; BackendGone after the timeout or at EOF."""
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not self._sel.select(left):
                raise BackendGone("Dovecot's pop3 did not answer before the timeout")
            chunk = os.read(self._stdout.fileno(), 65536)
            if not chunk:
                raise BackendGone("Dovecot's pop3 closed its output")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line + b"\n"

    def close(self) -> None:
        """EOF on stdin, as a dropped connection (no QUIT): the process ends by itself, else
        it is killed after the timeout."""
        with contextlib.suppress(BrokenPipeError, ValueError):
            self._stdin.close()
        try:
            self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._sel.close()
        self._stdout.close()


def multiline(command: str) -> bool:
    """Whether a successful answer to ``command`` is a multi-line block (RFC 1939/2449)."""
    words = command.split()
    verb = words[0].upper() if words else ""
    return verb in MULTILINE or (verb in ("LIST", "UIDL") and len(words) == 1)


def shown(command: str) -> str:
    """The command as the transcript shows it (the password masked)."""
    return "PASS ****" if command.upper().startswith("PASS") else command


class Pop3Proxy:
    """A POP3 listener on 127.0.0.1 (a free port), serving connections one at a time in a
    thread until closed; ``cut`` drops the connection at the run's n-th command (0-based,
    counted over every connection of the run)."""

    def __init__(self, access: Access, cut: Cut | None = None, timeout: float = 60.0) -> None:
        self.access, self.cut, self.timeout = access, cut, timeout
        self.stats = ProxyStats()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="pop3proxy", daemon=True)
        self._thread.start()

    def __enter__(self) -> Pop3Proxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> ProxyStats:
        """Stop listening, wait for the current connection to end, and return the stats."""
        self._stop.set()
        self._thread.join(self.timeout)
        self._listener.close()
        return self.stats

    # -- serving ---------------------------------------------------------------------------
    def _serve(self) -> None:
        """Accept and serve connections until closed."""
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(self.timeout)
                Session(self, conn).run()


class Session:
    """One program connection: the proxy's AUTHORIZATION phase, then the relay to Dovecot."""

    def __init__(self, proxy: Pop3Proxy, conn: socket.socket) -> None:
        self.proxy, self.stats, self.conn = proxy, proxy.stats, conn
        self.reader = conn.makefile("rb")
        self.backend: Backend | None = None
        self.user: str | None = None

    def run(self) -> None:
        """Serve until QUIT, the program's disconnect, a cut or a failure (all recorded);
        the program's side is dropped first, then Dovecot's stdin is closed."""
        try:
            self._send(GREETING)
            while self._step():
                pass
        except (OSError, BackendGone) as exc:
            self.stats.transcript.append(f"connection ended: {exc}")
        finally:
            self.reader.close()
            with contextlib.suppress(OSError):
                self.conn.shutdown(socket.SHUT_RDWR)
            if self.backend is not None:
                self.backend.close()

    def _step(self) -> bool:
        """Handle one command; False when the connection is over."""
        raw = self.reader.readline(MAX_LINE)
        if not raw:
            self.stats.transcript.append("program closed the connection")
            return False
        command = raw.decode("latin-1").rstrip("\r\n")
        n = self.stats.sent
        self.stats.sent += 1
        if self._cut_at("before", n):
            self.stats.transcript.append(f"{n} {shown(command)} -> cut before")
            return False
        self.stats.commands += 1
        self.stats.up += len(raw)
        answer, go_on = self._relay(raw, command) if self.backend else self._authorize(command)
        status = answer.split(b"\r\n", 1)[0].decode("latin-1")
        if self._cut_at("after", n):
            self.stats.transcript.append(f"{n} {shown(command)} -> cut after ({status} lost)")
            return False
        self.stats.transcript.append(f"{n} {shown(command)} -> {status}")
        self._send(answer)
        return go_on

    def _cut_at(self, when: str, n: int) -> bool:
        """Whether the drawn cut is ``when`` command ``n`` (it happens once per run)."""
        if self.stats.cut or self.proxy.cut != (when, n):
            return False
        self.stats.cut = True
        return True

    def _send(self, data: bytes) -> None:
        """Pass bytes to the program, counted as down traffic."""
        self.conn.sendall(data)
        self.stats.down += len(data)

    # -- AUTHORIZATION, answered by the proxy ----------------------------------------------
    def _authorize(self, command: str) -> tuple[bytes, bool]:
        """Answer a command before login; PASS starts Dovecot's session for the account."""
        verb, _, arg = command.partition(" ")
        verb = verb.upper()
        if verb == "CAPA":
            return CAPABILITIES, True
        if verb == "USER" and arg:
            self.user = arg
            return b"+OK\r\n", True
        if verb == "PASS":
            return (self._login(), True) if self.user else (b"-ERR USER first\r\n", True)
        if verb == "QUIT":
            return b"+OK Logging out.\r\n", False
        return b"-ERR Unsupported before login (USER/PASS only).\r\n", True

    def _login(self) -> bytes:
        """Start Dovecot's pop3 and probe it (NOOP): +OK, or its -ERR (e.g. ``[IN-USE]``)."""
        access = self.proxy.access
        backend = Backend(access.pop3, access.env, self.proxy.timeout)
        try:
            backend.send(b"NOOP\r\n")
            probe = backend.readline()
        except BackendGone:
            backend.close()
            return b"-ERR [SYS/TEMP] Server unavailable.\r\n"
        if not probe.startswith(b"+OK"):
            backend.close()
            return probe
        self.backend = backend
        return b"+OK Logged in.\r\n"

    # -- TRANSACTION, relayed to Dovecot ---------------------------------------------------
    def _relay(self, raw: bytes, command: str) -> tuple[bytes, bool]:
        """Send one command to Dovecot and read its whole answer."""
        assert self.backend is not None
        self.backend.send(raw)
        answer = [self.backend.readline()]
        if answer[0].startswith(b"+OK") and multiline(command):
            while answer[-1] != b".\r\n":
                answer.append(self.backend.readline())
        return b"".join(answer), command.split(" ", 1)[0].upper() != "QUIT"
