"""A device's local Maildir tree: read it as the device's view, and edit it the way a mail
reader (mutt, for one) does, so the real sync program has to propagate the edits.

Layout (the same for mbsync and offlineimap, see their runners): one Maildir per folder at
``ROOT/<folder name>`` with ``/`` as the hierarchy separator, INBOX at ``ROOT/INBOX`` —
mbsync's ``SubFolders Verbatim`` with ``Inbox ROOT/INBOX``, offlineimap's ``sep = /``.
Flags live in the info suffix ``:2,<letters>`` (RFC-less but universal Maildir convention):
S seen, F flagged, R answered, T deleted (trashed), D draft; other letters (P passed,
keywords) are kept untouched by every edit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from simulator.mail.store import ANSWERED, DELETED, DRAFT, FLAGGED, SEEN

LETTERS = {"S": SEEN, "F": FLAGGED, "R": ANSWERED, "T": DELETED, "D": DRAFT}
"""Maildir info letters and the IMAP system flags they stand for."""
_LETTER_OF = {flag: letter for letter, flag in LETTERS.items()}
INFO = ":2,"
SUBDIRS = ("cur", "new", "tmp")
HEADER_READ = 65536
"""Bytes read to find a message's Message-ID (the header block comes first)."""
DOMAIN = "mailsim.test"
"""The domain a bare mailsim mid gets in a Message-ID (as conformance.messages renders it;
a test keeps the two equal, as this layer may not import that one)."""
_MESSAGE_ID = re.compile(rb"^Message-ID:\s*<([^>]*)>", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class LocalMail:
    """One message file: its folder, Message-ID (mailsim's mid), flags and size."""

    folder: str
    mid: str | None
    flags: frozenset[str]
    size: int
    path: Path

    @property
    def seen(self) -> bool:
        """Whether the person has read it on this device."""
        return SEEN in self.flags


class Maildir:
    """The Maildir tree rooted at ``root`` (created on first use)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- reading -----------------------------------------------------------------------------
    def folders(self) -> list[str]:
        """Every folder (a directory with ``cur``, ``new`` and ``tmp``), sorted by name."""
        if not self.root.is_dir():
            return []
        found = []
        for dirpath, dirnames, _ in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in SUBDIRS)
            here = Path(dirpath)
            if here != self.root and all((here / s).is_dir() for s in SUBDIRS):
                found.append(here.relative_to(self.root).as_posix())
        return sorted(found)

    def mails(self, folder: str | None = None) -> list[LocalMail]:
        """The messages of ``folder`` (or of every folder), ordered by folder, mid, file."""
        names = self.folders() if folder is None else [folder]
        out = []
        for name in names:
            for sub in ("cur", "new"):
                box = self.root / name / sub
                if box.is_dir():
                    out += [_read(name, p) for p in box.iterdir() if not p.name.startswith(".")]
        return sorted(out, key=lambda m: (m.folder, m.mid or "", m.path.name))

    def view(self) -> dict[str, list[LocalMail]]:
        """Folder -> its messages, for every folder (empty folders included)."""
        view: dict[str, list[LocalMail]] = {name: [] for name in self.folders()}
        for mail in self.mails():
            view[mail.folder].append(mail)
        return view

    def find(self, mid: str, folder: str | None = None) -> list[LocalMail]:
        """Every copy of ``mid`` (in ``folder`` only, if given); more than one is a duplicate."""
        return [m for m in self.mails(folder) if m.mid == mid]

    # -- a mail reader's edits ---------------------------------------------------------------
    def create(self, folder: str) -> None:
        """Make ``folder`` (with its cur/new/tmp), as a mail reader's "new folder" does."""
        for sub in SUBDIRS:
            (self.root / folder / sub).mkdir(parents=True, exist_ok=True)

    def set_flags(self, mail: LocalMail, flags: Iterable[str]) -> LocalMail:
        """Replace the system flags of ``mail`` by renaming its file into ``cur/`` (its base
        name kept, so the sync program still knows the message)."""
        wanted = frozenset(flags)
        unknown = wanted - set(_LETTER_OF)
        if unknown:
            raise ValueError(f"unknown flags {sorted(unknown)}; expected {sorted(_LETTER_OF)}")
        base, _, info = mail.path.name.partition(INFO)
        others = "".join(c for c in info if c not in LETTERS)
        letters = "".join(sorted(others + "".join(_LETTER_OF[f] for f in wanted)))
        target = self.root / mail.folder / "cur" / f"{base}{INFO}{letters}"
        os.rename(mail.path, target)
        return LocalMail(mail.folder, mail.mid, wanted, mail.size, target)

    def move(self, mail: LocalMail, folder: str) -> LocalMail:
        """Move ``mail`` to ``folder`` under a new file name (as mutt does: a file copied
        between folders under its old name would carry the old folder's UID)."""
        if folder == mail.folder:
            return mail
        self.create(folder)
        moved = self.add(folder, mail.path.read_bytes(), mail.flags, _other_letters(mail))
        mail.path.unlink()
        return moved

    def delete(self, mail: LocalMail) -> None:
        """Remove the message's file (deleted and expunged locally)."""
        mail.path.unlink()

    def add(self, folder: str, data: bytes, flags: Iterable[str] = (),
            extra: str = "") -> LocalMail:
        """Write a new message (e.g. a sent copy) into ``folder``'s ``cur/``, through
        ``tmp/`` as the Maildir protocol asks, under a fresh unique name."""
        self.create(folder)
        wanted = frozenset(flags)
        letters = "".join(sorted(extra + "".join(_LETTER_OF[f] for f in wanted)))
        base = self._fresh_name()
        tmp = self.root / folder / "tmp" / base
        tmp.write_bytes(data)
        target = self.root / folder / "cur" / f"{base}{INFO}{letters}"
        os.rename(tmp, target)
        return _read(folder, target)

    def _fresh_name(self) -> str:
        """A base name no file of the tree has: ``<n>.mailsim`` for the lowest free n
        (deterministic for a given tree; the programs' own names never end so)."""
        used = {_stem(p.name) for p in self.root.rglob("*") if p.parent.name in SUBDIRS}
        n = 1
        while f"{n}.mailsim" in used:
            n += 1
        return f"{n}.mailsim"


def _stem(name: str) -> str:
    """A file name without its info suffix and its ``,U=``-style fields."""
    return name.partition(":")[0].partition(",")[0]


def _other_letters(mail: LocalMail) -> str:
    """Info letters of ``mail`` that are not system flags (P, keywords)."""
    return "".join(c for c in mail.path.name.partition(INFO)[2] if c not in LETTERS)


def flags_of(name: str) -> frozenset[str]:
    """The system flags a file name's info suffix carries (none without a suffix)."""
    _, sep, info = name.partition(INFO)
    return frozenset(LETTERS[c] for c in info if c in LETTERS) if sep else frozenset()


def rfc822_size(data: bytes) -> int:
    """The message's size with CRLF line ends (what IMAP's RFC822.SIZE and the model count),
    whatever line ends the program stored locally."""
    return len(data) + data.count(b"\n") - data.count(b"\r\n")


def mid_of(data: bytes) -> str | None:
    """The mailsim mid a message's Message-ID names (None without one)."""
    head = data[:HEADER_READ].replace(b"\r\n", b"\n").partition(b"\n\n")[0]
    m = _MESSAGE_ID.search(head)
    return None if m is None else m.group(1).decode(errors="replace").removesuffix(f"@{DOMAIN}")


def _read(folder: str, path: Path) -> LocalMail:
    """One message file as a LocalMail."""
    data = path.read_bytes()
    return LocalMail(folder, mid_of(data), flags_of(path.name), rfc822_size(data), path)
