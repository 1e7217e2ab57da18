"""offlineimap (offlineimap3 8.0.0) as a device: real program, real Dovecot, real Maildir.

The same account and edits as the mbsync tests. offlineimap goes wrong under several cuts;
each is pinned here as found (the command a cut hits is checked from the tunnel's record of
the commands it relayed, so a changed command order fails loudly instead of testing
something else).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from simulator.conformance.dovecot import Dovecot
from simulator.conformance.messages import render
from simulator.external import launch, tunnel
from simulator.external.offlineimap import Offlineimap, config, validate
from simulator.external.program import Access, Cut, MissingProgram, SyncResult
from simulator.mail.store import DELETED, FLAGGED, SEEN
from tests.external.imap_account import (
    NONE,
    Device,
    State,
    folders,
    live,
    new_account,
    pending_changes,
    require,
    server_command,
    server_state,
)


@pytest.fixture
def account() -> Iterator[Dovecot]:
    """An account with m0..m3 in INBOX (skips without offlineimap or Dovecot)."""
    require("offlineimap", "offlineimap3")
    acc = new_account(["m0", "m1", "m2", "m3"])
    yield acc
    acc.shutdown()


def _device(account: Dovecot, tmp_path: Path, **settings: object) -> Device:
    """A device running offlineimap with ``settings`` that has done its first sync."""
    device = Device(Offlineimap(), account, tmp_path, settings)
    first = device.sync()
    assert first.ok, first.log
    return device


def test_first_sync_brings_delivered_mail(account: Dovecot, tmp_path: Path) -> None:
    """The first run lays the folders out as mbsync does (ROOT/INBOX, ROOT/Sent...) and
    brings every message; the log and the relayed commands are kept in work."""
    device = Device(Offlineimap(), account, tmp_path)
    result = device.sync()
    assert result.ok and not result.cut and result.program == "offlineimap"
    assert result.commands > 5 and result.down > 4 * 700
    assert device.state() == folders(INBOX=[(f"m{i}", NONE) for i in range(4)])
    assert device.state() == server_state(account)
    log = (device.work / "offlineimap.log").read_text()
    assert "Finished account 'mailsim'" in log and "commands relayed" in log


def test_reader_edits_reach_the_server(account: Dovecot, tmp_path: Path) -> None:
    """Read, flag, delete, move and a sent copy made in the Maildir reach the server."""
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
    assert server_state(account) == want == device.state()


def test_server_changes_reach_the_device(account: Dovecot, tmp_path: Path) -> None:
    """Another client's \\Seen, expunge and new mail show up in the Maildir."""
    device = _device(account, tmp_path)
    server_command(account, "INBOX", "UID STORE 1 +FLAGS (\\Seen)",
                   "UID STORE 2 +FLAGS (\\Deleted)", "EXPUNGE")
    account.deliver("m4", 700)
    assert device.sync().ok
    want = folders(INBOX=[("m0", {SEEN}), ("m2", NONE), ("m3", NONE), ("m4", NONE)])
    assert device.state() == want == server_state(account)


def test_readonly_never_changes_the_server(account: Dovecot, tmp_path: Path) -> None:
    """readonly: a local read and a local delete stay on the device; new mail still comes."""
    device = _device(account, tmp_path, readonly=True)
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    device.maildir.delete(device.edit("m1"))
    account.deliver("m4", 700)
    assert device.sync().ok
    assert server_state(account) == folders(INBOX=[(f"m{i}", NONE) for i in range(5)])
    assert device.state()["INBOX"] == [("m0", {SEEN}), ("m2", NONE), ("m3", NONE),
                                       ("m4", NONE)]


def test_without_local_sync_deletes_a_delete_stays_on_the_device(account: Dovecot,
                                                                  tmp_path: Path) -> None:
    """local_sync_deletes off: the file deleted on the device is not deleted on the server
    (and offlineimap does not bring it back either)."""
    device = _device(account, tmp_path, local_sync_deletes=False)
    device.maildir.delete(device.edit("m1"))
    assert device.sync().ok and device.sync().ok
    assert ("m1", NONE) in server_state(account)["INBOX"]
    assert "m1" not in [mid for mid, _ in device.state()["INBOX"]]


