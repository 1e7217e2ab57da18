"""IMAP client sync logic: caches, resync strategies and the RFC 4549 offline replay
(SEMANTICS rules 11, 14, 16, 18-20)."""

from __future__ import annotations

from simulator.clients.base import execute
from simulator.mail.message import Message
from simulator.mail.store import ANSWERED, DELETED, FLAGGED, SEEN
from simulator.testing.driver import Bench


def deliver(bench: Bench, *mids: str, size: int = 5_000) -> None:
    for mid in mids:
        bench.account.add("INBOX", Message(mid, size))


def server_flags(bench: Bench, mid: str, folder: str = "INBOX") -> frozenset[str]:
    [entry] = [e for e in bench.account.mailboxes[folder].entries.values() if e.msg.mid == mid]
    return entry.flags


def names(run: object) -> list[str]:
    return [c.name for c in run.commands]  # type: ignore[attr-defined]


def test_rule11_full_cache_downloads_with_peek_and_leaves_mail_unread() -> None:
    """Rule 11: caching bodies uses BODY.PEEK, so syncing does not mark mail read."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop", cache="full")
    bench.sync(laptop)
    assert laptop.store.has_body("m1")
    assert SEEN not in server_flags(bench, "m1")


def test_rule11_reading_online_peeks_at_the_body_then_stores_seen() -> None:
    """Rule 11: an online read of an uncached message is BODY.PEEK[] (Thunderbird, K-9);
    the person's read is then stored as +FLAGS (\\Seen) by the next sync, not by the fetch."""
    bench = Bench()
    deliver(bench, "m1")
    web = bench.client("imap", "web", cache="none")
    bench.sync(web)
    assert not web.store.has_body("m1")
    opened = bench.drive(web, web.open(_conn(), "m1", 0.0))
    assert opened.value is True
    assert [(c.name, c.kwargs) for c in opened.commands] == [
        ("select", {}), ("fetch_body", {"peek": True})]
    assert SEEN not in server_flags(bench, "m1"), "the fetch alone marks nothing read"
    assert web.read("m1")
    assert "store" in names(bench.sync(web, full=False))
    assert SEEN in server_flags(bench, "m1")
    assert not web.store.has_body("m1"), "cache none keeps no body afterwards"


def test_rule11_a_lost_reply_to_a_body_fetch_leaves_the_message_unread() -> None:
    """Rule 11: when the body never arrives the person has not read the message, so it stays
    unread on the server and on every other device (the lost-body-reply regression)."""
    bench = Bench()
    deliver(bench, "m1")
    phone = bench.client("imap", "phone", cache="headers")
    laptop = bench.client("imap", "laptop", cache="full")
    bench.sync(phone)
    opened = bench.drive(phone, phone.open(_conn(), "m1", 0.0), drop_after=2, reply_lost=True)
    assert names(opened) == ["select", "fetch_body"] and not opened.finished
    assert SEEN not in server_flags(bench, "m1")
    bench.sync(phone)
    bench.sync(laptop)
    assert SEEN not in phone.store.shown("m1").flags
    assert SEEN not in laptop.store.shown("m1").flags


def test_rule18_order_is_send_then_replay_then_server_to_client() -> None:
    """Rule 18: on reconnect the client sends queued mail, replays its actions in order,
    then fetches what changed on the server."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop")
    bench.sync(laptop)
    bench.drop(laptop)
    laptop.flag("m1")
    laptop.send(Message("s1", 2_000))
    deliver(bench, "m2")
    run = bench.sync(laptop)
    order = names(run)
    assert order.index("smtp_send") < order.index("store") < order.index("fetch_new")
    assert order.index("append") < order.index("fetch_new")
    assert FLAGGED in server_flags(bench, "m1")
    assert "m2" in laptop.store.mids()


def test_rule19_flags_from_two_devices_merge() -> None:
    """Rule 19: flags are replayed as +FLAGS, never FLAGS, so offline changes on two
    devices both survive."""
    bench = Bench()
    deliver(bench, "m1")
    laptop, phone = bench.client("imap", "laptop"), bench.client("imap", "phone")
    bench.sync(laptop)
    bench.sync(phone)
    bench.drop(laptop)
    bench.drop(phone)
    laptop.flag("m1")
    phone.answered("m1")
    run = bench.sync(laptop)
    bench.sync(phone)
    assert {FLAGGED, ANSWERED} <= server_flags(bench, "m1")
    assert all(c.args[1] == "+" for c in run.commands if c.name == "store")


def test_rule19_a_flag_on_a_message_expunged_elsewhere_is_dropped_delete_wins() -> None:
    """Rule 19: a queued flag change to a message another device expunged is dropped
    silently and the message does not come back."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop", delete="expunge")
    phone = bench.client("imap", "phone")
    bench.sync(laptop)
    bench.sync(phone)
    bench.drop(phone)
    phone.flag("m1")
    laptop.delete("m1")
    bench.sync(laptop)
    run = bench.sync(phone)
    assert run.finished
    assert bench.account.find("m1") == []
    assert "m1" not in phone.store.mids()


