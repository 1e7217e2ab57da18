"""fetchmail 6.4 (Debian fetchmail) as a device's POP3 client, against a real Dovecot through
the mailsim proxy: what it fetches, what it leaves on the server, and what a dropped
connection does to it. Where fetchmail leaves mail behind, the test pins exactly what it
does (a finding)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest

from simulator.external.fetcher import command_index, transcript
from simulator.external.fetchmail import Fetchmail
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

FETCHMAIL = Fetchmail()
MIDS = ("a", "b", "c")
KEEP = {"keep": True}
NO_ACCESS = Access(imap=(), pop3=())
When = Literal["before", "after"]


@pytest.fixture
def account() -> Iterator[Account]:
    """A fresh Dovecot account (fetchmail and Dovecot required)."""
    require("fetchmail", "fetchmail")
    with fresh_account() as acct:
        yield acct


@pytest.fixture
def scratch() -> Iterator[Path]:
    """The device's scratch folder; its Maildir is ``scratch / "Maildir"``."""
    with fresh_scratch() as root:
        yield root


def fetch(account: Account, scratch: Path, settings: Mapping[str, Any] | None = None,
          cut: Cut | None = None) -> SyncResult:
    """One fetchmail run for the device whose folders are under ``scratch``."""
    return FETCHMAIL.sync(scratch / "work", scratch / "Maildir", account.access,
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


def test_first_fetch_moves_the_delivered_mail(account: Account, scratch: Path) -> None:
    """By default (fetchmail's own: no keep) a run delivers every message into the Maildir
    through the MDA and deletes it from the server."""
    account.deliver(*MIDS)
    result = succeeded(fetch(account, scratch))
    assert result.program == "fetchmail" and result.commands == len(transcript(result.log))
    assert local(scratch) == ["a", "b", "c"]
    assert account.mids() == []
    assert "normal termination, status 0" in result.log


def test_keep_mode_fetches_only_new_mail_thanks_to_uidl(account: Account,
                                                        scratch: Path) -> None:
    """With keep, the server stays full; the next run fetches nothing (its UIDs are in
    .fetchids; fetchmail's exit 1 "no new mail" reads as success), then only new mail."""
    account.deliver(*MIDS)
    succeeded(fetch(account, scratch, KEEP))
    again = succeeded(fetch(account, scratch, KEEP))
    assert "status 1" in again.log
    assert not any(" TOP " in f" {line}" or " RETR " in f" {line}"
                   for line in transcript(again.log))
    account.deliver("d")
    succeeded(fetch(account, scratch, KEEP))
    assert local(scratch) == ["a", "b", "c", "d"]
    assert account.mids() == ["a", "b", "c", "d"]
    assert (scratch / "work" / ".fetchids").read_text().count("\n") == 4


@pytest.mark.parametrize("when", ["before", "after"])
def test_keep_mode_converges_after_a_cut_at_the_second_message(
    account: Account, scratch: Path, when: When,
) -> None:
    """Cut at the second message's TOP: the run fails with ``cut``, the server keeps
    everything, and the next run fetches the rest, each message exactly once."""
    cut: Cut = (when, index_of(KEEP, "TOP", 1))
    account.deliver(*MIDS)
    cut_short(fetch(account, scratch, KEEP, cut))
    assert local(scratch) == ["a"]
    assert account.mids() == ["a", "b", "c"]
    succeeded(fetch(account, scratch, KEEP))
    assert local(scratch) == ["a", "b", "c"]


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_cut_after_quit_commits_and_nothing_is_fetched_twice(account: Account,
                                                               scratch: Path,
                                                               when: When) -> None:
    """Cut at QUIT without keep: after it the deletes are committed; before it they are not,
    and (see the finding below) fetchmail never deletes those messages afterwards. In both
    cases the device has each message exactly once."""
    cut: Cut = (when, index_of({}, "QUIT", 0))
    account.deliver(*MIDS)
    cut_short(fetch(account, scratch, {}, cut))
    succeeded(fetch(account, scratch))
    assert local(scratch) == ["a", "b", "c"]
    assert account.mids() == (["a", "b", "c"] if when == "before" else [])


@pytest.mark.parametrize("when", ["before", "after"])
def test_finding_no_keep_leaves_mail_of_a_cut_session_on_the_server(
    account: Account, scratch: Path, when: When,
) -> None:
    """FINDING (fetchmail 6.4.37, no keep, uidl): a connection lost at the second DELE
    leaves the two fetched messages on the server (no QUIT, nothing committed); fetchmail
    has recorded them as seen in .fetchids, so later runs skip them and never delete them:
    the server keeps a and b for good (no loss, no local duplicate; another POP3 device or
    the quota sees them)."""
    cut: Cut = (when, index_of({}, "DELE", 1))
    account.deliver(*MIDS)
    cut_short(fetch(account, scratch, {}, cut))
    assert local(scratch) == ["a", "b"]
    assert account.mids() == ["a", "b", "c"]
    succeeded(fetch(account, scratch))
    account.deliver("d")
    succeeded(fetch(account, scratch))
    succeeded(fetch(account, scratch))
    assert local(scratch) == ["a", "b", "c", "d"]
    assert account.mids() == ["a", "b"]


@pytest.mark.parametrize(("settings", "message"), [
    ({"expunge": True}, "unknown setting 'expunge'"),
    ({"keep": "yes"}, "keep must be true or false"),
])
def test_bad_settings_are_named(settings: dict[str, Any], message: str, tmp_path: Path) -> None:
    """An unknown setting or a bad value is a ValueError naming it and what is expected."""
    with pytest.raises(ValueError, match=message):
        FETCHMAIL.sync(tmp_path / "w", tmp_path / "M", NO_ACCESS, settings, None, 1.0)


def test_missing_fetchmail_names_the_debian_package(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    """Without fetchmail on PATH, a run raises MissingProgram naming the fetchmail package."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(MissingProgram, match="apt-get install fetchmail"):
        FETCHMAIL.sync(tmp_path / "w", tmp_path / "M", NO_ACCESS, {}, None, 1.0)
