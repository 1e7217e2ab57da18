"""Bug class: deleting on the server before the download is safely stored. This POP3
client holds what it downloads in memory and files it only once QUIT is answered; but the
server deletes at QUIT, so when QUIT's reply is lost the mail is gone from the server and
never reaches the device."""

from __future__ import annotations

from simulator.clients.base import Conn, SyncGen
from simulator.clients.pop3 import Pop3Client


class CommitOnQuit(Pop3Client):
    """Downloads and deletes like the built-in client, but stores nothing until QUIT's reply."""

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        """Send the outbox, log in, RETR and DELE the new mail, QUIT, then store it."""
        while self.outbox:
            yield conn.smtp_send(self.outbox[0])
            self.outbox.pop(0)
        if not (yield conn.login()).ok:
            yield conn.quit()
            return False
        held = []
        for n, uidl in (yield conn.uidl()).value:
            got = yield conn.retr(n)
            if got.ok:
                held.append((uidl, got.value))
                yield conn.dele(n)
        yield conn.quit()  # the bug: if this reply is lost, `held` is dropped with the sync
        for uidl, msg in held:
            self.store.put(self.key_for(uidl), msg, "INBOX", frozenset(), body=True)
        return True


class StoreThenQuit(Pop3Client):
    """The fix: file each message as soon as RETR returns it, before any DELE can take
    effect (the built-in client's order, kept as is)."""
