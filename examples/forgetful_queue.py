"""Bug class: acknowledging work before the server has. This IMAP client throws its queued
offline actions (flags, moves, deletes, appends) away whenever a connection ends, as if
sending a command were the same as the server carrying it out."""

from __future__ import annotations

from simulator.clients.imap import ImapClient


class ForgetfulQueue(ImapClient):
    """The built-in IMAP client, except that a disconnect empties its action queue."""

    def disconnected(self) -> None:
        """The bug: whatever was queued is forgotten with the connection."""
        super().disconnected()
        self.queue.clear()


class FixedQueue(ImapClient):
    """The fix: a queued action leaves the queue only once the server has answered it (the
    built-in client's behaviour, kept as is)."""