def _cut(account: Dovecot, tmp_path: Path, cut: Cut,
         timeout: float = 60.0) -> tuple[Device, SyncResult, str, State]:
    """Pending changes on both sides, a run cut at ``cut``, then one clean run; returns the
    cut run, the last command it relayed, and the state an uncut sync ends in."""
    device = _device(account, tmp_path)
    want = pending_changes(device, account)
    cut_run = device.sync(cut, timeout)
    assert cut_run.cut
    relayed = tunnel.totals(device.work / launch.STATS)["lines"]
    assert len(relayed) == cut_run.commands
    again = device.sync()
    assert again.ok, again.log
    return device, cut_run, relayed[-1] if relayed else "", want


@pytest.mark.parametrize("cut", [("before", 0), ("before", 5), ("after", 14), ("after", 19)])
def test_cuts_that_converge(account: Dovecot, tmp_path: Path, cut: Cut) -> None:
    """Cuts before anything changed, around the download of m4 and after the \\Seen STORE
    end the run with cut=True and a failure (exit 1 when the very first exchange fails,
    100 when a folder's sync fails), and the next run converges."""
    device, cut_run, _, want = _cut(account, tmp_path, cut)
    assert cut_run.exit_code == (1 if cut == ("before", 0) else 100)
    assert device.state() == want == live(server_state(account))


BAD_CUTS = {("before", n) for n in (9, 16, 17, 18, 24)} | {
    ("after", n) for n in (8, 9, 16, 17, 23, 24)}
"""Where a cut leaves this scenario wrong after the next run (found with offlineimap 8.0.0;
the commands: 8 APPEND Archive, 9 CHECK, 16 SELECT INBOX, 17 UID STORE +FLAGS \\Deleted,
18 EXPUNGE, 23 APPEND Sent, 24 CHECK)."""


@pytest.mark.slow
def test_every_cut(account: Dovecot, tmp_path: Path) -> None:
    """Every cut point of the sync, before and after each of its 28 commands: exactly the
    cuts in BAD_CUTS end in a state other than the uncut sync's (duplicates, resurrected or
    stale deleted mail; the after:8 and after:23 runs hang until the timeout)."""
    bad = set()
    for where in ("before", "after"):
        for n in range(28):
            acc = new_account(["m0", "m1", "m2", "m3"])
            try:
                device, _, _, want = _cut(acc, tmp_path / f"{where}{n}", (where, n), 8.0)  # type: ignore[arg-type]
                if device.state() != want or live(server_state(acc)) != want:
                    bad.add((where, n))
            finally:
                acc.shutdown()
    assert bad == BAD_CUTS


def test_cut_after_an_upload_duplicates_it(account: Dovecot, tmp_path: Path) -> None:
    """Found (offlineimap 8.0.0, defaults): a cut after the server stored the APPEND of the
    message moved to Archive, before offlineimap recorded its UID, makes the next run upload
    it again: m2 is twice in Archive, on the server and on the device."""
    device, _, last, want = _cut(account, tmp_path, ("before", 9))
    assert last.startswith("APPEND Archive")
    want["Archive"] = [("m2", NONE), ("m2", NONE)]
    assert device.state() == want == live(server_state(account))


def test_cut_after_a_sent_copy_upload_duplicates_it(account: Dovecot, tmp_path: Path) -> None:
    """Found: the same for the sent copy: sent1 twice in Sent on both sides."""
    device, _, last, want = _cut(account, tmp_path, ("before", 24))
    assert last.startswith("APPEND Sent")
    want["Sent"] = [("sent1", {SEEN}), ("sent1", {SEEN})]
    assert device.state() == want == live(server_state(account))


def test_cut_before_propagating_deletes_resurrects_them(account: Dovecot,
                                                        tmp_path: Path) -> None:
    """Found: a cut after offlineimap downloaded m4 but before it deleted m1 (deleted by the
    person) and m2 (moved to Archive) from the server's INBOX brings both back into the
    device's INBOX at the next run: resurrected mail, and m2 in two folders."""
    device, _, last, want = _cut(account, tmp_path, ("before", 17))
    assert last == "SELECT INBOX"
    want["INBOX"] = sorted([*want["INBOX"], ("m1", NONE), ("m2", NONE)])
    assert device.state() == want == live(server_state(account))


def test_cut_before_expunge_leaves_deleted_mail_everywhere(account: Dovecot,
                                                           tmp_path: Path) -> None:
    """Found: a cut between STORE +FLAGS (\\Deleted) and EXPUNGE leaves m1 and m2 on the
    server marked \\Deleted for good (never expunged) and brings them back to the device as
    trashed files (T): hidden by a reader, but never cleaned up on either side."""
    device, _, last, want = _cut(account, tmp_path, ("before", 18))
    assert last == "UID STORE 2:3 +FLAGS (\\Deleted)"
    assert live(server_state(account)) == want
    assert ("m1", {DELETED}) in server_state(account)["INBOX"]
    assert device.state()["INBOX"] == sorted(
        [*want["INBOX"], ("m1", {DELETED}), ("m2", {DELETED})])


