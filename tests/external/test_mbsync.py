"""mbsync (isync 1.4.4) as a device: real program, real Dovecot, real Maildir.

Each test gives an account m0..m3 in INBOX, runs mbsync through the tunnel, edits the
device's Maildir as a mail reader would and checks what reaches the server (read back over
IMAP) and the device. What mbsync does wrong is pinned here as found, not smoothed over.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.conformance.dovecot import Dovecot
from simulator.conformance.messages import render
from simulator.external.mbsync import Mbsync, config, validate
from simulator.external.program import Access, Cut, MissingProgram
from simulator.mail.store import DELETED, FLAGGED, SEEN
from tests.external.imap_account import (
    NONE,
    Device,
    folders,
    live,
    new_account,
    pending_changes,
    require,
    server_command,
    server_state,
)

_NO_ACCESS = Access(imap=(), pop3=())


@pytest.fixture
def account() -> Iterator[Dovecot]:
    """An account with m0..m3 in INBOX (skips without mbsync or Dovecot)."""
    require("mbsync", "isync")
    acc = new_account(["m0", "m1", "m2", "m3"])
    yield acc
    acc.shutdown()


def _device(account: Dovecot, tmp_path: Path, **settings: object) -> Device:
    """A device running mbsync with ``settings`` that has done its first sync."""
    device = Device(Mbsync(), account, tmp_path, settings)
    first = device.sync()
    assert first.ok, first.log
    return device


def test_first_sync_brings_delivered_mail(account: Dovecot, tmp_path: Path) -> None:
    """The first run creates the account's folders in the Maildir and brings every message,
    unflagged; the tunnel counted the commands and bytes; mbsync's log is kept in work."""
    device = Device(Mbsync(), account, tmp_path)
    result = device.sync()
    assert result.ok and not result.cut and result.program == "mbsync"
    assert result.commands > 5 and result.up > 100 and result.down > 4 * 700
    assert device.state() == folders(INBOX=[(f"m{i}", NONE) for i in range(4)])
    assert device.state() == server_state(account)
    assert "Synchronizing" in (device.work / "mbsync.log").read_text()


def test_reader_edits_reach_the_server(account: Dovecot, tmp_path: Path) -> None:
    """Read (rename to :2,S), flag, delete, move to Archive and a sent copy in Sent, made in
    the Maildir, all reach the server at the next sync (Expunge Both: the delete is gone)."""
    device = _device(account, tmp_path)
    box = device.maildir
    box.set_flags(device.edit("m0"), {SEEN})
    box.set_flags(device.edit("m1"), {SEEN, FLAGGED})
    box.delete(device.edit("m2"))
    box.move(device.edit("m3"), "Archive")
    box.add("Sent", render("sent1", 800), {SEEN})
    assert device.sync().ok
    want = folders(INBOX=[("m0", {SEEN}), ("m1", {SEEN, FLAGGED})],
                  Archive=[("m3", NONE)], Sent=[("sent1", {SEEN})])
    assert server_state(account) == want
    assert device.state() == want


def test_server_changes_reach_the_device(account: Dovecot, tmp_path: Path) -> None:
    """Another client's \\Seen, expunge and new mail show up in the Maildir."""
    device = _device(account, tmp_path)
    server_command(account, "INBOX", "UID STORE 1 +FLAGS (\\Seen)",
                   "UID STORE 2 +FLAGS (\\Deleted)", "EXPUNGE")
    account.deliver("m4", 700)
    assert device.sync().ok
    want = folders(INBOX=[("m0", {SEEN}), ("m2", NONE), ("m3", NONE), ("m4", NONE)])
    assert device.state() == want == server_state(account)


def test_without_expunge_a_local_delete_only_marks_the_server_copy(account: Dovecot,
                                                                    tmp_path: Path) -> None:
    """Expunge None (mbsync's own default): a file deleted locally becomes \\Deleted on the
    server but stays there."""
    device = _device(account, tmp_path, expunge="None")
    device.maildir.delete(device.edit("m2"))
    assert device.sync().ok
    assert ("m2", {DELETED}) in server_state(account)["INBOX"]
    assert "m2" not in [mid for mid, _ in device.state()["INBOX"]]


def test_without_flag_sync_a_local_flag_stays_on_the_device(account: Dovecot,
                                                             tmp_path: Path) -> None:
    """A channel without Flags (Sync New Delete) never tells the server that m0 was read:
    the change lives on the device only (a configuration that loses flag changes)."""
    device = _device(account, tmp_path, sync="New Delete")
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    assert device.sync().ok
    assert ("m0", NONE) in server_state(account)["INBOX"]
    assert ("m0", {SEEN}) in device.state()["INBOX"]


def _cut_then_converge(account: Dovecot, tmp_path: Path, cut: Cut) -> tuple[int, int, bool]:
    """Run with ``cut`` in the middle of a sync with changes on both sides, then once more:
    the second run must converge to the state an uncut sync gives, with no duplicate."""
    device = _device(account, tmp_path)
    want = pending_changes(device, account)
    cut_run = device.sync(cut)
    again = device.sync()
    assert again.ok, again.log
    assert device.state() == want
    assert live(server_state(account)) == want
    return cut_run.exit_code, cut_run.commands, cut_run.cut


