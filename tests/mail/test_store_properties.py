"""Store invariants under random operations (hypothesis): the guarantees rules 10, 16, 17 and
22 rest on.

- UIDs strictly increase and are never reused per (mailbox, UIDVALIDITY), whatever mix of
  add, expunge, flag, copy, move and UIDVALIDITY reset happens;
- MODSEQ strictly rises on each real change and never on a non-change;
- ``account.used`` always equals the sum of the stored sizes;
- a copy keeps its source's store stamp unless the target already holds that stamp, and a
  UIDVALIDITY reset numbers a folder in store-stamp order (Dovecot's Maildir, rule 10);
- a QRESYNC SELECT (VANISHED + changed since m) applied to a client copy taken at m
  reproduces the server's mailbox.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from simulator.mail import imap
from simulator.mail.message import Message
from simulator.mail.store import FOLDERS, SYSTEM_FLAGS, Account, OverQuota, StoreEvent

FOLDER = st.sampled_from(FOLDERS)
FLAGSETS = st.frozensets(st.sampled_from(sorted(SYSTEM_FLAGS)), max_size=3)
SIZES = st.integers(1, 5_000)


class StoreMachine(RuleBasedStateMachine):
    """Random store operations, with the invariants checked after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.account = Account("user", quota=60_000)
        self.server = imap.ImapServer(self.account)
        self.issued: dict[tuple[str, int], list[int]] = {}  # (box, validity) -> UIDs in order
        self.account.listeners.append(self._record)
        self.last_hms = {f: self.account.mailboxes[f].highestmodseq for f in FOLDERS}
        self.count = 0

    def _record(self, account: Account, event: StoreEvent) -> None:
        """Remember every UID issued per (mailbox, UIDVALIDITY), in order."""
        if event.kind in ("add", "uidvalidity"):
            self.issued.setdefault((event.mailbox, event.uidvalidity), []).append(event.uid)

    def _uid(self, folder: str, index: int) -> int | None:
        """An existing UID of ``folder`` picked by ``index``, or None if it is empty."""
        uids = list(self.account.mailboxes[folder].entries)
        return uids[index % len(uids)] if uids else None

    def _session(self, folder: str) -> imap.Session:
        """An IMAP session with ``folder`` selected (COPY and MOVE are session commands)."""
        session = self.server.connect()
        session.login()
        session.select(folder)
        return session

    @rule(folder=FOLDER, size=SIZES, flags=FLAGSETS)
    def add(self, folder: str, size: int, flags: frozenset[str]) -> None:
        """Deliver or append a message: MODSEQ rises, unless the quota refuses it."""
        self.count += 1
        box = self.account.mailboxes[folder]
        before = box.highestmodseq
        try:
            entry = self.account.add(folder, Message(f"m{self.count}", size), flags)
        except OverQuota:
            assert box.highestmodseq == before
        else:
            assert entry.modseq == box.highestmodseq > before

    @rule(folder=FOLDER, index=st.integers(0, 50))
    def expunge(self, folder: str, index: int) -> None:
        """Expunge a message: MODSEQ rises and the UID is gone."""
        uid = self._uid(folder, index)
        if uid is not None:
            box = self.account.mailboxes[folder]
            before = box.highestmodseq
            self.account.expunge(folder, [uid], cause="test")
            assert box.highestmodseq > before and uid not in box.entries

    @rule(folder=FOLDER, index=st.integers(0, 50), flags=FLAGSETS)
    def flag(self, folder: str, index: int, flags: frozenset[str]) -> None:
        """Set flags: MODSEQ rises exactly when the flags really change."""
        uid = self._uid(folder, index)
        if uid is None:
            return
        box = self.account.mailboxes[folder]
        before, entry = box.highestmodseq, box.entries[uid]
        unchanged = entry.flags == flags
        changed = self.account.set_flags(folder, uid, flags)
        assert changed != unchanged
        if changed:
            assert entry.modseq == box.highestmodseq > before
        else:
            assert box.highestmodseq == before

    @rule(src=FOLDER, dest=FOLDER, index=st.integers(0, 50), move=st.booleans())
    def copy_or_move(self, src: str, dest: str, index: int, move: bool) -> None:
        """COPY or MOVE one message to any folder (possibly the same one)."""
        uid = self._uid(src, index)
        if uid is None:
            return
        stamp = self.account.mailboxes[src].entries[uid].stored
        held = any(e.stored == stamp for e in self.account.mailboxes[dest].entries.values())
        session = self._session(src)
        reply = (session.move if move else session.copy)([uid], dest)
        if reply.ok:
            [new_uid] = reply.value.values()
            copied = self.account.mailboxes[dest].entries[new_uid].stored
            assert (copied != stamp) if held else (copied == stamp)

    @precondition(lambda self: self.count > 0)
    @rule(folder=FOLDER)
    def reset(self, folder: str) -> None:
        """Renumber a folder under a new UIDVALIDITY: UID order becomes store-stamp order."""
        before = sorted(
            (e.stored, e.msg, e.flags) for e in self.account.mailboxes[folder].entries.values()
        )
        box = self.account.reset_uidvalidity(folder)
        after = [
            (e.stored, e.msg, e.flags) for e in sorted(box.entries.values(), key=lambda e: e.uid)
        ]
        assert after == before
        self.last_hms[folder] = 0

    @invariant()
    def uids_strictly_increase_and_are_never_reused(self) -> None:
        """Rule 10: per (mailbox, UIDVALIDITY) the issued UIDs are strictly increasing."""
        for (folder, validity), uids in self.issued.items():
            assert uids == sorted(set(uids)), (folder, validity, uids)
            box = self.account.mailboxes[folder]
            if box.uidvalidity == validity:
                assert box.uidnext > max(uids)

    @invariant()
    def stamps_are_unique_per_folder_and_indexed_exactly(self) -> None:
        """No two messages of a folder share a store stamp (two files cannot share a name),
        and the folder's incremental stamp index equals the stamps of its entries."""
        for box in self.account.mailboxes.values():
            stamps = [e.stored for e in box.entries.values()]
            assert len(stamps) == len(set(stamps)) and all(stamps)
            assert all(box.holds_stamp(t) for t in stamps)
            held = {t for t in range(8 * len(box._stamps)) if box.holds_stamp(t)}
            assert held == set(stamps)

    @invariant()
    def highestmodseq_never_falls(self) -> None:
        """Rule 16: within one UIDVALIDITY HIGHESTMODSEQ only grows and bounds every MODSEQ."""
        for folder in FOLDERS:
            box = self.account.mailboxes[folder]
            assert box.highestmodseq >= self.last_hms[folder]
            assert all(e.modseq <= box.highestmodseq for e in box.entries.values())
            self.last_hms[folder] = box.highestmodseq

    @invariant()
    def used_is_the_sum_of_stored_sizes(self) -> None:
        """Rules 17/22: the quota counter equals the bytes actually stored, \\Deleted included."""
        stored = sum(box.bytes for box in self.account.mailboxes.values())
        assert self.account.used == stored
        assert self.account.quota is None or stored <= self.account.quota


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = settings(max_examples=150, stateful_step_count=40, deadline=None)


