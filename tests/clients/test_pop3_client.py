"""POP3 client settings as real clients offer them (SEMANTICS rules 5, 7, 8; claims P1-P4)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.clients.base import Conn, SyncGen
from simulator.clients.pop3 import Pop3Client
from simulator.mail.message import Message
from simulator.mail.store import FLAGGED
from simulator.testing.driver import Bench

DAY = 86_400.0


def inbox_mids(bench: Bench) -> list[str]:
    return [e.msg.mid for e in bench.account.mailboxes["INBOX"].entries.values()]


def inbox_uids(bench: Bench) -> list[int]:
    return list(bench.account.mailboxes["INBOX"].entries)


def deliver(bench: Bench, *mids: str) -> None:
    for mid in mids:
        bench.account.add("INBOX", Message(mid, 5_000))


def test_p1_p2_default_downloads_everything_and_deletes_it_from_the_server() -> None:
    """Claims P1/P2: without leave-on-server, a sync downloads all new mail, then DELE+QUIT."""
    bench = Bench()
    deliver(bench, "m1", "m2")
    phone = bench.client("pop3", "phone")
    bench.sync(phone)
    assert sorted(phone.store.mids()) == ["m1", "m2"]
    assert inbox_mids(bench) == []


def test_rule5_leave_on_server_downloads_each_message_once() -> None:
    """Rule 5: UIDL bookkeeping means a second sync downloads nothing and deletes nothing."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("pop3", "laptop", leave_on_server=True)
    bench.sync(laptop)
    second = bench.sync(laptop)
    assert [c.name for c in second.commands] == ["login", "uidl", "list", "quit"]
    assert inbox_mids(bench) == ["m1"]
    assert len(laptop.store.msgs) == 1


def test_rule8_delete_after_counts_from_this_devices_download() -> None:
    """Rule 8: "delete after N days" counts from this device's download, applied at its
    next session, not from delivery."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("pop3", "laptop", leave_on_server=True, delete_after=14 * DAY)
    bench.sync(laptop, now=10 * DAY)
    bench.sync(laptop, now=23 * DAY)
    assert inbox_mids(bench) == ["m1"], "13 days after download: still on the server"
    bench.sync(laptop, now=24 * DAY)
    assert inbox_mids(bench) == []


def test_rule8_earliest_deletion_wins_for_every_device() -> None:
    """Rule 8: with several devices, the first device to delete removes it for all of them."""
    bench = Bench()
    deliver(bench, "m1")
    keep = bench.client("pop3", "laptop", leave_on_server=True)
    eager = bench.client("pop3", "phone")
    bench.sync(eager)
    bench.sync(keep)
    assert "m1" not in keep.store.mids()


def test_rule8_delete_when_deleted_locally_sends_dele_next_session() -> None:
    """Rule 8: deleting locally with that option set removes the server copy next session."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("pop3", "laptop", leave_on_server=True,
                          delete_when_deleted_locally=True)
    bench.sync(laptop)
    assert laptop.delete("m1")
    assert inbox_mids(bench) == ["m1"], "nothing reaches the server before the next session"
    bench.sync(laptop)
    assert inbox_mids(bench) == []


def test_rule7_flags_folders_and_sent_mail_stay_on_the_device() -> None:
    """Rule 7 / claim P4: a flag, an archive move and sent mail never reach the server."""
    bench = Bench()
    deliver(bench, "m1", "m2")
    laptop = bench.client("pop3", "laptop", leave_on_server=True)
    bench.sync(laptop)
    laptop.flag("m1")
    laptop.archive("m2")
    laptop.send(Message("s1", 3_000))
    bench.sync(laptop)
    entries = list(bench.account.mailboxes["INBOX"].entries.values())
    assert all(FLAGGED not in e.flags for e in entries)
    assert sorted(e.msg.mid for e in entries) == ["m1", "m2"]
    assert bench.account.mailboxes["Sent"].entries == {}
    assert bench.submission.sent[0].mid == "s1", "it was sent by SMTP"
    assert laptop.store.shown("s1").folder == "Sent"


def test_rule3_a_drop_before_quit_deletes_nothing_and_the_next_sync_finishes_the_job() -> None:
    """Rule 3: DELE without QUIT removes nothing; the client, which kept the mail, deletes
    it at its next complete session."""
    bench = Bench(pop3_lock=False)
    deliver(bench, "m1", "m2")
    phone = bench.client("pop3", "phone")
    run = bench.sync(phone, drop_after=6)  # login uidl list retr dele retr | dele quit
    assert not run.finished
    assert sorted(inbox_mids(bench)) == ["m1", "m2"]
    bench.sync(phone)
    assert inbox_mids(bench) == []
    assert sorted(phone.store.mids()) == ["m1", "m2"], "no message was downloaded twice"
    assert all(len(phone.store.keys_of(mid)) == 1 for mid in phone.store.mids())


