"""A real sync program as a device's client (``client: {external: mbsync}``).

What the person sees on the device is its Maildir, read back after every run of the
program; what the person does there (read, flag, archive, delete, send) edits the Maildir
as a mail reader does, so the program has to carry it to the server. Sending hands the
message to SMTP submission at the next run and files a copy in the local ``Sent``.
The world runs the program (:meth:`simulator.world.line.Line.sync`); this class only keeps
the device's side.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from simulator.clients.base import Client, Conn, SyncGen
from simulator.clients.local import LocalStore
from simulator.external.maildir import LocalMail, Maildir
from simulator.external.program import Access, Cut, SyncResult
from simulator.external.runners import runner
from simulator.mail.message import Message
from simulator.mail.store import DELETED, SEEN

if TYPE_CHECKING:
    from simulator.scenario.devices import ClientSettings

DATE = re.compile(rb"^X-Mailsim-Date:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
HEAD_BYTES = 4096


class ExternalClient(Client):
    """The device's side of a real program: its scratch folder, Maildir, outbox and view."""

    protocol: ClassVar[str] = "imap"
    runs_program: ClassVar[bool] = True

    def __init__(self, device: str, settings: ClientSettings, store: LocalStore) -> None:
        super().__init__(device, settings, store)
        if not isinstance(store, LocalStore):
            raise TypeError(f"{device}: a real program syncs one account per device")
        assert settings.external is not None
        self.program = runner(settings.external)
        self.options = dict(settings.options)  # checked by the scenario loader
        self.work: Path | None = None
        self.render: Callable[[Message], bytes] | None = None
        self.outbox: list[Message] = []
        self.messages: dict[str, Message] = {}  # mid -> the message, once read from a file
        self.files: dict[str, LocalMail] = {}  # the view's key -> its file
        self.earlier_logs = ""  # the program's log from before the device was wiped

    # -- the world's side ------------------------------------------------------------------
    def attach(self, work: Path, render: Callable[[Message], bytes]) -> None:
        """Keep the program's configuration, state and Maildir under ``work``; ``render``
        writes a message as the server stores it (for the sent copies filed here)."""
        self.work, self.render = work, render

    @property
    def maildir(self) -> Maildir:
        """The device's Maildir tree (one folder per mailbox, INBOX included)."""
        if self.work is None:
            raise RuntimeError(f"{self.device}: no scratch folder attached")
        return Maildir(self.work / "Maildir")

    def run(self, access: Access, cut: Cut | None, timeout: float) -> SyncResult:
        """Run the program once, then read the Maildir back as the device's view."""
        maildir = self.maildir
        target = maildir.root if self.protocol == "imap" else maildir.root / "INBOX"
        assert self.work is not None
        result = self.program.sync(self.work / self.program.name, target, access,
                                   self.options, cut, timeout)
        self.refresh()
        return result

    def log(self) -> str:
        """The program's own log of every run on this device (its output, exit code and
        the commands that crossed the connection)."""
        if self.work is None:
            return self.earlier_logs
        path = self.work / self.program.name / f"{self.program.name}.log"
        return self.earlier_logs + (path.read_text(errors="replace") if path.exists() else "")

    def take_outbox(self) -> list[Message]:
        """The messages waiting for SMTP submission (the world sends them now)."""
        out, self.outbox = self.outbox, []
        return out

    def refresh(self) -> None:
        """Make the view what the Maildir holds: new files shown, changed ones updated,
        vanished ones forgotten."""
        found = {_key(mail): mail for mail in self.maildir.mails() if mail.mid is not None}
        for key in [k for k in self.files if k not in found]:
            del self.files[key]
            self.store.remove(key)
        for key, mail in found.items():
            old = self.files.get(key)
            self.files[key] = mail
            if old is None or old.folder != mail.folder:
                self.store.put(key, self._message(mail), mail.folder, mail.flags, True)
            elif old.flags != mail.flags:
                self.store.update(key, flags=mail.flags)

    def _message(self, mail: LocalMail) -> Message:
        """The model message behind a file (its Message-ID, size and X-Mailsim-Date)."""
        assert mail.mid is not None
        known = self.messages.get(mail.mid)
        if known is None:
            with mail.path.open("rb") as handle:
                found = DATE.search(handle.read(HEAD_BYTES))
            known = Message(mail.mid, mail.size, float(found.group(1)) if found else 0.0)
            self.messages[mail.mid] = known
        return known

    # -- what the world asks ---------------------------------------------------------------
    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        """A real program is run as a whole by the world, never command by command."""
        raise TypeError(f"{self.device}: {self.program.name} runs as a program (Line.sync)")

    def pending(self) -> bool:
        """Mail waits for submission."""
        return bool(self.outbox)

    def lost(self) -> None:
        """The device is wiped: its Maildir and the program's state go; the next run starts
        from nothing, as on a new device."""
        self.store.wipe()
        self.files.clear()
        self.outbox.clear()
        if self.work is not None:
            self.earlier_logs = self.log() + "mailsim: the device was wiped here\n"
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir(parents=True)

    # -- what the person does --------------------------------------------------------------
    def _shown(self, mid: str) -> tuple[str, LocalMail] | None:
        local = self.store.shown(mid)
        if local is None or local.key not in self.files:
            return None
        return local.key, self.files[local.key]

    def mark(self, mid: str, flag: str) -> bool:
        """Rename the file with ``flag`` added (the program carries it to the server)."""
        found = self._shown(mid)
        if found is None:
            return False
        key, mail = found
        self.files[key] = self.maildir.set_flags(mail, mail.flags | {flag})
        self.store.update(key, flags=self.files[key].flags)
        return True

    def archive(self, mid: str) -> bool:
        """Move the file to Archive."""
        return self._move(mid, "Archive")

    def delete(self, mid: str) -> bool:
        """To Trash (or, with ``delete: expunge`` or a POP3 fetcher, remove the file)."""
        if self.protocol == "imap" and self.settings.delete == "trash":
            return self._move(mid, "Trash")
        found = self._shown(mid)
        if found is None:
            return False
        key, mail = found
        self.maildir.delete(mail)
        del self.files[key]
        self.store.remove(key)
        return True

    def _move(self, mid: str, folder: str) -> bool:
        found = self._shown(mid)
        if found is None or found[1].folder == folder:
            return False
        key, mail = found
        moved = self.maildir.move(mail, folder)
        del self.files[key]
        self.store.remove(key)
        self.files[_key(moved)] = moved
        self.store.put(_key(moved), self._message(moved), folder, moved.flags, True)
        return True

    def send(self, msg: Message) -> None:
        """Queue ``msg`` for submission and file a read copy in the local Sent."""
        self.outbox.append(msg)
        self.messages[msg.mid] = msg
        if self.render is None:
            raise RuntimeError(f"{self.device}: no scratch folder attached")
        sent = self.maildir.add("Sent", self.render(msg), {SEEN})
        self.files[_key(sent)] = sent
        self.store.put(_key(sent), msg, "Sent", sent.flags - {DELETED}, True)


class ExternalPop3Client(ExternalClient):
    """A POP3 fetcher (getmail, fetchmail): mail lands in the local INBOX."""

    protocol: ClassVar[str] = "pop3"


def _key(mail: LocalMail) -> str:
    """The view's key of a file: its folder and base name (flags renames keep it)."""
    return f"{mail.folder}/{mail.path.name.partition(':')[0]}"
