"""getmail (Debian ``getmail6``) as a device's POP3 client.

Each run writes ``getmailrc`` into the device's scratch folder: a SimplePOP3Retriever to the
mailsim proxy, a Maildir destination (the device's INBOX) and the scenario's options. The
oldmail file (getmail's record of the UIDs it already has) is the state kept between runs;
getmail names it after server, port and user, and the proxy's port changes every run, so it
is stored as ``oldmail`` and put under the run's name for the run only. getmail's
``received`` and ``delivered_to`` headers are off, so the local copy has the server's bytes.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.external.fetcher import PASSWORD, USER, fetch
from simulator.external.program import Access, Cut, SyncResult, require

DEFAULTS: dict[str, Any] = {
    "delete": False,
    "delete_after": 0,
    "read_all": False,
    "to_oldmail_on_each_mail": False,
}
"""getmail's [options] a scenario may set (getmail's own default read_all is true: every
run re-fetches everything; false is the usual keep-mail-on-server setting)."""
STATE = "oldmail"


def settings_of(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario's settings over the defaults; an unknown key or a bad value is a
    ValueError naming it and what is expected."""
    out = dict(DEFAULTS)
    for key, value in settings.items():
        if key not in DEFAULTS:
            raise ValueError(f"getmail: unknown setting {key!r}; expected one of "
                             f"{', '.join(sorted(DEFAULTS))}")
        if key == "delete_after":
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"getmail: delete_after must be a whole number of days >= 0, "
                                 f"not {value!r}")
        elif not isinstance(value, bool):
            raise ValueError(f"getmail: {key} must be true or false, not {value!r}")
        out[key] = value
    return out


def config(port: int, maildir: Path, work: Path, options: Mapping[str, Any],
           timeout: float) -> str:
    """The getmailrc text for one run (getmail's own timeout is half the run's, so that
    getmail reports a stall itself before the run is killed)."""
    flag = {True: "true", False: "false"}
    lines = [
        "[retriever]",
        "type = SimplePOP3Retriever",
        "server = 127.0.0.1",
        f"port = {port}",
        f"username = {USER}",
        f"password = {PASSWORD}",
        f"timeout = {max(1, int(timeout) // 2)}",
        "",
        "[destination]",
        "type = Maildir",
        f"path = {maildir.resolve()}/",
        "",
        "[options]",
        "verbose = 2",
        f"read_all = {flag[options['read_all']]}",
        f"delete = {flag[options['delete']]}",
        f"delete_after = {options['delete_after']}",
        f"to_oldmail_on_each_mail = {flag[options['to_oldmail_on_each_mail']]}",
        "received = false",
        "delivered_to = false",
        f"message_log = {work.resolve()}/getmail-messages.log",
    ]
    return "\n".join(lines) + "\n"


def one_cpu() -> list[str]:
    """``taskset`` to keep getmail and its delivery child on one CPU (empty without taskset).

    getmail 6 installs its SIGCHLD handler only after fork(); a delivery child that exits
    before that is never noticed and getmail stalls for its socket timeout, then reports the
    delivered message as failed (upstream getmail6 issues #52, #226, #245). On one CPU the
    parent runs on after fork() and the window all but closes; getmail's logic is unchanged.
    """
    taskset = shutil.which("taskset")
    return [taskset, "-c", str(min(os.sched_getaffinity(0)))] if taskset else []


def run_name(port: int) -> str:
    """The oldmail file name getmail uses for this run's server, port and user."""
    return re.sub(r"[/\:;<>|]+", "-", f"oldmail-127.0.0.1-{port}-{USER}")


class Getmail:
    """getmail 6 fetching the account's POP3 mailbox into the device's Maildir."""

    name = "getmail"
    package = "getmail6"
    protocol = "pop3"

    def sync(self, work: Path, maildir: Path, access: Access, settings: Mapping[str, Any],
             cut: Cut | None, timeout: float) -> SyncResult:
        """Run getmail once; its failures are in the result, never raised."""
        options = settings_of(settings)
        binary = require("getmail", self.package)
        work.mkdir(parents=True, exist_ok=True)
        for stale in work.glob("oldmail-*"):
            stale.unlink()

        def configure(port: int) -> None:
            """Write getmailrc and put the kept oldmail file under this run's name."""
            (work / "getmailrc").write_text(config(port, maildir, work, options, timeout))
            kept = work / STATE
            if kept.exists():
                (work / run_name(port)).write_bytes(kept.read_bytes())

        argv = [*one_cpu(), binary, "--getmaildir", str(work.resolve()), "--rcfile",
                "getmailrc"]
        env = {"PATH": "/usr/bin:/bin", "HOME": str(work.resolve()), "LANG": "C.UTF-8"}
        result = fetch(self.name, argv, env, work, maildir, access, cut, timeout, configure)
        self._keep_state(work)
        return result

    @staticmethod
    def _keep_state(work: Path) -> None:
        """Store the oldmail file getmail wrote (if it wrote one) under the stable name."""
        for written in work.glob("oldmail-*"):
            written.replace(work / STATE)
