"""Running a POP3 fetcher: the subprocess is killed at its timeout (its whole process group),
the proxy's transcript is read back from the log, and under root the scratch folders must be
reachable by the uid the fetcher runs as."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from simulator.external.fetcher import (
    NOBODY,
    command_index,
    hand_over,
    keep_log,
    run,
    transcript,
)

LOG = """getmail version 6.18.11
pop3proxy: 0 USER user -> +OK
pop3proxy: 1 PASS **** -> +OK Logged in.
pop3proxy: 2 RETR 1 -> +OK 400 octets
pop3proxy: 3 DELE 1 -> cut before
"""


def test_a_hung_program_is_killed_at_its_timeout(tmp_path: Path) -> None:
    """A program that outlives its timeout is killed with its children and reported as timed
    out, with what it printed so far."""
    code, seconds, timed_out, output = run(
        ["/bin/sh", "-c", "echo started; sleep 30 & sleep 30"], {"PATH": "/usr/bin:/bin"},
        Path("/"), timeout=0.5)
    assert timed_out and code != 0
    assert 0.5 <= seconds < 10
    assert output == "started\n"


def test_a_finished_program_reports_its_exit_code_and_output() -> None:
    """A program that ends by itself gives its own exit code and its merged output."""
    code, _, timed_out, output = run(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
                                     {"PATH": "/usr/bin:/bin"}, Path("/"), timeout=10)
    assert (code, timed_out, sorted(output.split())) == (3, False, ["err", "out"])


def test_the_transcript_is_read_back_from_the_log() -> None:
    """The proxy's lines are found in the log, and a command's run-wide index by its verb."""
    assert transcript(LOG)[3] == "3 DELE 1 -> cut before"
    assert command_index(LOG, "retr") == 2
    assert command_index(LOG, "DELE") == 3
    with pytest.raises(LookupError, match="no QUIT number 0"):
        command_index(LOG, "QUIT")


@pytest.mark.skipif(os.geteuid() != 0, reason="the hand-over to nobody happens only as root")
def test_as_root_the_folders_are_handed_to_nobody_or_a_clear_error() -> None:
    """Under root the fetcher runs as nobody: a folder it can enter is handed over (owned by
    nobody afterwards); one below a folder it cannot enter is a ValueError naming that one."""
    root = Path(tempfile.mkdtemp(prefix="mailsim-handover-"))
    try:
        root.chmod(0o755)
        (root / "open" / "cur").mkdir(parents=True)
        hand_over(root / "open")
        assert (root / "open" / "cur").stat().st_uid == NOBODY
        (root / "closed" / "work").mkdir(parents=True)
        (root / "closed").chmod(0o700)
        with pytest.raises(ValueError, match=f"{root / 'closed'} is not enterable by uid"):
            hand_over(root / "closed" / "work")
    finally:
        (root / "closed").chmod(0o755)
        shutil.rmtree(root)


def test_each_run_is_kept_in_the_log_with_its_command_and_exit_code(tmp_path: Path) -> None:
    """The kept log has, per run, the command, the output and transcript, and how the run
    ended (``[exit N]`` or ``[timed out]``), as an IMAP program's log has."""
    path = tmp_path / "getmail.log"
    keep_log(path, ["getmail", "--rcfile", "a b"], LOG, 0, False)
    keep_log(path, ["getmail"], "getmail version 6.18.11\n", -9, True)
    text = path.read_text()
    assert text.startswith("$ getmail --rcfile 'a b'\ngetmail version 6.18.11\n")
    assert text.count("[exit 0]\n") == 1 and text.endswith("$ getmail\n"
                                                          "getmail version 6.18.11\n"
                                                          "[timed out]\n")
    assert "pop3proxy: 3 DELE 1 -> cut before\n[exit 0]\n" in text