def test_rule4_a_locked_maildrop_makes_the_second_client_skip_this_round() -> None:
    """Rule 4: while one session holds the lock, another client's login gets IN-USE and it
    downloads nothing this time."""
    bench = Bench(pop3_lock=True)
    deliver(bench, "m1")
    holder = bench.maildrop.open()
    assert holder.login().ok
    phone = bench.client("pop3", "phone")
    run = bench.sync(phone)
    assert run.value is False
    assert phone.store.msgs == {}


def test_rule5_a_uidvalidity_reset_makes_pop3_download_everything_again() -> None:
    """Rule 5: Dovecot's UIDL derives from UID and UIDVALIDITY, so after a reset a
    leave-on-server client downloads every message a second time (a duplicate)."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("pop3", "laptop", leave_on_server=True)
    bench.sync(laptop)
    bench.account.reset_uidvalidity("INBOX")
    bench.sync(laptop)
    assert len(laptop.store.keys_of("m1")) == 2


class PlainPop3(Pop3Client):
    """Rule 8 as it reads: every listed message tested, the sizes and the listing's UIDLs
    looked up in full (the built-in client skips what cannot be due)."""

    def sync(self, conn: Conn, now: float, fresh: bool, full: bool = True) -> SyncGen:
        while self.outbox:
            yield conn.smtp_send(self.outbox[0])
            self.outbox.pop(0)
        if not (yield conn.login()).ok:
            yield conn.quit()
            return False
        uidls = (yield conn.uidl()).value
        sizes = dict((yield conn.list()).value)
        doomed: set[str] = set()
        for n, uidl in uidls:
            fetched = self.known.get(uidl)
            if fetched is None:
                if not self.store.room_for(sizes[n]):
                    continue
                got = yield conn.retr(n)
                if not got.ok:
                    continue
                self.store.put(self.key_for(uidl), got.value, "INBOX", frozenset(), body=True)
                fetched = self.known[uidl] = now
            due = self.delete_after is not None and now - fetched >= self.delete_after
            deleted = self.delete_deleted and uidl in self.deleted_here
            if (not self.leave or due or deleted) and (yield conn.dele(n)).ok:
                doomed.add(uidl)
        yield conn.quit()
        self._forget(doomed | (self.known.keys() - dict(uidls).values()))
        return True


SETTINGS = st.fixed_dictionaries({
    "leave_on_server": st.booleans(),
    "delete_after": st.sampled_from([None, 0.0, 0.4 * DAY, DAY, 3 * DAY]),
    "delete_when_deleted_locally": st.booleans(),
})
ROUNDS = st.lists(st.tuples(
    st.sampled_from([0.0, 0.2 * DAY, 0.5 * DAY, DAY]),  # the wait before the round
    st.integers(0, 3),  # messages delivered
    st.sampled_from(["", "", "other", "expunge", "delete", "reset"]),  # then this happens
    st.integers(0, 20)), max_size=12)


@settings(max_examples=300, deadline=None)
@given(SETTINGS, SETTINGS, ROUNDS)
def test_rule8_the_clients_shortcuts_send_what_the_plain_rule_sends(
        mine: dict[str, object], other: dict[str, object],
        rounds: list[tuple[float, int, str, int]]) -> None:
    """Rule 8, the client's shortcuts (no age test while the oldest download is younger
    than the setting, sizes read only for a new message, the listing searched for vanished
    UIDLs only when one is missing): the same commands, the same local mail and the same
    bookkeeping as the rule tested message by message, round after round of deliveries
    and syncs, beside another device and a server that deletes and renumbers."""
    runs = []
    for cls in (Pop3Client, PlainPop3):
        bench, now, seen = Bench(), 0.0, []
        device = bench.client(cls, "laptop", **mine)
        nearby = bench.client("pop3", "phone", **other)
        for n, (wait, count, event, pick) in enumerate(rounds):
            now += wait
            deliver(bench, *(f"m{n}.{k}" for k in range(count)))
            uids, held = inbox_uids(bench), sorted(device.store.mids())
            if event == "other":
                bench.sync(nearby, now=now)
            elif event == "expunge" and uids:
                bench.account.expunge("INBOX", [uids[pick % len(uids)]], cause="test")
            elif event == "delete" and held:
                device.delete(held[pick % len(held)])
            elif event == "reset":
                bench.account.reset_uidvalidity("INBOX")
            seen.append([(c.name, c.args) for c in bench.sync(device, now=now).commands])
        runs.append((seen, dict(device.known), set(device.deleted_here),
                     sorted(device.store.mids()), inbox_mids(bench)))
    assert runs[0] == runs[1]