OPS = st.lists(
    st.tuples(st.sampled_from(["add", "expunge", "flag", "move"]), st.integers(0, 20), FLAGSETS),
    max_size=30,
)


def apply(account: Account, ops: list[tuple[str, int, frozenset[str]]], start: int) -> None:
    """Apply random INBOX operations (numbered mids from ``start``)."""
    session = imap.ImapServer(account).connect()
    session.login()
    session.select("INBOX")
    for n, (op, index, flags) in enumerate(ops, start):
        uids = list(account.mailboxes["INBOX"].entries)
        uid = uids[index % len(uids)] if uids else None
        if op == "add" or uid is None:
            account.add("INBOX", Message(f"m{n}", 100), flags)
        elif op == "expunge":
            account.expunge("INBOX", [uid], cause="test")
        elif op == "flag":
            account.set_flags("INBOX", uid, flags)
        else:
            session.move([uid], "Archive")


@settings(max_examples=200, deadline=None)
@given(before=OPS, after=OPS)
def test_rule16_qresync_delta_applied_to_an_old_copy_reproduces_the_server(
    before: list, after: list
) -> None:
    """Rule 16: copy the mailbox at MODSEQ m, change it, SELECT (QRESYNC (v m)), apply the
    VANISHED UIDs and changed rows to the copy: the copy equals the server's mailbox."""
    account = Account("user")
    apply(account, before, 0)
    box = account.mailboxes["INBOX"]
    copy = {uid: e.flags for uid, e in box.entries.items()}
    known = (box.uidvalidity, box.highestmodseq)
    apply(account, after, len(before))
    session = imap.ImapServer(account).connect()
    session.login()
    info = session.select("INBOX", qresync=known).value
    for uid in info.vanished:
        copy.pop(uid, None)
    copy.update({r.uid: r.flags for r in info.changed})
    assert copy == {uid: e.flags for uid, e in box.entries.items()}
