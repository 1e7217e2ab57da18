"""getmail 6 (Debian getmail6) as a device's POP3 client, against a real Dovecot through the
mailsim proxy: what it fetches, what it leaves on the server, and what a dropped connection
does to it. Where getmail duplicates mail, the test pins exactly what it does (a finding)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest

from simulator.external.fetcher import command_index, transcript
from simulator.external.getmail import Getmail
from simulator.external.program import Access, Cut, MissingProgram, SyncResult
from tests.external.pop3_support import (
    PROGRAM_TIMEOUT,
    Account,
    cut_short,
    fresh_account,
    fresh_scratch,
    mids_in,
    require,
    succeeded,
)

GETMAIL = Getmail()
MIDS = ("a", "b", "c")
NO_ACCESS = Access(imap=(), pop3=())
When = Literal["before", "after"]


@pytest.fixture
def account() -> Iterator[Account]:
    """A fresh Dovecot account (getmail and Dovecot required)."""
    require("getmail", "getmail6")
    with fresh_account() as acct:
        yield acct


@pytest.fixture
def scratch() -> Iterator[Path]:
    """The device's scratch folder; its Maildir is ``scratch / "Maildir"``."""
    with fresh_scratch() as root:
        yield root


def fetch(account: Account, scratch: Path, settings: Mapping[str, Any] | None = None,
          cut: Cut | None = None) -> SyncResult:
    """One getmail run for the device whose folders are under ``scratch``."""
    return GETMAIL.sync(scratch / "work", scratch / "Maildir", account.access,
                        settings or {}, cut, PROGRAM_TIMEOUT)


def local(scratch: Path) -> list[str]:
    """The Message-IDs in the device's Maildir (duplicates kept)."""
    return mids_in(scratch / "Maildir")


def index_of(settings: Mapping[str, Any], verb: str, nth: int) -> int:
    """Where the ``nth`` ``verb`` falls in an uncut first run over MIDS with ``settings``
    (a calibration run on an account of its own)."""
    with fresh_account() as account, fresh_scratch() as scratch:
        account.deliver(*MIDS)
        return command_index(succeeded(fetch(account, scratch, settings)).log, verb, nth)


def test_first_fetch_brings_the_delivered_mail(account: Account, scratch: Path) -> None:
    """A first run retrieves every message into the Maildir, keeps them on the server (the
    default), reports success with the proxy's counts, and keeps its oldmail state and its
    log (the command, the run's log, its exit code)."""
    account.deliver(*MIDS)
    result = fetch(account, scratch)
    assert succeeded(result).program == "getmail"
    assert local(scratch) == ["a", "b", "c"]
    assert account.mids() == ["a", "b", "c"]
    assert result.commands == len(transcript(result.log)) and result.up > 0
    assert result.down > 3 * 400
    assert "3 messages (1200 bytes) retrieved" in result.log
    assert (scratch / "work" / "oldmail").read_bytes().count(b"\0") == 3
    kept = (scratch / "work" / "getmail.log").read_text()
    assert kept.startswith("$ ") and kept.endswith(f"\n{result.log}[exit 0]\n")


def test_keep_mode_fetches_only_new_mail_thanks_to_uidl(account: Account,
                                                        scratch: Path) -> None:
    """With delete off, a second run retrieves nothing it already has (no RETR), and a
    third run only the message delivered since."""
    account.deliver(*MIDS)
    succeeded(fetch(account, scratch))
    again = fetch(account, scratch)
    assert not any(" RETR " in f" {line}" for line in transcript(succeeded(again).log))
    account.deliver("d")
    third = fetch(account, scratch)
    assert [line.split(" -> ")[0].split(" ", 1)[1] for line in transcript(third.log)
            if "RETR" in line] == ["RETR 4"]
    assert local(scratch) == ["a", "b", "c", "d"]
    assert account.mids() == ["a", "b", "c", "d"]


def test_delete_mode_empties_the_server(account: Account, scratch: Path) -> None:
    """With delete on, the run moves every message to the device and none stays behind."""
    account.deliver(*MIDS)
    result = fetch(account, scratch, {"delete": True})
    succeeded(result)
    assert local(scratch) == ["a", "b", "c"]
    assert account.mids() == []