def test_cut_after_an_upload_answer_hangs(account: Dovecot, tmp_path: Path) -> None:
    """Found: when the link drops right after the server stored an APPEND (its answer lost)
    and reconnecting fails, offlineimap 8.0.0 hits an error in its own connection
    bookkeeping (ValueError: list.remove(x)) and never exits: the run ends only by the
    timeout (SIGTERM is ignored, SIGKILL ends it). The next run duplicates the message."""
    device, cut_run, last, want = _cut(account, tmp_path, ("after", 8), timeout=8.0)
    assert cut_run.timed_out and cut_run.exit_code == -9
    assert last.startswith("APPEND Archive")
    assert "list.remove(x): x not in list" in cut_run.log
    want["Archive"] = [("m2", NONE), ("m2", NONE)]
    assert device.state() == want == live(server_state(account))


def test_archive_elsewhere_loses_a_local_read(account: Dovecot, tmp_path: Path) -> None:
    """Found (as with mbsync): m0 read on the device while the phone moved it to Archive:
    the sync follows the move but the read mark is lost on both sides."""
    device = _device(account, tmp_path)
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    server_command(account, "INBOX", "UID MOVE 1 Archive")
    assert device.sync().ok
    want = folders(INBOX=[("m1", NONE), ("m2", NONE), ("m3", NONE)], Archive=[("m0", NONE)])
    assert device.state() == want == server_state(account)


def test_uidvalidity_change_duplicates_and_flags_the_wrong_message(account: Dovecot,
                                                                   tmp_path: Path) -> None:
    """Found (offlineimap 8.0.0, defaults): after the server renumbers INBOX (new
    UIDVALIDITY, same messages, then m4 delivered) offlineimap says it skips INBOX ("UID
    validity problem", exit 2) but still copies one message the device already has (m3:
    now two copies on the device) and stores the device's read mark of m0 (by m0's old
    UID) on another message: m4, the new mail the person never saw, which never reaches
    the device. Later runs skip INBOX and leave it so."""
    device = _device(account, tmp_path)
    device.maildir.set_flags(device.edit("m0"), {SEEN})
    account.forget_uids("INBOX")
    account.deliver("m4", 700)
    for _ in range(2):
        result = device.sync()
        assert result.exit_code == 2 and "UID validity problem for folder INBOX" in result.log
        assert server_state(account)["INBOX"] == [
            ("m0", NONE), ("m1", NONE), ("m2", NONE), ("m3", NONE), ("m4", {SEEN})]
        assert device.state()["INBOX"] == [
            ("m0", {SEEN}), ("m1", NONE), ("m2", NONE), ("m3", NONE), ("m3", NONE)]


def test_missing_offlineimap_names_the_package(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    """Without offlineimap on PATH, a sync raises MissingProgram naming offlineimap3."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingProgram, match="apt-get install offlineimap3"):
        Offlineimap().sync(tmp_path, tmp_path / "md", Access((), ()), {}, None, 5.0)


def test_settings_are_validated_and_written() -> None:
    """Unknown keys and bad values are rejected naming what is expected; valid ones land in
    the right sections (the tunnel as preauthtunnel, '%' escaped for ConfigParser)."""
    with pytest.raises(ValueError, match=r"unknown setting\(s\) \['status_backend'\]"):
        validate({"status_backend": "plain"})
    with pytest.raises(ValueError, match="readonly must be true or false"):
        validate({"readonly": "yes"})
    with pytest.raises(ValueError, match="maxage must be a number of days >= 1"):
        validate({"maxage": 0})
    with pytest.raises(ValueError, match="folders must be a list of folder names"):
        validate({"folders": "INBOX"})
    text = config(validate({"readonly": True, "folders": ["INBOX", "Sent"], "maxage": 3}),
                  Path("/w"), Path("/m%"), "exec tunnel")
    lines = text.splitlines()
    for line in ("preauthtunnel = exec tunnel", "readonly = True", "localfolders = /m%%",
                 "sep = /", "maxage = 3", "folderfilter = lambda name: name in ['INBOX', 'Sent']"):
        assert line in lines
