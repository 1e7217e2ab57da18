"""Rule 6: TOP n k gives the headers plus k body lines; "headers only" clients use it."""

from __future__ import annotations

from simulator.mail import pop3
from simulator.mail.message import HEADER_BYTES, LINE
from simulator.mail.store import Account

from .conftest import deliver, flags_of, pop3_login


def test_rule6_top_zero_moves_only_the_header_block(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 6: TOP n 0 costs the header block, not the message."""
    deliver(account, "m1", size=50_000)
    reply = pop3_login(maildrop).top(1, 0)
    assert reply.ok and reply.value.mid == "m1"
    assert reply.cost.down == LINE + HEADER_BYTES


def test_rule6_top_costs_grow_with_lines_up_to_the_message(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 6: more body lines cost more, never more than the whole message."""
    deliver(account, "m1", size=3_000)
    session = pop3_login(maildrop)
    downs = [session.top(1, k).cost.down for k in (0, 5, 1_000)]
    assert downs[0] < downs[1] < downs[2] == LINE + 3_000


def test_rule6_top_does_not_mark_the_message_seen(
    account: Account, maildrop: pop3.Maildrop
) -> None:
    """Rule 6: TOP is a peek: no \\Seen, even with Dovecot's \\Seen after RETR."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.top(1, 10)
    session.quit()
    assert flags_of(account, "m1") == frozenset()


def test_rule6_top_of_a_marked_message_fails(account: Account, maildrop: pop3.Maildrop) -> None:
    """Rule 6: TOP of a message marked for deletion is an error (RFC 1939 §7)."""
    deliver(account, "m1")
    session = pop3_login(maildrop)
    session.dele(1)
    assert not session.top(1, 0).ok
