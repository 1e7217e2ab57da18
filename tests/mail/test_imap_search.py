"""UID SEARCH HEADER Message-ID (RFC 3501 §6.4.4): how a careful client finds a message it
may have stored already, e.g. an APPEND whose reply was lost (RFC 4549 §4.3)."""

from __future__ import annotations

from simulator.mail import imap
from simulator.mail.message import LINE
from simulator.mail.store import Account

from .conftest import deliver, imap_select


def test_search_message_id_finds_every_copy_in_the_selected_mailbox_only(
    account: Account, server: imap.ImapServer
) -> None:
    """Only the selected mailbox is searched; every copy there is found, in UID order."""
    deliver(account, "s1", "s2", "s1", folder="Sent")
    deliver(account, "s1")
    session = imap_select(server, "Sent")
    assert session.search_message_id("s1").value == [1, 3]
    assert session.search_message_id("nothing@here").value == []


def test_search_message_id_costs_one_round_trip_and_a_line_per_uid(
    account: Account, server: imap.ImapServer
) -> None:
    """The command names the Message-ID going up; the reply lists the UIDs coming down."""
    deliver(account, "s1@ann", folder="Sent")
    session = imap_select(server, "Sent")
    cost = session.search_message_id("s1@ann").cost
    assert cost.round_trips == 1
    assert cost.up == LINE + imap.SEARCH_HEADER_BYTES + len("s1@ann")
    assert cost.down == LINE + 8
