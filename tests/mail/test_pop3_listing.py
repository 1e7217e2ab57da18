"""The maildrop's incremental listing (UIDL and size per message, kept from login to login)
always equals the listing computed afresh from the INBOX, whatever happened in between:
deliveries, POP3 DELE+QUIT, IMAP-side expunges and moves, flag changes, UIDVALIDITY resets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.mail import pop3
from simulator.mail.message import Message
from simulator.mail.store import SEEN, Account

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("deliver"), st.integers(1, 3)),
        st.tuples(st.just("expunge"), st.integers(0, 20)),
        st.tuples(st.just("move"), st.integers(0, 20)),
        st.tuples(st.just("flag"), st.integers(0, 20)),
        st.tuples(st.just("reset"), st.just(0)),
        st.tuples(st.just("pop3"), st.integers(0, 20)),
        st.tuples(st.just("other-box"), st.integers(1, 2)),
    ),
    max_size=40,
)


def straightforward(session: pop3.Session) -> tuple[list[tuple[int, str]], list[tuple[int, int]]]:
    """UIDL and LIST rows computed message by message from the login snapshot."""
    live = [(n, e) for n, e in enumerate(session.snapshot, 1) if n not in session.marked]
    return ([(n, pop3.uidl_of(session.uidvalidity, e.uid)) for n, e in live],
            [(n, e.msg.size) for n, e in live])


def check_session(drop: pop3.Maildrop, dele: int) -> None:
    """Log in, compare the listings (before and after a DELE), then QUIT."""
    session = drop.open()
    assert session.login().ok
    uidls, sizes = straightforward(session)
    assert session.uidl().value == uidls
    assert session.list().value == sizes
    assert session.stat().value == (len(sizes), sum(s for _, s in sizes))
    if session.snapshot:
        session.dele(1 + dele % len(session.snapshot))
        uidls, sizes = straightforward(session)
        assert session.uidl().value == uidls
        assert session.list().value == sizes
        assert session.stat().value == (len(sizes), sum(s for _, s in sizes))
    session.quit()


def nth_uid(account: Account, i: int) -> int | None:
    """The UID of the i-th INBOX message (modulo their number), if any."""
    uids = list(account.mailboxes["INBOX"].entries)
    return uids[i % len(uids)] if uids else None


@settings(max_examples=150, deadline=None)
@given(OPS)
def test_incremental_listing_equals_the_straightforward_one(ops: list[tuple[str, int]]) -> None:
    """After any sequence of store operations a POP3 login lists exactly the INBOX's
    messages, each with Dovecot's UIDL and its size, as a message-by-message pass would."""
    account = Account("user")
    drop = pop3.Maildrop(account, lock=True)
    sent = 0
    for op, arg in ops:
        uid = nth_uid(account, arg)
        if op == "deliver":
            for _ in range(arg):
                sent += 1
                account.add("INBOX", Message(f"m{sent}", 100 + sent), cause="deliver")
        elif op == "expunge" and uid is not None:
            account.expunge("INBOX", [uid], cause="imap-expunge")
        elif op == "move" and uid is not None:
            entry = account.mailboxes["INBOX"].entries[uid]
            account.add("Archive", entry.msg, entry.flags, cause="move")
            account.expunge("INBOX", [uid], cause="move")
        elif op == "flag" and uid is not None:
            account.set_flags("INBOX", uid, frozenset({SEEN}))
        elif op == "reset":
            account.reset_uidvalidity("INBOX")
        elif op == "other-box":
            for _ in range(arg):
                sent += 1
                account.add("Sent", Message(f"m{sent}", 100 + sent), cause="append")
        else:
            check_session(drop, arg)
    check_session(drop, 0)
    box = account.mailboxes["INBOX"]
    drop.listing.update(box)
    listing, validity = drop.listing, box.uidvalidity
    assert list(listing.uids) == list(box.entries)
    assert listing.uidls == [pop3.uidl_of(validity, u) for u in box.entries]
    assert list(listing.sizes) == [e.msg.size for e in box.entries.values()]