def test_rule19_offline_expunge_removes_only_this_clients_deleted_uids() -> None:
    """Rule 19: the client uses UID EXPUNGE of its own UIDs, so a message another session
    marked \\Deleted (but did not expunge) survives."""
    bench = Bench()
    deliver(bench, "m1", "m2")
    other = bench.imap.connect()
    other.login()
    other.select("INBOX")
    other.store([1], "+", [DELETED])
    laptop = bench.client("imap", "laptop", delete="expunge")
    bench.sync(laptop)
    laptop.delete("m2")
    bench.sync(laptop)
    assert [e.msg.mid for e in bench.account.mailboxes["INBOX"].entries.values()] == ["m1"]


def test_rule19_an_interrupted_replay_resumes_at_the_first_unacknowledged_action() -> None:
    """Rule 19: a replay cut off mid-way resumes where it stopped: every action lands once."""
    bench = Bench()
    deliver(bench, "m1", "m2", "m3")
    laptop = bench.client("imap", "laptop")
    bench.sync(laptop)
    bench.drop(laptop)
    laptop.flag("m1")
    laptop.archive("m2")
    laptop.flag("m3")
    first = bench.sync(laptop, drop_after=4)  # login, select, store(m1) | move(m2) ...
    assert not first.finished
    assert FLAGGED in server_flags(bench, "m1")
    bench.sync(laptop)
    assert [e.msg.mid for e in bench.account.mailboxes["Archive"].entries.values()] == ["m2"]
    assert FLAGGED in server_flags(bench, "m3")
    assert laptop.store.shown("m2").folder == "Archive"
    assert len(laptop.store.keys_of("m2")) == 1


def reset(bench: Bench) -> None:
    """Every mailbox renumbered under a new UIDVALIDITY (a restore from backup)."""
    for name in list(bench.account.mailboxes):
        bench.account.reset_uidvalidity(name)


