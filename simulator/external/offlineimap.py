"""offlineimap (offlineimap3) as a device's client: one account from the server (remote
IMAP repository reached by ``preauthtunnel`` through the tunnel) to the device's Maildir
(local repository, ``sep = /`` so folders lie at ``MAILDIR/<name>`` like mbsync's), its
status (sqlite, the only backend 8.0 has) kept in ``work/meta`` between runs.

Settings (offlineimap's options of the same name): ``readonly`` (False; True never changes
the server: a one-way backup), ``expunge`` (True), ``local_sync_deletes`` and
``remote_sync_deletes`` (True: each repository's ``sync_deletes``), ``folders`` (None: all;
else the list a ``folderfilter`` keeps), ``maxage`` (None, or days), ``utime_from_header``
(False), ``createfolders`` (True: folders made on the device reach the server).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.external import launch
from simulator.external.program import Access, Cut, SyncResult, require

DEFAULTS: dict[str, Any] = {
    "readonly": False, "expunge": True, "local_sync_deletes": True,
    "remote_sync_deletes": True, "folders": None, "maxage": None,
    "utime_from_header": False, "createfolders": True,
}
_BOOLEANS = ("readonly", "expunge", "local_sync_deletes", "remote_sync_deletes",
             "utime_from_header", "createfolders")
ACCOUNT = "mailsim"


class Offlineimap:
    """The offlineimap runner (a :class:`~simulator.external.program.Program`)."""

    name = "offlineimap"
    package = "offlineimap3"
    protocol = "imap"

    def sync(self, work: Path, maildir: Path, access: Access, settings: Mapping[str, Any],
             cut: Cut | None, timeout: float) -> SyncResult:
        """Write the config into ``work`` and run one sync of the account (``-o``: once)."""
        binary = require("offlineimap", self.package)
        checked = validate(settings)
        (work / "meta").mkdir(parents=True, exist_ok=True)
        maildir.mkdir(parents=True, exist_ok=True)
        conf = work / "offlineimaprc"
        conf.write_text(config(checked, work, maildir, launch.tunnel_line(work, access, cut)))
        argv = [binary, "-c", str(conf), "-o", "-u", "basic"]
        return launch.run(self.name, argv, work, timeout)


def validate(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings with defaults filled in, or ValueError naming the bad key or value."""
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"offlineimap: unknown setting(s) {sorted(unknown)}; "
                         f"expected some of {sorted(DEFAULTS)}")
    out = {**DEFAULTS, **settings}
    for key in _BOOLEANS:
        if not isinstance(out[key], bool):
            raise ValueError(f"offlineimap: {key} must be true or false, not {out[key]!r}")
    folders = out["folders"]
    if folders is not None and (not isinstance(folders, list | tuple) or not all(
            isinstance(f, str) and f for f in folders)):
        raise ValueError(f"offlineimap: folders must be a list of folder names, not {folders!r}")
    maxage = out["maxage"]
    if maxage is not None and (isinstance(maxage, bool) or not isinstance(maxage, int)
                               or maxage < 1):
        raise ValueError(f"offlineimap: maxage must be a number of days >= 1, not {maxage!r}")
    return out


def config(s: Mapping[str, Any], work: Path, maildir: Path, tunnel: str) -> str:
    """The offlineimaprc text for validated settings ``s``."""
    account = [f"[Account {ACCOUNT}]", "localrepository = device", "remoterepository = server",
               "synclabels = no"]
    if s["maxage"] is not None:
        account.append(f"maxage = {s['maxage']}")
    device = ["[Repository device]", "type = Maildir", f"localfolders = {_value(str(maildir))}",
              "sep = /", f"sync_deletes = {_yes(s['local_sync_deletes'])}",
              f"utime_from_header = {_yes(s['utime_from_header'])}"]
    server = ["[Repository server]", "type = IMAP", f"preauthtunnel = {_value(tunnel)}",
              "maxconnections = 1", f"readonly = {s['readonly']}",
              f"expunge = {_yes(s['expunge'])}", f"sync_deletes = {_yes(s['remote_sync_deletes'])}",
              f"createfolders = {s['createfolders']}"]
    if s["folders"] is not None:
        server.append(f"folderfilter = lambda name: name in {sorted(s['folders'])!r}")
    general = ["[general]", f"accounts = {ACCOUNT}", f"metadata = {_value(str(work / 'meta'))}",
               "ui = basic", "maxsyncaccounts = 1"]
    return "\n\n".join("\n".join(part) for part in (general, account, device, server)) + "\n"


def _value(text: str) -> str:
    """A config value: ConfigParser interpolates ``%``, so it is doubled."""
    return text.replace("%", "%%")


def _yes(flag: bool) -> str:
    """offlineimap's spelling of a boolean option."""
    return "yes" if flag else "no"
