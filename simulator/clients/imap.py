"""An IMAP client: a cache (full | headers | recent:N | none), IDLE or polling, and an
offline action log replayed on reconnect in RFC 4549 order (SEMANTICS rules 18-20).

Local keys are stable ("L17"); where each message lives on the server (folder, UID) is
kept apart, so queued actions survive moves, late UIDs and (with careful recovery, by
Message-ID) a mailbox renumbered under a new UIDVALIDITY.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Final

from mypy_extensions import mypyc_attr

from simulator.clients.base import Client, Conn, SyncGen
from simulator.clients.imap_state import Action, Cache, FolderState, Where
from simulator.clients.parts import Store
from simulator.clients.renumber import match
from simulator.mail.imap import Row
from simulator.mail.message import Message
from simulator.mail.store import DELETED, SEEN

if TYPE_CHECKING:
    from simulator.scenario.devices import ClientSettings

SYNCED: Final = ("INBOX", "Sent", "Archive")


@mypyc_attr(allow_interpreted_subclasses=True)
class ImapClient(Client):
    """Thunderbird-like IMAP: replay queued actions, then resync each folder (base,
    CONDSTORE or QRESYNC), then fetch new messages and the bodies the cache keeps.

    ``recovery: careful`` (the default) recovers by Message-ID: an APPEND whose reply was
    lost is looked up before it is sent again (RFC 4549 §4.3), and a mailbox renumbered
    under a new UIDVALIDITY is matched to the cache instead of dropping it and the queued
    actions (isync 1.4). ``naive`` does neither (SEMANTICS rule 20 taken literally)."""

    protocol = "imap"

    def __init__(self, device: str, settings: ClientSettings, store: Store) -> None:
        super().__init__(device, settings, store)
        self.cache = Cache(*settings.cache_mode)
        store.count_headers = self.cache.mode != "none"
        self.resync: str = settings.resync
        self.careful = settings.recovery != "naive"
        self.unanswered: set[str] = set()  # keys of APPENDs sent whose reply never came
        self.delete_mode: str = settings.delete
        self.folders: dict[str, FolderState] = {f: FolderState() for f in SYNCED}
        self.where = Where()
        self.queue: deque[Action] = deque()
        self.outbox: deque[Message] = deque()
        self.selected: str | None = None
        self.announced: set[str] = set()
        self._seq = 0

    @property
    def stays_connected(self) -> bool:
        """IMAP clients keep their session open."""
        return True

    @property
    def idles(self) -> bool:
        """IDLE if configured."""
        return bool(self.settings.idle)

    def pending(self) -> bool:
        """Outbox or offline actions wait."""
        return bool(self.outbox or self.queue)

    def disconnected(self) -> None:
        """No mailbox is selected any more."""
        self.selected = None
        self.announced.clear()

    def lost(self) -> None:
        """Cache, server state and queued work are gone (the device is new)."""
        self.store.wipe()
        self.folders = {f: FolderState() for f in SYNCED}
        self.where = Where()
        self.queue.clear()
        self.outbox.clear()
        self.unanswered.clear()
        self.selected = None

    def _key(self, mid: str = "") -> str:
        """A new local key: the message's own Message-ID when it has an "@" (no ``L`` key
        does) and no copy, location, unanswered APPEND or queued action names it (almost
        always: no second string per message), else ``L`` and a number, counted either way
        (so the keys of sent copies do not depend on how others were named)."""
        self._seq += 1
        if "@" in mid and self._free(mid):
            return mid
        return f"L{self._seq}"

    def _free(self, key: str) -> bool:
        """Whether nothing this client keeps names ``key``."""
        return (self.store.get(key) is None and key not in self.where.of_key
                and key not in self.unanswered and all(a.key != key for a in self.queue))

    # -- sync ------------------------------------------------------------------------------
    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        """RFC 4549 order: send queued mail, replay actions, then server -> client."""
        if fresh:
            self.selected = None
            yield conn.login()
        while self.outbox:
            yield conn.smtp_send(self.outbox[0])
            self.outbox.popleft()
        while self.queue:
            action = self.queue[0]
            yield from self._replay(conn, action, now)
            if self.queue and self.queue[0] is action:
                self.queue.popleft()  # acknowledged: an interrupted replay resumes here
        if not full and not fresh and self.selected == "INBOX":
            yield from self._after_idle(conn, now)
            return True
        for folder in SYNCED if full else ("INBOX",):
            state = self.folders[folder]  # SELECT here: most folders have no news (no frame)
            qresync = None
            if self.resync == "qresync" and state.uidvalidity:
                qresync = (state.uidvalidity, state.highestmodseq)
            info = (yield conn.select(folder, qresync)).value
            self.selected = folder
            if _quiet(info, state, qresync):
                state.highestmodseq = info.highestmodseq
            else:
                yield from self._sync_folder(conn, folder, state, info, qresync, now)
        if self.idles and self.selected != "INBOX":
            yield from self._back_to_inbox(conn, now)
        return True

    def _back_to_inbox(self, conn: Conn, now: float) -> SyncGen:
        """An idling client returns to INBOX after the other folders and catches up with it
        unless its HIGHESTMODSEQ has not moved since it was synced in this pass (every
        change raises it): then the SELECT is all.

        IDLE reports only what changes while INBOX is selected (RFC 2177) and a new SELECT
        reports nothing that came before it (RFC 3501 6.3.1), so an EXPUNGE (a MOVE by
        another device, RFC 6851) or new mail while other folders were synced would wait
        for the next poll otherwise."""
        state = self.folders["INBOX"]
        qresync = None
        if self.resync == "qresync" and state.uidvalidity:
            qresync = (state.uidvalidity, state.highestmodseq)
        info = (yield conn.select("INBOX", qresync=qresync)).value
        self.selected = "INBOX"
        if (info.uidvalidity, info.highestmodseq) != (state.uidvalidity, state.highestmodseq):
            yield from self._sync_folder(conn, "INBOX", state, info, qresync, now)

    def _select(self, conn: Conn, folder: str, now: float) -> SyncGen:
        """SELECT ``folder`` unless it is selected; if its UIDVALIDITY changed since the
        last sync, the cached UIDs name other messages now (rules 10, 18, 20): renumber the
        cache by Message-ID (careful) or drop it and the actions naming it (naive)."""
        if self.selected == folder:
            return
        info = (yield conn.select(folder)).value
        self.selected = folder
        known = self.folders[folder].uidvalidity
        if info is None or not known or info.uidvalidity == known:
            return
        if self.careful:
            yield from self._renumber(conn, folder, info, now)
        else:
            self._invalidate(folder)
            self.folders[folder] = FolderState()

    def _replay(self, conn: Conn, action: Action, now: float) -> SyncGen:
        """One queued action; one whose message has no server copy any more is dropped."""
        if action.kind == "append":
            yield from self._replay_append(conn, action, now)
            return
        loc = self.where.get(action.key)
        if loc is None:
            return  # depends on a step that failed (or the message is gone): drop it
        yield from self._select(conn, loc[0], now)
        loc = self.where.get(action.key)
        if loc is None:
            return  # gone from the renumbered mailbox (or the cache was dropped)
        uid = loc[1]
        if action.kind == "flag":
            yield conn.store([uid], action.op, [action.arg])
        elif action.kind == "move":
            mapping = (yield conn.move([uid], action.arg)).value or {}
            if uid in mapping and action.arg in SYNCED:
                self.where.set(action.key, action.arg, mapping[uid])
            else:
                self.where.drop(action.key)
                if uid not in mapping:
                    self.store.remove(action.key)  # expunged elsewhere: delete wins
        elif action.kind == "expunge":
            yield conn.store([uid], "+", [DELETED])
            yield conn.uid_expunge([uid])
            self.where.drop(action.key)

    def _replay_append(self, conn: Conn, action: Action, now: float) -> SyncGen:
        """APPEND the queued copy; if an earlier APPEND of it went unanswered, a careful
        client first looks for it by Message-ID, since the server may have stored it."""
        folder = action.arg
        if self.careful and action.key in self.unanswered:
            yield from self._select(conn, folder, now)
            if action.key not in self.where.of_key:  # a renumbering may have found it
                uids = (yield conn.search_message_id(action.msg.mid)).value or []  # type: ignore[union-attr]
                free = [u for u in uids if self.where.at(folder, u) is None]
                if free:
                    self._appended(action, free[0])
            if action.key in self.where.of_key:
                self.unanswered.discard(action.key)
                return
        self.unanswered.add(action.key)
        reply = yield conn.append(folder, action.msg, frozenset({SEEN}))
        self.unanswered.discard(action.key)
        if reply.ok:  # else OVERQUOTA: the copy stays on this device only
            self._appended(action, reply.value)

    def _appended(self, action: Action, uid: int) -> None:
        """The queued copy is ``uid`` on the server now."""
        assert action.msg is not None
        self.where.set(action.key, action.arg, uid, action.msg.mid)
        if self.cache.mode == "none":
            self.store.update(action.key, body=False)  # the server has it now

    def _sync_folder(self, conn: Conn, folder: str, state: FolderState, info: Any,
                     qresync: tuple[int, int] | None, now: float) -> SyncGen:
        """Catch up with ``folder`` after its SELECT reported ``info``."""
        if info.uidvalidity != state.uidvalidity and state.uidvalidity and self.careful:
            yield from self._renumber(conn, folder, info, now)
            state = self.folders[folder]
        elif info.uidvalidity != state.uidvalidity:
            if state.uidvalidity:
                self._invalidate(folder)
            state = self.folders[folder] = FolderState(info.uidvalidity)
        elif qresync is not None:
            self._apply(folder, info.changed, info.vanished)
        elif info.highestmodseq != state.highestmodseq:
            yield from self._resync_known(conn, folder, state)
        if info.uidnext > state.last_uid + 1:
            yield from self._fetch_new(conn, folder, state, now)
        state.highestmodseq = info.highestmodseq

    def _after_idle(self, conn: Conn, now: float) -> SyncGen:
        """IDLE pushed news on the selected INBOX (RFC 2177): DONE ends the IDLE and carries
        the untagged EXPUNGE/FETCH responses; new UIDs are then fetched (UID FETCH n:*).
        HIGHESTMODSEQ is left as it was, so the next full resync stays exact."""
        news = (yield conn.idle()).updates
        if news is not None:
            self._apply("INBOX", news.flags, news.expunged)
        if "INBOX" in self.announced:
            yield from self._fetch_new(conn, "INBOX", self.folders["INBOX"], now)

    def untagged(self, updates: Any) -> None:
        """Remember which selected mailbox announced new mail (EXISTS) with any reply; flag
        and expunge news outside IDLE waits for the next resync."""
        if updates.new and self.selected is not None:
            self.announced.add(self.selected)

    def _fetch_new(self, conn: Conn, folder: str, state: FolderState, now: float) -> SyncGen:
        """UID FETCH last+1:* and the bodies the cache keeps."""
        self.announced.discard(folder)
        rows = (yield conn.fetch_new(state.last_uid)).value
        for row in rows:
            yield from self._arrived(conn, folder, row, now)
        state.last_uid = max([state.last_uid, *(r.uid for r in rows)])

    def _resync_known(self, conn: Conn, folder: str, state: FolderState) -> SyncGen:
        """Base: FETCH FLAGS of all known; CONDSTORE: CHANGEDSINCE + SEARCH for expunges."""
        present: Any
        if self.resync == "base":
            rows = (yield conn.fetch_flags(self.where.uids(folder))).value
            present = {r.uid for r in rows}
        else:
            rows = (yield conn.fetch_flags(None, state.highestmodseq)).value
            present = (yield conn.search_all()).value
        self._apply(folder, rows, self.where.missing(folder, present))

    def _apply(self, folder: str, rows: list[Row], vanished: list[int]) -> None:
        for uid in vanished:
            key = self.where.at(folder, uid)
            if key is not None:
                self.where.drop(key)
                self.store.remove(key)
        for row in rows:
            key = self.where.at(folder, row.uid)
            if key is not None:
                self.store.update(key, flags=row.flags)

    def _arrived(self, conn: Conn, folder: str, row: Row, now: float) -> SyncGen:
        key = self.where.at(folder, row.uid)
        if key is not None:
            self.store.update(key, flags=row.flags)
            return
        msg = row.msg if row.msg is not None else Message(row.mid, row.size, row.date)
        body = self.cache.keeps(row.date, now) and self.store.room_for(row.size)
        if body:
            got = yield conn.fetch_body(row.uid, peek=True)
            body = got.ok
        key = self._key(row.mid)  # known only once stored: a drop during the fetch retries it
        self.where.set(key, folder, row.uid, row.mid)
        self.store.put(key, msg, folder, row.flags, body=body)

    def _renumber(self, conn: Conn, folder: str, info: Any, now: float) -> SyncGen:
        """UIDVALIDITY changed: fetch every UID with its envelope (UID FETCH 1:* (UID FLAGS
        RFC822.SIZE ENVELOPE)) and match the cache by Message-ID, keeping queued actions,
        local copies and bodies; an unanswered APPEND found there is done."""
        rows = (yield conn.fetch_new(0, headers=False)).value
        cached = self.where.cached(folder)
        for _, key, _ in cached:
            self.where.drop(key)
        unsent = self._unanswered_mids(folder)
        matching = match(cached + [(0, k, mid) for k, mid in unsent.items()], rows)
        queued = {a.key for a in self.queue if a.kind == "flag"}
        for key, row in matching.found:
            self.where.set(key, folder, row.uid, row.mid)
            if key not in queued:  # else the local flags are the person's, still to replay
                self.store.update(key, flags=row.flags)
        for key in matching.gone:
            if key not in unsent:  # an APPEND not found is sent again
                self.store.remove(key)  # expunged while the UIDs were lost (delete wins)
        self.folders[folder] = FolderState(info.uidvalidity, info.highestmodseq)
        for row in matching.new:
            yield from self._arrived(conn, folder, row, now)
        self.folders[folder].last_uid = max([0, *(r.uid for r in rows)])

    def _unanswered_mids(self, folder: str) -> dict[str, str]:
        """Key -> Message-ID of queued APPENDs to ``folder`` whose reply was lost."""
        return {a.key: a.msg.mid for a in self.queue if a.kind == "append" and a.arg == folder
                and a.key in self.unanswered and a.msg is not None}

    def _invalidate(self, folder: str) -> None:
        """UIDVALIDITY changed: drop the cache and the queued actions naming its UIDs,
        keeping queued APPENDs (rule 20)."""
        keys = self.where.in_folder(folder)  # in cache order: the wipe's records are too
        doomed = set(keys)
        self.queue = deque(a for a in self.queue if a.kind == "append" or a.key not in doomed)
        for key in keys:
            self.where.drop(key)
            self.store.remove(key)

    def open(self, conn: Conn, mid: str, now: float) -> SyncGen:
        """Fetch the body from the server to show it, with BODY.PEEK[] as K-9 does (and
        Thunderbird when marking read is delayed): a lost reply leaves the message unread on
        the server; the person's read then queues +FLAGS \\Seen like any flag change."""
        local = self.store.shown(mid)
        loc = self.where.get(local.key) if local else None
        if local is None or loc is None:
            return False
        yield from self._select(conn, loc[0], now)
        loc = self.where.get(local.key)
        if loc is None:
            return False
        got = yield conn.fetch_body(loc[1], peek=True)
        if got.ok and self.cache.mode != "none" and self.store.room_for(local.msg.size):
            self.store.update(local.key, body=True)
        return bool(got.ok)

    # -- what the person does ----------------------------------------------------------------
    def mark(self, mid: str, flag: str) -> bool:
        """Set here at once; +FLAGS on the server at the next sync (rule 19)."""
        local = self.store.shown(mid)
        if local is None:
            return False
        if flag not in local.flags:
            self.store.update(local.key, flags=local.flags | {flag})
            self.queue.append(Action("flag", local.key, "+", flag))
        return True

    def archive(self, mid: str) -> bool:
        """MOVE to Archive (shown there at once)."""
        local = self.store.shown(mid)
        if local is None or local.folder == "Archive":
            return local is not None
        self.store.update(local.key, folder="Archive")
        self.queue.append(Action("move", local.key, arg="Archive"))
        return True

    def delete(self, mid: str) -> bool:
        """MOVE to Trash, or \\Deleted + UID EXPUNGE, as set; gone from view at once."""
        local = self.store.shown(mid)
        if local is None:
            return False
        self.store.remove(local.key)
        if self.delete_mode == "trash":
            self.queue.append(Action("move", local.key, arg="Trash"))
        else:
            self.queue.append(Action("expunge", local.key))
        return True

    def send(self, msg: Message) -> None:
        """SMTP, then APPEND a copy to Sent (rule 14); shown in Sent at once."""
        key = self._key()
        self.store.put(key, msg, "Sent", frozenset({SEEN}), body=True)  # the outbox holds it
        self.outbox.append(msg)
        self.queue.append(Action("append", key, arg="Sent", msg=msg))


def _quiet(info: Any, state: FolderState, qresync: tuple[int, int] | None) -> bool:
    """Whether a SELECT reply says the folder has nothing new for the cache: the same
    UIDVALIDITY, no UID past the last fetched, and no flag change or expunge (none listed
    by QRESYNC, or an unchanged HIGHESTMODSEQ). Exact: ``_sync_folder`` would then issue no
    command and change nothing but HIGHESTMODSEQ (``_apply`` of empty lists is a no-op)."""
    if info.uidvalidity != state.uidvalidity or info.uidnext > state.last_uid + 1:
        return False
    if qresync is not None:
        return not (info.changed or info.vanished)
    return info.highestmodseq == state.highestmodseq