@pytest.mark.parametrize("when", ["before", "after"])
def test_keep_mode_converges_after_a_cut_at_retr(account: Account, scratch: Path,
                                                 when: When) -> None:
    """Cut at the second RETR: the run fails with ``cut``, the server keeps everything, and
    the next run fetches the rest, each message exactly once (getmail skips the message whose
    RETR failed and still saves its oldmail state)."""
    cut: Cut = (when, index_of({}, "RETR", 1))
    account.deliver(*MIDS)
    broken = fetch(account, scratch, cut=cut)
    cut_short(broken)
    assert local(scratch) == ["a"]
    assert account.mids() == ["a", "b", "c"]
    succeeded(fetch(account, scratch))
    assert local(scratch) == ["a", "b", "c"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_delete_mode_converges_after_a_cut_at_quit(account: Account, scratch: Path,
                                                   when: When) -> None:
    """Cut at QUIT: before it no DELE is committed, after it all are; getmail saved its state
    before sending QUIT, so the next run deletes what is left without fetching it again."""
    cut: Cut = (when, index_of({"delete": True}, "QUIT", 0))
    account.deliver(*MIDS)
    broken = fetch(account, scratch, {"delete": True}, cut)
    cut_short(broken)
    assert account.mids() == (["a", "b", "c"] if when == "before" else [])
    succeeded(fetch(account, scratch, {"delete": True}))
    assert account.mids() == []
    assert local(scratch) == ["a", "b", "c"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_finding_delete_mode_duplicates_after_a_cut_at_dele(account: Account, scratch: Path,
                                                            when: When) -> None:
    """FINDING (getmail 6.18.11, delete = true): a connection lost at the second DELE leaves
    both retrieved messages on the server (no QUIT, nothing committed) but getmail aborts
    without saving its oldmail state, so the next run delivers them again: a and b twice."""
    cut: Cut = (when, index_of({"delete": True}, "DELE", 1))
    account.deliver(*MIDS)
    broken = fetch(account, scratch, {"delete": True}, cut)
    assert "protocol error" in cut_short(broken).log
    assert local(scratch) == ["a", "b"]
    assert account.mids() == ["a", "b", "c"]
    succeeded(fetch(account, scratch, {"delete": True}))
    assert account.mids() == []
    assert local(scratch) == ["a", "a", "b", "b", "c"]


def test_finding_to_oldmail_on_each_mail_forgets_what_it_fetched(account: Account,
                                                                 scratch: Path) -> None:
    """FINDING (getmail 6.18.11, to_oldmail_on_each_mail = true, keep mode): the oldmail file
    ends up holding none of the fetched messages, so every run fetches the whole mailbox
    again, with no fault at all (upstream getmail6 issue #212, fixed after 6.18.11)."""
    account.deliver(*MIDS)
    settings = {"to_oldmail_on_each_mail": True}
    succeeded(fetch(account, scratch, settings))
    assert (scratch / "work" / "oldmail").read_bytes() == b""
    succeeded(fetch(account, scratch, settings))
    assert local(scratch) == ["a", "a", "b", "b", "c", "c"]


@pytest.mark.parametrize(("settings", "message"), [
    ({"expunge": True}, "unknown setting 'expunge'"),
    ({"delete": "yes"}, "delete must be true or false"),
    ({"delete_after": -1}, "delete_after must be a whole number"),
])
def test_bad_settings_are_named(settings: dict[str, Any], message: str, tmp_path: Path) -> None:
    """An unknown setting or a bad value is a ValueError naming it and what is expected."""
    with pytest.raises(ValueError, match=message):
        GETMAIL.sync(tmp_path / "w", tmp_path / "M", NO_ACCESS, settings, None, 1.0)


def test_missing_getmail_names_the_debian_package(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """Without getmail on PATH, a run raises MissingProgram naming getmail6."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingProgram, match="apt-get install getmail6"):
        GETMAIL.sync(tmp_path / "w", tmp_path / "M", NO_ACCESS, {}, None, 1.0)
