"""A line-oriented pipe to a child process with timeouts, so a hung server never hangs a test.

Dovecot's ``imap`` and ``pop3`` binaries speak their protocol on stdin/stdout when started
directly; this wraps such a process with ``send``/``readline``/``read`` that give up after a
deadline, and with the signals the conformance suite uses to model dropped connections.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for one reply line before declaring the server hung."""


class ServerHung(Exception):
    """The child did not answer within the timeout (or closed its output early)."""


class Pipe:
    """A running child process whose stdout is read line by line with a timeout."""

    def __init__(
        self, argv: Sequence[str], env: Mapping[str, str], timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.timeout = timeout
        self.proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(env),
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        self._fd = self.proc.stdout.fileno()
        os.set_blocking(self._fd, False)
        self._sel = selectors.DefaultSelector()
        self._sel.register(self._fd, selectors.EVENT_READ)
        self._buf = b""
        self._eof = False

    @property
    def ended(self) -> bool:
        """Whether the child closed its output (e.g. after ``* BYE``)."""
        return self._eof

    def send(self, data: bytes) -> None:
        """Write ``data`` to the child's stdin; a closed pipe counts as a hung server."""
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError) as exc:
            raise ServerHung(f"cannot write to {self.proc.args[0]}: {exc}") from exc

    def _fill(self, deadline: float) -> None:
        """Read whatever is available into the buffer, waiting until ``deadline`` at most."""
        left = deadline - time.monotonic()
        if self._eof or left <= 0 or not self._sel.select(left):
            raise ServerHung("no reply before the timeout" if not self._eof else "EOF")
        chunk = os.read(self._fd, 65536)
        if not chunk:
            self._eof = True
            raise ServerHung("server closed its output")
        self._buf += chunk

    def readline(self) -> bytes:
        """One line including its CRLF; raises :class:`ServerHung` after the timeout."""
        deadline = time.monotonic() + self.timeout
        while b"\n" not in self._buf:
            self._fill(deadline)
        line, _, self._buf = self._buf.partition(b"\n")
        return line + b"\n"

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes (an IMAP literal)."""
        deadline = time.monotonic() + self.timeout
        while len(self._buf) < n:
            self._fill(deadline)
        data, self._buf = self._buf[:n], self._buf[n:]
        return data

    def freeze(self) -> None:
        """SIGSTOP: the peer vanished without the server noticing (a silent drop)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGSTOP)

    def close(self, graceful: bool = True) -> None:
        """End the process: EOF on stdin (the server sees a disconnect) or SIGKILL."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            if graceful and self.proc.stdin is not None:
                with contextlib.suppress(BrokenPipeError):
                    self.proc.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(self.timeout)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(self.timeout)
        self._sel.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self.proc.stdin.close()
