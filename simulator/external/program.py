"""What every real-program runner shares: how a program reaches its account, what one run of
it returns, and the error for a program that is not installed."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

Cut = tuple[Literal["before", "after"], int]
"""A drawn connection drop: cut the stream before the program's n-th command (0-based)
reaches the server, or after the server answered it but before the answer reaches the
program."""


class MissingProgram(Exception):
    """A scenario names a program that is not installed here."""

    def __init__(self, program: str, package: str) -> None:
        super().__init__(f"{program} not found: apt-get install {package}")
        self.program, self.package = program, package


def require(binary: str, package: str) -> str:
    """The path of ``binary``, or MissingProgram naming the Debian package that has it."""
    path = shutil.which(binary)
    if path is None:
        raise MissingProgram(binary, package)
    return path


@dataclass(frozen=True)
class Access:
    """How a program reaches one account of the Dovecot backend: the argv of a
    preauthenticated IMAP or POP3 server process for that account, and its environment."""

    imap: tuple[str, ...]
    pop3: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SyncResult:
    """One run of a program: how it ended and what crossed the (proxied) connection."""

    program: str
    exit_code: int
    seconds: float
    commands: int = 0
    up: int = 0
    down: int = 0
    cut: bool = False
    timed_out: bool = False
    log: str = ""

    @property
    def ok(self) -> bool:
        """The program finished by itself and reported success."""
        return self.exit_code == 0 and not self.timed_out


class Program(Protocol):
    """A real sync program: writes its configuration into a scratch folder, runs once
    against an account (through the counting, cutting proxy) and leaves mail in ``maildir``."""

    name: str
    package: str
    protocol: str

    def sync(self, work: Path, maildir: Path, access: Access, settings: Mapping[str, Any],
             cut: Cut | None, timeout: float) -> SyncResult:
        """Run the program once; never raises for the program's own failures."""
        ...
