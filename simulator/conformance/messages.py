"""Real RFC 5322 messages for the model's (mid, size) pairs, and the way back.

Dovecot must store exactly the bytes the model counts: the Message-ID header carries the
model's ``mid`` and the body is padded so that the whole message, CRLF line ends included, is
``size`` octets (Dovecot is configured with ``mail_save_crlf = yes``, so its physical size,
its virtual size, RFC822.SIZE, POP3 LIST and quota all equal ``size``).
"""

from __future__ import annotations

import re

DOMAIN = "mailsim.test"
LINE_WIDTH = 76
_MID = re.compile(rb"^Message-ID:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


def msgid(mid: str) -> str:
    """The Message-ID header value for ``mid`` (a bare mid gets a domain, as RFC 5322 wants)."""
    return f"<{mid}>" if "@" in mid else f"<{mid}@{DOMAIN}>"


def mid_of(header_block: bytes) -> str | None:
    """The model ``mid`` named by a header block's Message-ID, or None without one."""
    m = _MID.search(header_block)
    if m is None:
        return None
    mid = m.group(1).decode()
    return mid.removesuffix(f"@{DOMAIN}")


def headers(mid: str) -> bytes:
    """The fixed header block (with its terminating blank line)."""
    lines = [
        f"Message-ID: {msgid(mid)}",
        "From: sender@example.org",
        "To: user@example.org",
        "Subject: conformance",
        "Date: Mon, 05 Jan 2026 00:00:00 +0000",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=us-ascii",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def min_size(mid: str) -> int:
    """The smallest message size possible for ``mid`` (headers plus one body line)."""
    return len(headers(mid)) + 3


def render(mid: str, size: int) -> bytes:
    """A message of exactly ``size`` octets whose Message-ID is ``mid``."""
    head = headers(mid)
    if size - len(head) < 3:
        raise ValueError(f"size {size} too small for {mid!r}; minimum {min_size(mid)}")
    return padded(head, size)


def padded(head: bytes, size: int) -> bytes:
    """``head`` followed by body lines of x's up to exactly ``size`` octets (CRLF line
    ends; at least 3 octets of body are left for)."""
    left = size - len(head)
    body = []
    while left > 0:
        width = min(LINE_WIDTH, left - 2)
        if 0 < left - (width + 2) < 3:  # leave room for a last line of at least one char
            width = left - 2 - 3
        body.append(b"x" * width + b"\r\n")
        left -= width + 2
    return head + b"".join(body)


def body_lines(size: int, mid: str) -> int:
    """How many body lines :func:`render` produces (what TOP n k can count against)."""
    return render(mid, size)[len(headers(mid)) :].count(b"\r\n")
