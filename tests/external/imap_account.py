"""Shared by the real-IMAP-program tests: skip (or fail under CI=true) when a program or
Dovecot is missing, a throw-away Dovecot account, and the account's state read over IMAP."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from simulator.conformance.dovecot import Dovecot, Settings, missing
from simulator.conformance.imap_view import fetch_items, header_mid
from simulator.conformance.messages import render
from simulator.external.maildir import LocalMail, Maildir
from simulator.external.program import Cut, Program, SyncResult
from simulator.mail.store import DELETED, FLAGGED, SEEN

State = dict[str, list[tuple[str, frozenset[str]]]]
"""Folder -> sorted (mid, flags) of its messages: duplicates show as repeated mids."""
NONE: frozenset[str] = frozenset()


def require(binary: str | None = None, package: str = "") -> None:
    """Skip (or, with ``CI=true``, fail) unless Dovecot (and ``binary``) can run here."""
    reason = missing()
    if reason is None and binary is not None and shutil.which(binary) is None:
        reason = f"{binary} not found: apt-get install {package}"
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the real-program tests cannot run: {reason}")
    pytest.skip(reason)


def new_account(mids: list[str], size: int = 700) -> Dovecot:
    """A Dovecot account with ``mids`` delivered to INBOX."""
    account = Dovecot(Settings())
    for mid in mids:
        assert account.deliver(mid, size) == "delivered"
    return account


def server_state(account: Dovecot) -> State:
    """What the server holds, read through IMAP (flags without \\Recent)."""
    conn = account.imap()
    folders = ["INBOX", "Archive", "Drafts", "Sent", "Trash"]
    state: State = {}
    for folder in folders:
        assert conn.command(f"EXAMINE {folder}").ok
        answer = conn.command("UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        rows = []
        for response in answer.untagged:
            found = fetch_items(response)
            if found is None:
                continue
            flags = frozenset(f.decode() for f in found[1]["FLAGS"]) - {"\\Recent"}
            rows.append((header_mid(found[1]) or "", flags))
        state[folder] = sorted(rows, key=lambda r: (r[0], sorted(r[1])))
    account.close(conn)
    return state


def local_state(root: Path) -> State:
    """What the device's Maildir holds, in the same shape as :func:`server_state`."""
    view = Maildir(root).view()
    return {folder: sorted(((m.mid or "", m.flags) for m in mails),
                           key=lambda r: (r[0], sorted(r[1])))
            for folder, mails in view.items()}


def live(state: State) -> State:
    """``state`` without messages marked \\Deleted (what a reader shows)."""
    return {f: [r for r in rows if DELETED not in r[1]] for f, rows in state.items()}


def add_server_message(account: Dovecot, folder: str, mid: str, flags: str = "") -> None:
    """APPEND a message to ``folder`` from another client."""
    conn = account.imap()
    assert conn.command(f"APPEND {folder} ({flags})", render(mid, 700)).ok
    account.close(conn)


def server_command(account: Dovecot, folder: str, *commands: str) -> None:
    """Run ``commands`` on ``folder`` from another client (each must succeed)."""
    conn = account.imap()
    assert conn.command(f"SELECT {folder}").ok
    for text in commands:
        assert conn.command(text).ok, text
    account.close(conn)


class Device:
    """A device running ``program`` on ``account``: its scratch folder and its Maildir."""

    def __init__(self, program: Program, account: Dovecot, root: Path,
                 settings: Mapping[str, Any] | None = None) -> None:
        self.program, self.account = program, account
        self.settings = dict(settings or {})
        self.work = root / "work"
        self.work.mkdir(parents=True)
        self.maildir = Maildir(root / "Maildir")

    def sync(self, cut: Cut | None = None, timeout: float = 60.0) -> SyncResult:
        """One run of the program."""
        return self.program.sync(self.work, self.maildir.root, self.account.access(),
                                 self.settings, cut, timeout)

    def state(self) -> State:
        """The device's Maildir as a State."""
        return local_state(self.maildir.root)

    def edit(self, mid: str) -> LocalMail:
        """The one local copy of ``mid`` (a test edits it)."""
        (mail,) = self.maildir.find(mid)
        return mail


def folders(**filled: list[tuple[str, frozenset[str]]]) -> State:
    """A State with the account's five folders, ``filled`` ones given."""
    state: State = {f: [] for f in ("Archive", "Drafts", "INBOX", "Sent", "Trash")}
    state.update(filled)
    return state


def pending_changes(device: Device, account: Dovecot) -> State:
    """Edits on both sides waiting for the next sync (on an account m0..m3 synced once),
    and the state that sync should end in: m0 read, m1 deleted, m2 moved to Archive and a
    sent copy on the device; m3 flagged and m4 delivered on the server."""
    box = device.maildir
    box.set_flags(device.edit("m0"), {SEEN})
    box.delete(device.edit("m1"))
    box.move(device.edit("m2"), "Archive")
    box.add("Sent", render("sent1", 700), {SEEN})
    server_command(account, "INBOX", "UID STORE 4 +FLAGS (\\Flagged)")
    account.deliver("m4", 700)
    return folders(INBOX=[("m0", {SEEN}), ("m3", {FLAGGED}), ("m4", NONE)],
                   Archive=[("m2", NONE)], Sent=[("sent1", {SEEN})])
