"""fetchmail (Debian ``fetchmail``) as a device's POP3 client.

Each run writes ``fetchmailrc`` (mode 0600, as fetchmail demands) into the device's scratch
folder: one ``poll`` of the mailsim proxy with ``protocol pop3``, the scenario's keep /
fetchall / uidl, and an ``mda`` that writes each message into the device's Maildir INBOX
(``mda.py``, a small Maildir writer placed beside the config: fetchmail itself only speaks
SMTP or pipes to an MDA). ``.fetchids`` (the UIDs seen, for keep mode) and the lock file live
in the scratch folder too (``FETCHMAILHOME``), so runs of different devices never meet.
fetchmail exits 1 when there was no new mail; that is a success and is reported as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from simulator.external.fetcher import PASSWORD, USER, fetch
from simulator.external.program import Access, Cut, SyncResult, require

DEFAULTS: dict[str, bool] = {"keep": False, "fetchall": False, "uidl": True}
"""fetchmail's rc options a scenario may set: its own defaults, except ``uidl`` (which
fetchmail recommends with ``keep``, and which it needs against a server without LAST)."""
NO_MAIL = 1
"""fetchmail's exit status for "no new mail", a successful run."""
MDA = '''\
"""Deliver one message (stdin) into the Maildir given as argv[1]: tmp/, then new/."""
import os
import socket
import sys
import time

maildir = sys.argv[1]
data = sys.stdin.buffer.read()
now = time.time()
name = f"{int(now)}.M{int(now % 1 * 1e6)}P{os.getpid()}.{socket.gethostname()}"
tmp = os.path.join(maildir, "tmp", name)
with open(tmp, "wb") as out:
    out.write(data)
    out.flush()
    os.fsync(out.fileno())
os.rename(tmp, os.path.join(maildir, "new", name))
'''


def settings_of(settings: Mapping[str, Any]) -> dict[str, bool]:
    """The scenario's settings over the defaults; an unknown key or a non-boolean value is a
    ValueError naming it and what is expected."""
    out = dict(DEFAULTS)
    for key, value in settings.items():
        if key not in DEFAULTS:
            raise ValueError(f"fetchmail: unknown setting {key!r}; expected one of "
                             f"{', '.join(sorted(DEFAULTS))}")
        if not isinstance(value, bool):
            raise ValueError(f"fetchmail: {key} must be true or false, not {value!r}")
        out[key] = value
    return out


def config(port: int, maildir: Path, work: Path, options: Mapping[str, bool],
           timeout: float) -> str:
    """The fetchmailrc text for one run."""
    no = {True: "", False: "no "}
    return "\n".join([
        "set no syslog",
        "set no bouncemail",
        f"poll 127.0.0.1 protocol pop3 port {port} timeout {max(1, int(timeout))} "
        f"{no[options['uidl']]}uidl",
        f'    user "{USER}" password "{PASSWORD}"',
        f"    {no[options['keep']]}keep {no[options['fetchall']]}fetchall sslproto ''",
        f'    mda "/usr/bin/python3 {work.resolve()}/mda.py {maildir.resolve()}"',
    ]) + "\n"


class Fetchmail:
    """fetchmail 6 fetching the account's POP3 mailbox into the device's Maildir."""

    name = "fetchmail"
    package = "fetchmail"
    protocol = "pop3"

    def sync(self, work: Path, maildir: Path, access: Access, settings: Mapping[str, Any],
             cut: Cut | None, timeout: float) -> SyncResult:
        """Run fetchmail once; its failures are in the result, never raised."""
        options = settings_of(settings)
        binary = require("fetchmail", self.package)
        home = work.resolve()

        def configure(port: int) -> None:
            """Write fetchmailrc (0600) and the MDA."""
            rc = work / "fetchmailrc"
            rc.write_text(config(port, maildir, work, options, timeout))
            rc.chmod(0o600)
            (work / "mda.py").write_text(MDA)

        argv = [binary, "-v", "--nodetach", "-f", str(home / "fetchmailrc"),
                "--idfile", str(home / ".fetchids"), "--pidfile", str(home / "fetchmail.pid")]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "FETCHMAILHOME": str(home),
               "LANG": "C.UTF-8"}
        result = fetch(self.name, argv, env, work, maildir, access, cut, timeout, configure)
        if result.exit_code == NO_MAIL and not result.timed_out:
            return _no_mail_is_success(result)
        return result


def _no_mail_is_success(result: SyncResult) -> SyncResult:
    """The result with fetchmail's "no new mail" exit status read as success."""
    return replace(result, exit_code=0, log=result.log + "fetchmail exit 1: no new mail\n")