def test_rule20_naive_recovery_empties_the_cache_fails_uid_actions_keeps_appends() -> None:
    """Rule 20 taken literally (``recovery: naive``): after a UIDVALIDITY change the cache
    is rebuilt, queued actions naming old UIDs are dropped, queued APPENDs still happen."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop", recovery="naive")
    bench.sync(laptop)
    bench.drop(laptop)
    laptop.flag("m1")
    laptop.send(Message("s1", 2_000))
    reset(bench)
    run = bench.sync(laptop)
    assert FLAGGED not in server_flags(bench, "m1"), "the person's flag is lost"
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert len(laptop.store.keys_of("m1")) == 1, "rebuilt, not duplicated"
    assert len(laptop.store.keys_of("s1")) == 1
    assert names(run).count("fetch_body") == 2, "m1 and s1 are downloaded again"


def test_rule20_careful_recovery_renumbers_the_cache_and_queued_actions_by_message_id() -> None:
    """Rule 20, the careful way (the default, as isync 1.4): the cached UIDs are matched
    to the new ones by Message-ID, so queued actions still land on their messages, the
    local copies keep their bodies and nothing is downloaded again."""
    bench = Bench()
    deliver(bench, "m1", "m2", "m3")
    laptop = bench.client("imap", "laptop")
    bench.sync(laptop)
    bench.drop(laptop)
    laptop.flag("m1")
    laptop.delete("m2")
    laptop.send(Message("s1", 2_000))
    keys = {mid: laptop.store.keys_of(mid) for mid in ("m1", "m3")}
    reset(bench)
    deliver(bench, "m4")
    run = bench.sync(laptop)
    assert FLAGGED in server_flags(bench, "m1")
    inbox = [e.msg.mid for e in bench.account.mailboxes["INBOX"].entries.values()]
    assert inbox == ["m1", "m3", "m4"]
    assert [e.msg.mid for e in bench.account.mailboxes["Trash"].entries.values()] == ["m2"]
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert {mid: laptop.store.keys_of(mid) for mid in ("m1", "m3")} == keys, "same copies"
    assert laptop.store.shown("m2") is None
    assert names(run).count("fetch_body") == 1, "only the new m4 is downloaded"


def test_rule20_careful_recovery_drops_copies_expunged_while_the_uids_were_lost() -> None:
    """A cached message that is not in the renumbered mailbox was expunged: it goes."""
    bench = Bench()
    deliver(bench, "m1", "m2")
    laptop = bench.client("imap", "laptop")
    bench.sync(laptop)
    bench.drop(laptop)
    bench.account.expunge("INBOX", [1], cause="test")
    reset(bench)
    bench.sync(laptop)
    assert laptop.store.shown("m1") is None
    assert laptop.store.shown("m2") is not None


def test_rule10_a_queued_action_naming_a_pre_reset_uid_never_acts_on_another_message() -> None:
    """After a renumbering, the UID the client knew for m2 names m3: neither recovery
    sends a command with the stale UID (careful flags m2 under its new UID, naive drops
    the flag), so m3 is never touched."""
    for recovery, m2_flagged in (("careful", True), ("naive", False)):
        bench = Bench()
        deliver(bench, "m1", "m2", "m3")
        laptop = bench.client("imap", "laptop", recovery=recovery)
        bench.sync(laptop)
        bench.drop(laptop)
        laptop.flag("m2")  # UID 2 for the laptop
        bench.account.expunge("INBOX", [1], cause="test")
        reset(bench)  # now m2 is UID 1 and m3 is UID 2
        assert bench.account.find("m3") == [("INBOX", 2)]
        bench.sync(laptop)
        assert FLAGGED not in server_flags(bench, "m3"), recovery
        assert (FLAGGED in server_flags(bench, "m2")) is m2_flagged, recovery


def test_rfc4549_careful_recovery_finds_an_append_whose_reply_was_lost() -> None:
    """RFC 4549 §4.3: the APPEND reached the server but its reply was lost; on the next
    session the careful client searches Sent by Message-ID, finds the copy and does not
    append it again."""
    bench = Bench()
    laptop = bench.client("imap", "laptop")
    laptop.send(Message("s1", 2_000))
    first = bench.sync(laptop, drop_after=3, reply_lost=True)  # login, smtp_send, append
    assert names(first)[-1] == "append" and not first.finished
    second = bench.sync(laptop)
    assert names(second)[:4] == ["login", "select", "search_message_id", "select"]
    assert "append" not in names(second)
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert len(laptop.store.keys_of("s1")) == 1


def test_rfc4549_careful_recovery_appends_when_the_search_finds_nothing() -> None:
    """The connection broke before the APPEND reached the server: the search finds no
    copy, so the message is appended, once."""
    bench = Bench()
    laptop = bench.client("imap", "laptop")
    laptop.send(Message("s1", 2_000))
    first = bench.sync(laptop, drop_after=2)  # login, smtp_send | the APPEND is never sent
    assert names(first) == ["login", "smtp_send"]
    second = bench.sync(laptop)
    assert names(second)[:4] == ["login", "select", "search_message_id", "append"]
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert len(laptop.store.keys_of("s1")) == 1


def test_rfc4549_naive_recovery_appends_again_after_a_lost_reply() -> None:
    """``recovery: naive`` sends the APPEND again: the server holds two copies."""
    bench = Bench()
    laptop = bench.client("imap", "laptop", recovery="naive")
    laptop.send(Message("s1", 2_000))
    bench.sync(laptop, drop_after=3, reply_lost=True)
    second = bench.sync(laptop)
    assert "search_message_id" not in names(second)
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1", "s1"]
    assert len(laptop.store.keys_of("s1")) == 2, "the device shows it twice"


def test_rfc4549_an_append_found_by_a_renumbering_is_not_searched_or_sent_again() -> None:
    """The APPEND's reply was lost and Sent was renumbered before the next session: the
    renumbering's Message-ID match already finds the copy."""
    bench = Bench()
    laptop = bench.client("imap", "laptop")
    bench.sync(laptop)
    bench.drop(laptop)
    laptop.send(Message("s1", 2_000))
    bench.sync(laptop, drop_after=3, reply_lost=True)
    reset(bench)
    second = bench.sync(laptop)
    assert "append" not in names(second) and "search_message_id" not in names(second)
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert len(laptop.store.keys_of("s1")) == 1


