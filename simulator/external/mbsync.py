"""mbsync (isync) as a device's client: one Channel from the account (far side, reached
through the tunnel) to the device's Maildir (near side, ``SubFolders Verbatim``, INBOX at
``MAILDIR/INBOX``), its sync state kept in ``work/state/`` between runs.

Settings (each also an mbsync Channel option; values are mbsync's, case-insensitive):
``sync`` ("All"; or words of Pull Push New ReNew Delete Flags, compounds like PullNew, None),
``create``/``remove``/``expunge`` (None Far Near Both; defaults Both, None, Both),
``patterns`` ("*": every folder), ``copy_arrival_date`` (False), ``max_messages`` (0:
unlimited), ``expire_unread`` (False), ``pipeline_depth`` (None: unlimited).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from simulator.external import launch
from simulator.external.program import Access, Cut, SyncResult, require

SIDES = ("None", "Far", "Near", "Both")
_DIRECTIONS = ("Pull", "Push")
_TYPES = ("New", "ReNew", "Delete", "Flags")
SYNC_WORDS = ("All", "None", *_DIRECTIONS, *_TYPES,
              *(d + t for d in _DIRECTIONS for t in _TYPES))
DEFAULTS: dict[str, Any] = {
    "sync": "All", "create": "Both", "remove": "None", "expunge": "Both", "patterns": "*",
    "copy_arrival_date": False, "max_messages": 0, "expire_unread": False,
    "pipeline_depth": None,
}
CHANNEL = "mailsim"


class Mbsync:
    """The mbsync runner (a :class:`~simulator.external.program.Program`)."""

    name = "mbsync"
    package = "isync"
    protocol = "imap"

    def sync(self, work: Path, maildir: Path, access: Access, settings: Mapping[str, Any],
             cut: Cut | None, timeout: float) -> SyncResult:
        """Write the config into ``work`` and run one sync of every folder."""
        binary = require("mbsync", self.package)
        checked = validate(settings)
        (work / "state").mkdir(parents=True, exist_ok=True)
        maildir.mkdir(parents=True, exist_ok=True)
        conf = work / "mbsyncrc"
        conf.write_text(config(checked, work, maildir, launch.tunnel_line(work, access, cut)))
        return launch.run(self.name, [binary, "-V", "-c", str(conf), CHANNEL], work, timeout)


def validate(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The settings with defaults filled in and mbsync's spelling, or ValueError naming the
    bad key or value and what is expected."""
    unknown = set(settings) - set(DEFAULTS)
    if unknown:
        raise ValueError(f"mbsync: unknown setting(s) {sorted(unknown)}; "
                         f"expected some of {sorted(DEFAULTS)}")
    out = {**DEFAULTS, **settings}
    out["sync"] = " ".join(_words("sync", out["sync"], SYNC_WORDS))
    for key in ("create", "remove", "expunge"):
        out[key] = _one_of(key, out[key], SIDES)
    out["patterns"] = " ".join(_quote(p) for p in _strings("patterns", out["patterns"]))
    for key in ("copy_arrival_date", "expire_unread"):
        if not isinstance(out[key], bool):
            raise ValueError(f"mbsync: {key} must be true or false, not {out[key]!r}")
    _count("max_messages", out["max_messages"], 0)
    if out["pipeline_depth"] is not None:
        _count("pipeline_depth", out["pipeline_depth"], 1)
    return out


def config(s: Mapping[str, Any], work: Path, maildir: Path, tunnel: str) -> str:
    """The mbsyncrc text for validated settings ``s``."""
    far = ["IMAPStore far", f"Tunnel {_quote(tunnel)}"]
    if s["pipeline_depth"] is not None:
        far.append(f"PipelineDepth {s['pipeline_depth']}")
    near = ["MaildirStore near", f"Path {_quote(str(maildir) + '/')}",
            f"Inbox {_quote(str(maildir / 'INBOX'))}", "SubFolders Verbatim"]
    channel = [
        f"Channel {CHANNEL}", "Far :far:", "Near :near:", f"Patterns {s['patterns']}",
        f"Sync {s['sync']}", f"Create {s['create']}", f"Remove {s['remove']}",
        f"Expunge {s['expunge']}", f"CopyArrivalDate {_yes(s['copy_arrival_date'])}",
        f"MaxMessages {s['max_messages']}", f"ExpireUnread {_yes(s['expire_unread'])}",
        f"SyncState {_quote(str(work / 'state') + '/')}",
    ]
    return "\n\n".join("\n".join(section) for section in (far, near, channel)) + "\n"


def _words(key: str, value: Any, allowed: tuple[str, ...]) -> list[str]:
    """A space-separated string or list of words, each one of ``allowed`` (any case)."""
    return [_one_of(key, word, allowed) for word in _strings(key, value)]


def _strings(key: str, value: Any) -> list[str]:
    """A space-separated string or a list of strings, as a non-empty list."""
    words = value.split() if isinstance(value, str) else value
    if not isinstance(words, list | tuple) or not words or not all(
            isinstance(w, str) and w for w in words):
        raise ValueError(f"mbsync: {key} must be a word or a list of words, not {value!r}")
    return list(words)


def _one_of(key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """``value`` in mbsync's spelling, if it is one of ``allowed`` ignoring case."""
    spelled = {a.lower(): a for a in allowed}
    if not isinstance(value, str) or value.lower() not in spelled:
        raise ValueError(f"mbsync: {key} {value!r} is not one of {', '.join(allowed)}")
    return spelled[value.lower()]


def _count(key: str, value: Any, least: int) -> None:
    """An integer of at least ``least``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"mbsync: {key} must be an integer >= {least}, not {value!r}")


def _quote(text: str) -> str:
    """An mbsync config argument: double-quoted, with backslashes and quotes escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _yes(flag: bool) -> str:
    """mbsync's spelling of a boolean."""
    return "yes" if flag else "no"
