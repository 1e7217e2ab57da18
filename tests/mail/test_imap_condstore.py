"""Rule 16: CONDSTORE MODSEQs and HIGHESTMODSEQ, QRESYNC SELECT, and what each resync
strategy costs: base (all flags), CONDSTORE (only changes), QRESYNC (one round trip)
(RFC 4549 §4.3.1, §6.1; RFC 7162 §3.1, §3.2)."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.store import DELETED, FLAGGED, SEEN, Account

from .conftest import deliver, imap_select


def hms(account: Account, folder: str = "INBOX") -> int:
    """The mailbox's HIGHESTMODSEQ."""
    return account.mailboxes[folder].highestmodseq


def test_rule16_every_real_change_raises_modseq(account: Account) -> None:
    """Rule 16: adding, flagging and expunging each raise HIGHESTMODSEQ."""
    start = hms(account)
    [uid] = deliver(account, "m1")
    added = hms(account)
    account.set_flags("INBOX", uid, frozenset({SEEN}))
    flagged = hms(account)
    account.expunge("INBOX", [uid], cause="test")
    assert start < added < flagged < hms(account)


def test_rule16_a_change_that_changes_nothing_keeps_modseq(account: Account) -> None:
    """Rule 16: setting the flags a message already has is not a change."""
    [uid] = deliver(account, "m1")
    account.set_flags("INBOX", uid, frozenset({SEEN}))
    before = (hms(account), account.mailboxes["INBOX"].entries[uid].modseq)
    assert not account.set_flags("INBOX", uid, frozenset({SEEN}))
    assert (hms(account), account.mailboxes["INBOX"].entries[uid].modseq) == before


def test_rule16_a_message_modseq_is_its_last_change(account: Account) -> None:
    """Rule 16: a message's MODSEQ is the HIGHESTMODSEQ its last change produced."""
    deliver(account, "m1", "m2")
    account.set_flags("INBOX", 1, frozenset({FLAGGED}))
    entries = account.mailboxes["INBOX"].entries
    assert entries[1].modseq == hms(account) > entries[2].modseq


def test_rule16_changedsince_returns_only_changed_messages(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16 (CONDSTORE): FETCH FLAGS (CHANGEDSINCE m) lists changes only, cheaply."""
    deliver(account, *[f"m{i}" for i in range(10)])
    session = imap_select(server)
    since = hms(account)
    session.store([3], "+", [SEEN])
    full, changed = session.fetch_flags(), session.fetch_flags(changedsince=since)
    assert [r.uid for r in changed.value] == [3]
    assert changed.cost.down < full.cost.down


def test_rule16_condstore_sees_an_unchanged_mailbox_from_select_alone(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16 (CONDSTORE): an unchanged HIGHESTMODSEQ at SELECT means nothing to fetch."""
    deliver(account, "m1", "m2")
    session = imap_select(server)
    remembered = session.select("INBOX").value.highestmodseq
    session.fetch_body(1, peek=True)
    session.noop()
    assert session.select("INBOX").value.highestmodseq == remembered


def test_rule16_base_resync_cost_grows_with_the_mailbox(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16 (base): fetching every cached message's flags costs bytes per message."""
    deliver(account, "a")
    small = imap_select(server).fetch_flags().cost.down
    deliver(account, *[f"m{i}" for i in range(20)])
    large = imap_select(server).fetch_flags().cost.down
    assert large - small == 20 * imap.FLAG_ROW_BYTES


def test_rule16_base_resync_finds_expunges_by_omission(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16 (base): an expunged UID is simply absent from FETCH 1:* (FLAGS)."""
    deliver(account, "m1", "m2", "m3")
    account.expunge("INBOX", [2], cause="elsewhere")
    assert [r.uid for r in imap_select(server).fetch_flags().value] == [1, 3]


def test_rule16_qresync_select_reports_vanished_and_changed_in_one_round_trip(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16 (QRESYNC): SELECT with (UIDVALIDITY, MODSEQ) returns all news at once."""
    deliver(account, "m1", "m2", "m3")
    validity, since = account.mailboxes["INBOX"].uidvalidity, hms(account)
    other = imap_select(server)
    other.store([1], "+", [SEEN])
    other.store([2], "+", [DELETED])
    other.expunge()
    deliver(account, "m4")
    session = server.connect()
    session.login()
    reply = session.select("INBOX", qresync=(validity, since))
    assert reply.cost.round_trips == 1
    assert reply.value.vanished == [2]
    assert [(r.uid, r.flags) for r in reply.value.changed] == [(1, {SEEN}), (4, frozenset())]


def test_rule16_qresync_with_an_old_uidvalidity_reports_nothing(
    account: Account, server: imap.ImapServer
) -> None:
    """Rule 16: QRESYNC against a different UIDVALIDITY gives no delta: a full resync is due."""
    deliver(account, "m1")
    old = account.mailboxes["INBOX"].uidvalidity
    account.reset_uidvalidity("INBOX")
    session = server.connect()
    session.login()
    info = session.select("INBOX", qresync=(old, 1)).value
    assert info.uidvalidity != old and info.vanished == [] and info.changed == []