def test_rule14_sent_mail_is_appended_and_uses_quota_or_stays_local_when_over() -> None:
    """Rules 14/17: the copy in Sent is a second upload that counts against quota; over
    quota the APPEND fails and the only copy is on the device."""
    bench = Bench(quota=10_000)
    laptop = bench.client("imap", "laptop")
    laptop.send(Message("s1", 4_000))
    laptop.send(Message("s2", 8_000))
    bench.sync(laptop)
    assert bench.account.used == 4_000
    assert [e.msg.mid for e in bench.account.mailboxes["Sent"].entries.values()] == ["s1"]
    assert laptop.store.has_body("s2"), "kept on the device only"
    assert [m.mid for m in bench.submission.sent] == ["s1", "s2"], "both were sent"


def test_rule16_resync_costs_base_vs_condstore_vs_qresync() -> None:
    """Rule 16: with nothing changed, base re-fetches every cached flag, CONDSTORE fetches
    nothing, QRESYNC needs the SELECT alone."""
    runs = {}
    for mode in ("base", "condstore", "qresync"):
        bench = Bench()
        deliver(bench, "m1", "m2", "m3")
        laptop = bench.client("imap", "laptop", resync=mode)
        bench.sync(laptop)
        bench.drop(laptop)
        other = bench.imap.connect()
        other.login()
        other.select("INBOX")
        other.store([1], "+", [FLAGGED])  # one change by someone else
        runs[mode] = names(bench.sync(laptop))
        assert FLAGGED in laptop.store.shown("m1").flags, mode
    assert runs["base"].count("fetch_flags") == 1
    assert "fetch_flags" in runs["condstore"] and "search_all" in runs["condstore"]
    assert "fetch_flags" not in runs["qresync"] and "search_all" not in runs["qresync"]
    assert len(runs["qresync"]) < len(runs["condstore"]) < len(runs["base"]) + 2


def test_rfc2177_an_idling_client_back_in_inbox_resyncs_what_changed_while_away() -> None:
    """RFC 2177/6851: IDLE reports only what changes while INBOX is selected, and a new
    SELECT reports nothing earlier. A MOVE to Archive made by another device while a full
    sync had Sent selected is found when the client comes back to INBOX to idle: the
    message is shown once, in Archive, not also in INBOX until the next poll (dup.yaml)."""
    for mode in ("base", "condstore", "qresync"):
        bench = Bench()
        deliver(bench, "m1", "m2")
        laptop = bench.client("imap", "laptop", idle=True, resync=mode)
        bench.sync(laptop)
        session = bench.session_for(laptop)
        gen = laptop.sync(_conn(), 0.0, False, True)
        cmd, sent = next(gen), []
        while True:
            if (cmd.name, cmd.args[:1]) == ("select", ("Sent",)):
                other = bench.imap.connect()
                other.login()
                other.select("INBOX")
                other.move([1], "Archive")  # m1, while the laptop looks at Sent
                deliver(bench, "m3")
            sent.append(cmd.name)
            reply = execute(cmd, session, bench.submission, "imap")
            if reply.updates:
                laptop.untagged(reply.updates)
            try:
                cmd = gen.send(reply)
            except StopIteration:
                break
        assert laptop.store.shown("m1").folder == "Archive", mode
        copies = [laptop.store.msgs[k] for k in laptop.store.keys_of("m1")]
        assert [m.folder for m in copies if m.visible] == ["Archive"], mode
        assert "m3" in laptop.store.mids(), f"{mode}: new mail while away is fetched too"
        assert laptop.selected == "INBOX", "it idles in INBOX again"