@pytest.mark.parametrize("cut", [("before", 0), ("before", 6), ("after", 6), ("after", 12)])
def test_cut_fails_the_run_and_the_next_sync_converges(account: Dovecot, tmp_path: Path,
                                                       cut: Cut) -> None:
    """A link cut mid-sync ends mbsync with exit 1 and cut=True, the tunnel having relayed
    exactly the commands before the cut; one more sync converges with nothing duplicated,
    resurrected or lost (checked at these cuts; the slow test below tries every command)."""
    code, commands, was_cut = _cut_then_converge(account, tmp_path, cut)
    assert (code, was_cut) == (1, True)
    assert commands == (cut[1] if cut[0] == "before" else cut[1] + 1)


@pytest.mark.slow
@pytest.mark.parametrize("where", ["before", "after"])
def test_every_cut_converges(account: Dovecot, tmp_path: Path, where: str) -> None:
    """Every cut point of the sync converges at the next sync (found so with isync 1.4.4:
    mbsync recovers from every cut of this scenario)."""
    _, total, _ = _cut_then_converge(account, tmp_path / "uncut", ("before", 10**6))
    assert total > 15
    for n in range(total):
        acc = new_account(["m0", "m1", "m2", "m3"])
        try:
            _cut_then_converge(acc, tmp_path / f"{where}{n}", (where, n))  # type: ignore[arg-type]
        finally:
            acc.shutdown()


def test_a_cut_at_logout_goes_unnoticed(account: Dovecot, tmp_path: Path) -> None:
    """Found: a cut before the final LOGOUT (or after it) ends mbsync with exit 0, because
    all its work was done; only the tunnel knows the link dropped."""
    device = _device(account, tmp_path)
    quiet = device.sync()
    assert quiet.ok
    for cut in (("before", quiet.commands - 1), ("after", quiet.commands - 1)):
        result = device.sync(cut)  # type: ignore[arg-type]
        assert result.ok and result.cut and result.commands in (quiet.commands - 1,
                                                                 quiet.commands)


def test_uidvalidity_change_stalls_the_folder(account: Dovecot, tmp_path: Path) -> None:
    """Found (isync 1.4.4, default settings): after the server renumbers INBOX (new
    UIDVALIDITY, same messages, e.g. a restored backup) mbsync refuses INBOX at every run
    ("UIDVALIDITY genuinely changed"), exit 1: new mail never reaches the device and a local
    read never reaches the server, until someone deletes the sync state by hand. Nothing is
    duplicated or lost meanwhile."""
    device = _device(account, tmp_path)
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    account.forget_uids("INBOX")
    account.deliver("m4", 700)
    for _ in range(2):
        result = device.sync()
        assert result.exit_code == 1 and "UIDVALIDITY genuinely changed" in result.log
        assert [mid for mid, _ in device.state()["INBOX"]] == ["m0", "m1", "m2", "m3"]
        assert ("m0", NONE) in server_state(account)["INBOX"]


def test_archive_elsewhere_loses_a_local_read(account: Dovecot, tmp_path: Path) -> None:
    """Found (isync 1.4.4, defaults): m0 read on the device while the phone moved it to
    Archive (UID MOVE): mbsync follows the move (the INBOX copy goes, the Archive copy
    comes) but the read mark is lost on both sides: a lost flag change."""
    device = _device(account, tmp_path)
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    server_command(account, "INBOX", "UID MOVE 1 Archive")
    assert device.sync().ok
    want = folders(INBOX=[("m1", NONE), ("m2", NONE), ("m3", NONE)], Archive=[("m0", NONE)])
    assert device.state() == want == server_state(account)


def test_missing_mbsync_names_the_package(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    """Without mbsync on PATH, a sync raises MissingProgram naming Debian's isync."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingProgram, match="apt-get install isync"):
        Mbsync().sync(tmp_path, tmp_path / "md", _NO_ACCESS, {}, None, 5.0)


def test_settings_are_validated_and_written() -> None:
    """Unknown keys and values are rejected naming what is expected; valid ones are written
    in mbsync's spelling into the Channel, with the tunnel and the Verbatim Maildir."""
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['flagz'\]"):
        validate({"flagz": True})
    with pytest.raises(ValueError, match="expunge 'all' is not one of None, Far, Near, Both"):
        validate({"expunge": "all"})
    with pytest.raises(ValueError, match="sync 'Sideways' is not one of"):
        validate({"sync": "Pull Sideways"})
    with pytest.raises(ValueError, match="max_messages must be an integer >= 0"):
        validate({"max_messages": -1})
    text = config(validate({"sync": ["pull", "pushflags"], "expunge": "near"}),
                  Path("/w"), Path("/m"), "exec tunnel")
    for line in ('Tunnel "exec tunnel"', 'Path "/m/"', 'Inbox "/m/INBOX"', "SubFolders Verbatim",
                 "Sync Pull PushFlags", "Expunge Near", "Create Both", 'SyncState "/w/state/"'):
        assert line in text.splitlines()

