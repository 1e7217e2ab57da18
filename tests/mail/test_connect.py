"""Rule 23: round trips before a mailbox is open (RFC 8314). Implicit TLS 1.3 ≈ 5 counting
login and SELECT, TLS 1.2 one more, STARTTLS 2-3 more, plaintext fewer but flagged."""

from __future__ import annotations

import pytest

from simulator.mail import imap, pop3
from simulator.mail.connect import connect_cost, plaintext_login, port
from simulator.mail.message import Message
from simulator.mail.store import Account


def imap_open_round_trips(tls: str, version: str = "1.3") -> int:
    """Round trips from SYN to an IMAP mailbox selected: connect + LOGIN + SELECT."""
    session = imap.ImapServer(Account("user")).connect()
    rest = session.login().cost + session.select("INBOX").cost
    return (connect_cost("imap", tls, version) + rest).round_trips


def pop3_open_round_trips(tls: str, version: str = "1.3") -> int:
    """Round trips from SYN to a POP3 session in TRANSACTION: connect + USER/PASS."""
    session = pop3.Maildrop(Account("user")).open()
    return (connect_cost("pop3", tls, version) + session.login().cost).round_trips


def test_rule23_implicit_tls13_opens_a_mailbox_in_five_round_trips() -> None:
    """Rule 23: TCP 1 + TLS 1.3 1 + greeting 1 + LOGIN 1 + SELECT 1 = 5 on port 993."""
    assert imap_open_round_trips("implicit") == 5
    assert port("imap", "implicit") == 993


def test_rule23_tls12_costs_one_more_round_trip() -> None:
    """Rule 23: TLS 1.2's handshake takes two round trips, one more than TLS 1.3."""
    assert imap_open_round_trips("implicit", "1.2") == imap_open_round_trips("implicit") + 1


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_rule23_starttls_adds_two_to_three_round_trips(protocol: str) -> None:
    """Rule 23: STARTTLS on 143/110 adds 2-3 round trips to implicit TLS."""
    opened = imap_open_round_trips if protocol == "imap" else pop3_open_round_trips
    extra = opened("starttls") - opened("implicit")
    assert 2 <= extra <= 3
    assert port(protocol, "starttls") == {"imap": 143, "pop3": 110}[protocol]


@pytest.mark.parametrize("protocol", ["imap", "pop3"])
def test_rule23_plaintext_saves_the_tls_round_trips_but_is_flagged(protocol: str) -> None:
    """Rule 23: without TLS there are fewer round trips and fewer bytes, and the login is
    reported as a password sent in clear."""
    opened = imap_open_round_trips if protocol == "imap" else pop3_open_round_trips
    assert opened("none") == opened("implicit") - 1
    assert connect_cost(protocol, "none").down < connect_cost(protocol, "implicit").down
    assert plaintext_login("none") and not plaintext_login("implicit")
    assert not plaintext_login("starttls")


def test_rule23_pop3_over_implicit_tls_is_ready_after_about_five_round_trips() -> None:
    """Rule 23: POP3S (995): TCP + TLS 1.3 + greeting + USER + PASS ≈ 5 before STAT."""
    assert pop3_open_round_trips("implicit") == 5
    assert port("pop3", "implicit") == 995


def test_rule23_pop3_download_adds_stat_uidl_one_retr_per_message_and_quit() -> None:
    """Rule 23: a POP3 download costs STAT, UIDL, one RETR per message and QUIT."""
    account = Account("user")
    for i in range(3):
        account.add("INBOX", Message(f"m{i}", 10_000))
    session = pop3.Maildrop(account).open()
    session.login()
    replies = [session.stat(), session.uidl(), *(session.retr(n) for n in (1, 2, 3))]
    replies.append(session.quit())
    assert sum(r.cost.round_trips for r in replies) == 2 + 3 + 1
    assert sum(r.cost.down for r in replies) >= 30_000
