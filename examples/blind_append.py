"""Bug class: retrying a non-idempotent command blindly. When the reply to an APPEND (the
copy of a sent message going to Sent) is lost, the server may well have stored it; this
client appends again without looking, so the message ends up in Sent twice."""

from __future__ import annotations

from simulator.clients.base import Conn, SyncGen
from simulator.clients.imap import ImapClient
from simulator.clients.imap_state import Action
from simulator.mail.store import SEEN


class BlindAppend(ImapClient):
    """The built-in IMAP client with its APPEND recovery taken out."""

    def _replay_append(self, conn: Conn, action: Action, now: float) -> SyncGen:
        """The bug: APPEND again, whether or not an earlier APPEND of it got through."""
        reply = yield conn.append(action.arg, action.msg, frozenset({SEEN}))
        if reply.ok:
            self._appended(action, reply.value)


class SearchingAppend(ImapClient):
    """The fix: after an unanswered APPEND, SEARCH the folder for the Message-ID first
    (the built-in client's careful recovery, kept as is)."""
