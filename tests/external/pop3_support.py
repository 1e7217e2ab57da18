"""What the POP3 fetcher tests share: a throw-away Dovecot account reachable through an
``Access``, scratch folders the fetcher (run as ``nobody`` under root) can reach, and the
Message-IDs on the server and in the device's Maildir.

Kept out of a conftest (the IMAP-program tests share the folder): each module wraps
``fresh_account`` and ``fresh_scratch`` in its own fixtures.
"""

from __future__ import annotations

import mailbox
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from simulator.conformance.dovecot import LIBEXEC, Dovecot, Settings, missing
from simulator.external.program import Access, SyncResult

PROGRAM_TIMEOUT = 60.0
SIZE = 400


def unavailable(reason: str) -> None:
    """Skip with ``reason`` locally; fail under ``CI=true`` (the tests must not vanish)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the POP3 fetcher tests cannot run: {reason}")
    pytest.skip(reason)


def require_dovecot() -> None:
    """Skip (or fail under CI) when Dovecot cannot run here."""
    reason = missing()
    if reason is not None:
        unavailable(reason)


def require(binary: str, package: str) -> None:
    """Skip (or fail under CI) when Dovecot or ``binary`` cannot run here."""
    require_dovecot()
    if shutil.which(binary) is None:
        unavailable(f"{binary} not found: apt-get install {package}")


class Account:
    """One Dovecot account with the ``Access`` a fetcher reaches it through."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.dovecot = Dovecot(settings or Settings())
        conf = str(self.dovecot.conf)
        self.access = Access(
            imap=(str(LIBEXEC / "imap"), "-c", conf),
            pop3=(str(LIBEXEC / "pop3"), "-c", conf),
            env=self.dovecot._env(),
        )

    def deliver(self, *mids: str) -> None:
        """Deliver messages (one per mid) through dovecot-lda."""
        for mid in mids:
            assert self.dovecot.deliver(mid, SIZE) == "delivered"

    def mids(self) -> list[str]:
        """The Message-IDs in the server's INBOX, sorted."""
        return mids_in(self.dovecot.root / "home" / "Maildir")


def mids_in(maildir: Path) -> list[str]:
    """The Message-IDs of a Maildir's messages, sorted, duplicates kept."""
    box = mailbox.Maildir(maildir, create=False)
    return sorted(str(message["Message-ID"]).strip("<>").removesuffix("@mailsim.test")
                  for message in box)


@contextmanager
def fresh_account(settings: Settings | None = None) -> Iterator[Account]:
    """A fresh Dovecot account, removed afterwards."""
    acct = Account(settings)
    try:
        yield acct
    finally:
        acct.dovecot.shutdown()


@contextmanager
def fresh_scratch() -> Iterator[Path]:
    """A scratch folder that ``nobody`` can enter (pytest's tmp_path is 0700 under root)."""
    root = Path(tempfile.mkdtemp(prefix="mailsim-pop3-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def succeeded(result: SyncResult) -> SyncResult:
    """``result``, asserted to be a successful run (the log shown if it is not)."""
    assert result.ok and not result.cut, f"{result.program} run failed:\n{result.log}"
    return result


def cut_short(result: SyncResult) -> SyncResult:
    """``result``, asserted to be a run that the proxy cut and that failed because of it."""
    assert result.cut and not result.ok, f"{result.program} run not cut/failed:\n{result.log}"
    assert not result.timed_out, f"{result.program} hung after the cut:\n{result.log}"
    return result