def test_rfc2177_coming_back_to_an_unchanged_inbox_costs_the_select_alone() -> None:
    """When INBOX did not change while other folders were synced, the idling client's way
    back to it is one SELECT, as before."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop", idle=True)
    bench.sync(laptop)
    assert names(bench.sync(laptop))[-1:] == ["select"]
    assert names(bench.sync(laptop)).count("select") == 4  # INBOX, Sent, Archive, INBOX


def _conn() -> object:
    from simulator.clients.base import Conn

    return Conn()


def test_a_folder_with_no_news_costs_its_select_only_and_news_still_arrives() -> None:
    """A resync of folders where nothing changed sends one SELECT per folder and nothing
    else, in every resync mode (the quiet-folder shortcut); a flag change, an expunge or a
    new message in one of them is still picked up by the next sync."""
    for mode in ("base", "condstore", "qresync"):
        bench = Bench()
        deliver(bench, "m1", "m2")
        laptop = bench.client("imap", "laptop", resync=mode)
        bench.sync(laptop)
        again = bench.sync(laptop, now=60.0)
        assert set(names(again)) == {"select"}, mode
        bench.account.set_flags("INBOX", 1, frozenset({FLAGGED}))
        bench.account.expunge("INBOX", [2], cause="test")
        bench.sync(laptop, now=120.0)
        assert FLAGGED in laptop.store.shown("m1").flags, mode
        assert laptop.store.shown("m2") is None, mode
        deliver(bench, "m3")
        bench.sync(laptop, now=150.0)
        assert laptop.store.shown("m3") is not None, mode
        assert set(names(bench.sync(laptop, now=180.0))) == {"select"}, mode


def test_a_synced_copy_keeps_the_stored_message_itself_not_an_equal_copy() -> None:
    """The model's server reports the stored (immutable) message with each new row, and the
    client keeps that object: one per message however many devices hold it, equal in every
    field to what the FETCH reported."""
    bench = Bench()
    deliver(bench, "m1")
    laptop = bench.client("imap", "laptop", cache="full")
    phone = bench.client("imap", "phone", cache="headers")
    bench.sync(laptop)
    bench.sync(phone)
    [entry] = bench.account.mailboxes["INBOX"].entries.values()
    [key] = laptop.store.keys_of("m1")
    [other] = phone.store.keys_of("m1")
    assert laptop.store.msgs[key].msg is entry.msg is phone.store.msgs[other].msg


def test_a_synced_message_is_kept_under_its_message_id_unless_that_key_is_taken() -> None:
    """A message fetched from the server is kept under its own Message-ID (no second string
    per message); a second copy of it (here: the person's Archive copy, from another device)
    gets a numbered key, as does a sent copy, and so does a message whose Message-ID a key
    still in use names (a queued action of a copy gone meanwhile)."""
    bench = Bench()
    deliver(bench, "m1@x", "m2@x")
    laptop = bench.client("imap", "laptop", cache="full")
    bench.sync(laptop)
    assert laptop.store.keys_of("m1@x") == ["m1@x"] and laptop.store.keys_of("m2@x") == ["m2@x"]
    box = bench.account.mailboxes["INBOX"]
    uid = next(e.uid for e in box.entries.values() if e.msg.mid == "m1@x")
    bench.account.add("Archive", box.entries[uid].msg, stored=box.entries[uid].stored)
    bench.sync(laptop)
    keys = laptop.store.keys_of("m1@x")
    assert keys[0] == "m1@x" and len(keys) == 2 and keys[1].startswith("L")
    laptop.send(Message("s1@x", 2_000))
    assert laptop.store.keys_of("s1@x")[0].startswith("L")
    assert laptop.flag("m2@x")  # queued under the key m2@x ...
    bench.account.expunge("INBOX", [e.uid for e in box.entries.values() if e.msg.mid == "m2@x"],
                          "test")
    laptop.store.remove("m2@x")  # ... whose copy then goes, the action still queued
    assert not laptop._free("m2@x")
    assert laptop._key("m2@x").startswith("L")
