"""Tiny IMAP and POP3 wire clients over a :class:`Pipe`, enough to drive Dovecot in traces.

``imaplib`` hides the order of untagged responses and has no timeouts; the conformance
suite needs both (updates are compared in order, a hung server must fail fast). So this is a
minimal client: IMAP commands return their untagged responses parsed into Python values.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from simulator.conformance.proc import Pipe

Value = bytes | int | list["Value"] | None
_LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
_TAGGED = re.compile(rb"^(\S+) (OK|NO|BAD)(?: \[([^\]]*)\])?")


@dataclass
class Tagged:
    """The end of one IMAP command: status, response code (e.g. ``OVERQUOTA``) and untagged data."""

    status: str
    code: str
    untagged: list[list[Value]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the command completed with OK."""
        return self.status == "OK"


def parse(data: bytes) -> list[Value]:
    """Split one response line (literals inlined) into atoms, numbers, lists and strings."""
    tokens, _ = _parse_list(data, 0, b"")
    return tokens


def _parse_list(data: bytes, pos: int, closer: bytes) -> tuple[list[Value], int]:
    """Parse values until ``closer``; returns them and the position after it."""
    out: list[Value] = []
    while pos < len(data):
        ch = data[pos : pos + 1]
        if ch in b" \r\n":
            pos += 1
        elif ch == closer:
            return out, pos + 1
        elif ch == b"(":
            sub, pos = _parse_list(data, pos + 1, b")")
            out.append(sub)
        elif ch == b'"':
            end = data.index(b'"', pos + 1)
            out.append(data[pos + 1 : end])
            pos = end + 1
        elif ch == b"{":
            end = data.index(b"}", pos)
            size = int(data[pos + 1 : end].rstrip(b"+"))
            start = end + 3  # "}\r\n"
            out.append(data[start : start + size])
            pos = start + size
        else:
            atom, pos = _atom(data, pos)
            out.append(None if atom == b"NIL" else int(atom) if atom.isdigit() else atom)
    return out, pos


def _atom(data: bytes, pos: int) -> tuple[bytes, int]:
    """An atom; ``[...]`` sections (``BODY[HEADER.FIELDS (X)]``) belong to it, spaces too."""
    start, depth = pos, 0
    while pos < len(data):
        ch = data[pos : pos + 1]
        if ch == b"[":
            depth += 1
        elif ch == b"]":
            depth -= 1
        elif depth == 0 and ch in b" ()\r\n":
            break
        pos += 1
    return data[start:pos], pos


class ImapConn:
    """A preauthenticated IMAP connection (Dovecot's ``imap`` binary on a pipe)."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self._tags = itertools.count(1)
        greeting = self._line()
        if not greeting.startswith(b"* PREAUTH"):
            raise RuntimeError(f"unexpected IMAP greeting {greeting!r}")

    def _line(self) -> bytes:
        """One response line with any literals it announces read in."""
        line = self.pipe.readline()
        while (m := _LITERAL.search(line)) is not None:
            line += self.pipe.read(int(m.group(1))) + self.pipe.readline()
        return line

    def command(self, text: str, literal: bytes | None = None) -> Tagged:
        """Send ``text`` (plus a LITERAL+ payload) and collect the response until tagged."""
        tag = f"c{next(self._tags)}"
        line = f"{tag} {text}"
        if literal is not None:
            self.pipe.send(f"{line} {{{len(literal)}+}}\r\n".encode() + literal + b"\r\n")
        else:
            self.pipe.send(f"{line}\r\n".encode())
        return self._collect(tag.encode())

    def idle(self) -> Tagged:
        """IDLE, then DONE at once: whatever the server pushed meanwhile is in the result."""
        tag = f"c{next(self._tags)}"
        self.pipe.send(f"{tag} IDLE\r\n".encode())
        untagged = []
        while not (line := self._line()).startswith(b"+"):
            untagged.append(parse(line[2:]))
        self.pipe.send(b"DONE\r\n")
        result = self._collect(tag.encode())
        result.untagged[:0] = untagged
        return result

    def _collect(self, tag: bytes) -> Tagged:
        """Read untagged responses until the tagged completion of ``tag``."""
        untagged: list[list[Value]] = []
        while True:
            line = self._line()
            if line.startswith(b"* "):
                untagged.append(parse(line[2:]))
                continue
            m = _TAGGED.match(line)
            if m and m.group(1) == tag:
                code = (m.group(3) or b"").decode()
                return Tagged(m.group(2).decode(), code, untagged)
            if not line.startswith(b"+"):
                raise RuntimeError(f"unexpected IMAP line {line!r}")


class Pop3Conn:
    """A preauthenticated POP3 connection (Dovecot's ``pop3`` binary on a pipe)."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe

    def command(self, text: str, multiline: bool = False) -> tuple[bool, str, list[bytes]]:
        """Send one command; returns (ok, status line, body lines with dot-stuffing undone)."""
        self.pipe.send(f"{text}\r\n".encode())
        status = self.pipe.readline().decode(errors="replace").rstrip("\r\n")
        ok = status.startswith("+OK")
        body: list[bytes] = []
        if ok and multiline:
            while (line := self.pipe.readline()) != b".\r\n":
                body.append(line[1:] if line.startswith(b"..") else line)
        return ok, status, body


def response_code(status: str) -> str:
    """The ``[CODE]`` of a POP3 status line (RFC 2449), e.g. ``IN-USE``; empty if none."""
    m = re.match(r"^[-+]\w+ \[([^\]]+)\]", status)
    return m.group(1) if m else ""
