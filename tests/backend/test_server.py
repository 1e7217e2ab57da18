"""The Dovecot backend's server: the mirror Account is written only from what Dovecot
reports, external programs reach an account through ``access`` and their changes enter
the history through ``observe``, and nothing of a run is left behind."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import simpy

from simulator.backend import DovecotServer
from simulator.backend.install import Installation
from simulator.mail.imap import ImapServer
from simulator.mail.message import Message
from simulator.mail.pop3 import uidl_of
from simulator.mail.store import Account
from simulator.observe.history import History
from simulator.scenario import ServerConfig

pytestmark = [pytest.mark.dovecot, pytest.mark.usefixtures("dovecot")]


def server(**config: object) -> tuple[DovecotServer, History]:
    """A Dovecot server with one account, ann, and the history it writes."""
    history = History()
    env = simpy.Environment()
    srv = DovecotServer(env, ServerConfig(backend="dovecot", **config), history)
    srv.add_account("ann", 0)
    return srv, history


def stores(history: History) -> list[tuple[str, str, int, str, str]]:
    """The store events: (change, mailbox, uid, mid, cause)."""
    return [(e.change, e.mailbox, e.uid, e.mid, e.cause) for e in history.events
            if type(e).__name__ == "StoreChange"]


def test_delivery_reaches_the_mirror_with_dovecots_uid() -> None:
    """A message delivered through dovecot-lda is in the mirror Account under the UID
    Dovecot gave it, recorded as a delivery, with its model size and date."""
    srv, history = server()
    try:
        assert srv.attempt("ann", Message("m1@ann", 5_000, 12.5), 0.0) == "delivered"
        entry = srv.accounts["ann"].mailboxes["INBOX"].entries[1]
        assert entry.msg == Message("m1@ann", 5_000, 12.5)
        assert stores(history) == [("add", "INBOX", 1, "m1@ann", "deliver")]
        assert srv.accounts["ann"].used == 5_000
    finally:
        srv.close()


def test_over_quota_delivery_bounces_as_dovecot_decides() -> None:
    """Over quota, dovecot-lda bounces (552) and nothing reaches the mirror."""
    srv, history = server(quota=10_000)
    try:
        assert srv.attempt("ann", Message("m1@ann", 8_000), 0.0) == "delivered"
        assert srv.attempt("ann", Message("m2@ann", 8_000), 0.0) == "bounced"
        assert [e for e in stores(history) if e[3] == "m2@ann"] == []
    finally:
        srv.close()


def test_over_quota_delivery_is_deferred_when_dovecot_tempfails() -> None:
    """With ``over_quota: defer`` Dovecot answers a temporary failure (quota_full_tempfail)
    and the sender will try again: a ``defer`` in the history, nothing stored."""
    srv, history = server(quota=10_000, over_quota="defer")
    try:
        assert srv.attempt("ann", Message("m1@ann", 8_000), 0.0) == "delivered"
        assert srv.attempt("ann", Message("m2@ann", 8_000), 0.0) == "deferred"
        assert [type(e).__name__ for e in history.events if getattr(e, "mid", "") == "m2@ann"] \
            == ["Deferred"]
    finally:
        srv.close()


def test_access_and_observe_for_external_programs() -> None:
    """A program started from ``access(user)`` talks to that account's Dovecot; what it
    changes enters the history through ``observe`` with the cause and device given."""
    srv, history = server()
    try:
        srv.attempt("ann", Message("m1@ann", 3_000), 0.0)
        heard: list[tuple[str, str, str]] = []
        srv.watchers.append(lambda user, e: heard.append((e.kind, e.mid, e.by)))
        access = srv.access("ann")
        script = b"a SELECT INBOX\r\nb UID STORE 1 +FLAGS (\\Flagged)\r\nc LOGOUT\r\n"
        done = subprocess.run(access.imap, input=script, env=dict(access.env),
                              capture_output=True, timeout=30, check=True)
        assert b"b OK" in done.stdout
        srv.observe("ann", "sync", "ann/laptop")
        assert heard == [("flags", "m1@ann", "ann/laptop")]
        assert stores(history)[-1] == ("flags", "INBOX", 1, "m1@ann", "")
        assert srv.accounts["ann"].mailboxes["INBOX"].entries[1].flags == {"\\Flagged"}
    finally:
        srv.close()


def test_uidvalidity_reset_renumbers_the_mirror_deterministically() -> None:
    """After a reset Dovecot renumbers every folder; the mirror gets the model's next
    UIDVALIDITY (not Dovecot's clock-based one) and the same messages."""
    srv, history = server()
    try:
        srv.attempt("ann", Message("m1@ann", 3_000), 0.0)
        before = srv.accounts["ann"].mailboxes["INBOX"].uidvalidity
        srv.reset_uidvalidity()
        box = srv.accounts["ann"].mailboxes["INBOX"]
        assert box.uidvalidity not in (before, srv.mirrors["ann"].validity["INBOX"])
        assert box.uidvalidity < 1_000_000  # the model's numbering
        assert [e.msg.mid for e in box.entries.values()] == ["m1@ann"]
        assert ("uidvalidity", "INBOX", 1, "m1@ann", "") in stores(history)
    finally:
        srv.close()


def test_pop3_uidls_use_the_mirrors_uidvalidity() -> None:
    """POP3 UIDLs carry the mirror's UIDVALIDITY, so they are the model's UIDLs."""
    srv, _ = server()
    try:
        srv.attempt("ann", Message("m1@ann", 3_000), 0.0)
        session = srv.open("ann", "pop3", "ann/phone")
        assert session.login().ok
        validity = srv.accounts["ann"].mailboxes["INBOX"].uidvalidity
        assert session.uidl().value == [(1, uidl_of(validity, 1))]
        assert session.retr(1).value == Message("m1@ann", 3_000)
        assert session.dele(1).ok
        assert session.quit().value == [1]
        assert srv.accounts["ann"].mailboxes["INBOX"].entries == {}
    finally:
        srv.close()


def test_dovecot_itself_refuses_a_second_pop3_session_while_one_holds_the_lock() -> None:
    """The adapter's IN-USE shortcut is Dovecot's own answer: with pop3_lock_session a
    second process is refused while the first is logged in (after Dovecot's 10 s wait)."""
    install = Installation(None, False, True)
    try:
        install.add_user("ann")
        first = install.pop3("ann")
        assert first.command("NOOP")[0]
        second = install.pop3("ann")
        second.pipe.timeout = 30
        ok, status, _ = second.command("NOOP")
        assert not ok and "[IN-USE]" in status
    finally:
        install.shutdown()


def test_the_scratch_folder_is_removed_and_the_log_returned() -> None:
    """Closing the server ends its processes, removes its scratch folder and gives back
    Dovecot's log."""
    srv, _ = server()
    root = srv.install.root
    srv.attempt("ann", Message("m1@ann", 3_000), 0.0)
    log = srv.close()
    assert not Path(root).exists()
    assert "saved mail to INBOX" in log


def test_a_built_in_clients_move_goes_over_the_wire_and_is_mirrored_as_a_move() -> None:
    """An IMAP session's UID MOVE runs on Dovecot (COPYUID mapping back), the mirror
    records the add to the target before the expunge from the source, both as a move by
    the device, and the bytes are never counted twice (as in the model's MOVE)."""
    srv, history = server()
    try:
        srv.attempt("ann", Message("m1@ann", 3_000), 0.0)
        session = srv.open("ann", "imap", "ann/laptop")
        assert session.login().ok
        info = session.select("INBOX").value
        assert (info.exists, info.uidnext) == (1, 2)
        assert info.uidvalidity == srv.accounts["ann"].mailboxes["INBOX"].uidvalidity
        assert [r.mid for r in session.fetch_new(0).value] == ["m1@ann"]
        assert session.move([1], "Archive").value == {1: 1}
        assert stores(history)[-2:] == [("add", "Archive", 1, "m1@ann", "move"),
                                        ("expunge", "INBOX", 1, "m1@ann", "move")]
        used = [e.used for e in history.events if type(e).__name__ == "ServerBytes"]
        assert max(used) == 3_000
        assert session.logout().ok
    finally:
        srv.close()


def expunged_meanwhile(add: Callable[[str], object], connect: Callable[[str], Any]) -> list[Any]:
    """Session a SELECTs INBOX, session b expunges two new messages, then a asks for flags:
    first CONDSTORE-style (CHANGEDSINCE), then base-style (the UIDs it knows)."""
    a, b = connect("a"), connect("b")
    a.login()
    b.login()
    replies = []
    for first in (1, 3):
        add(f"m{first}@ann")
        add(f"m{first + 1}@ann")
        since = a.select("INBOX").value.highestmodseq
        b.select("INBOX")
        b.store([first, first + 1], "+", ["\\Deleted"])
        b.uid_expunge([first, first + 1])
        replies.append(a.fetch_flags(None, since - 1) if first == 1 else a.fetch_flags([3, 4]))
    return replies


def test_dovecot_answers_from_the_sessions_view_before_its_news() -> None:
    """Pinned difference (docs/fidelity.md, scenario-level differential): mail expunged by
    another session after this one's SELECT is still reported by this session's next
    ``UID FETCH ... (FLAGS)`` on Dovecot, the expunges announced in the same reply; the
    model brings the session up to date first and reports no rows. Both are legal (RFC
    3501 §5.2, §7); on Dovecot the client pays a flag row more per message, and a base
    resync, which takes the rows for the messages still there, keeps them one sync longer."""
    model = Account("ann")
    srv, _ = server()
    try:
        on_model = expunged_meanwhile(
            lambda mid: model.add("INBOX", Message(mid, 3_000), cause="deliver"),
            lambda by: ImapServer(model).connect(by))
        on_dovecot = expunged_meanwhile(
            lambda mid: srv.attempt("ann", Message(mid, 3_000), 0.0),
            lambda by: srv.open("ann", "imap", by))
    finally:
        srv.close()
    assert [[r.uid for r in reply.value] for reply in on_model] == [[], []]
    assert [[r.uid for r in reply.value] for reply in on_dovecot] == [[1, 2], [3, 4]]
    assert [r.updates.expunged for r in on_model + on_dovecot] == [[1, 2], [3, 4]] * 2
    assert on_dovecot[0].cost.down - on_model[0].cost.down == 2 * 60


def appended_meanwhile(add: Callable[[str], object], connect: Callable[[str], Any]) -> Any:
    """Session a SELECTs Sent, session b APPENDs to it, then a asks what changed since."""
    add("s1@ann")
    a, b = connect("a"), connect("b")
    a.login()
    b.login()
    since = a.select("Sent").value.highestmodseq
    b.append("Sent", Message("s2@ann", 3_000), frozenset({"\\Seen"}))
    return a.fetch_flags(None, since - 1)


def test_dovecot_leaves_mail_appended_meanwhile_out_of_the_views_answer() -> None:
    """The same pinned difference the other way (found in small-office.yaml, one day): a
    message APPENDed by another device after this session's SELECT is a row of the model's
    ``UID FETCH 1:* (FLAGS) (CHANGEDSINCE m)`` (up to date first), not of Dovecot's (the
    session's view; EXISTS comes with the reply), so Dovecot's answer is a row shorter."""
    model = Account("ann")
    srv, _ = server()
    try:
        on_model = appended_meanwhile(
            lambda mid: model.add("Sent", Message(mid, 3_000), cause="append"),
            lambda by: ImapServer(model).connect(by))
        first = srv.open("ann", "imap", "x")
        on_dovecot = appended_meanwhile(
            lambda mid: (first.login(), first.append("Sent", Message(mid, 3_000))),
            lambda by: srv.open("ann", "imap", by))
    finally:
        srv.close()
    assert [r.uid for r in on_model.value] == [1, 2]
    assert [r.uid for r in on_dovecot.value] == [1]
    assert [r.mid for r in on_dovecot.updates.new] == ["s2@ann"]
    assert on_model.cost.down - on_dovecot.cost.down == 60
