"""The source document's POP3 claims (P1–P9) and the guide's reasons to choose POP3
(G1–G3), each asserted in its direction with a margin on the claim scenarios."""

from __future__ import annotations

from collections.abc import Callable

from simulator.analysis.finding import Finding

Get = Callable[[str], Finding]


def test_p1_p2_pop3_downloads_everything_and_empties_the_server(finding: Get) -> None:
    """P1, P2: all new mail reaches a device; by default nothing stays on the server,
    while 'keep a copy' (pop3-keep) leaves it there."""
    x = finding("P1, P2").numbers
    assert x["delivered mail downloaded"]["pop3"] >= 0.95
    server = x["server storage at the end"]
    assert server["pop3"] <= 0.05 * server["pop3-keep"]


def test_p3_p9_pop3_splits_the_mailbox_between_devices(finding: Get) -> None:
    """P3, P9: with two devices POP3 shows each person a different mailbox on each device
    (agreement at most 70%, with or without 'keep a copy'), most mail ends up on one
    device only; IMAP keeps the devices at least 95% in agreement."""
    x = finding("P3, P9").numbers
    agree, alone = x["agreement"], x["on one device only, per delivered message"]
    assert agree["pop3"] <= 0.7 and agree["pop3-keep"] <= 0.7
    assert agree["imap"] >= 0.95
    assert alone["pop3"] >= 0.5 and alone["imap"] == 0


def test_p4_pop3_sent_mail_stays_on_the_sending_device(finding: Get) -> None:
    """P4: at most 5% of POP3 users' sent mail reaches the server; IMAP stores at least
    95% of it in the server's Sent folder."""
    share = finding("P4").numbers["sent mail stored on the server"]
    assert share["pop3"] <= 0.05
    assert share["imap"] >= 0.95


def test_p5_pop3_mail_is_readable_offline(finding: Get) -> None:
    """P5: on a laptop that is offline outside office hours, at least 95% of offline reads
    succeed under POP3, over at least ten attempts."""
    o = finding("P5")
    assert o.numbers["offline availability"]["pop3"] >= 0.95
    assert o.numbers["offline read attempts"]["pop3"] >= 10
    assert o.status == "holds"


def test_g2_offline_reading_is_not_a_pop3_advantage_over_a_full_cache(finding: Get) -> None:
    """G2 holds only partly: a full-cache IMAP client reads offline as well as POP3 (both
    at least 95%); header-only and cache-less IMAP read at most 5% offline."""
    o = finding("G2")
    off = o.numbers["offline availability"]
    assert off["pop3"] >= 0.95 and off["imap"] >= 0.95
    assert off["imap-light"] <= 0.05 and off["imap-online"] <= 0.05
    assert o.status == "holds partly"


def test_g1_a_single_device_loses_nothing_under_pop3(finding: Get) -> None:
    """G1: with one device, POP3's agreement is within 2 points of IMAP's."""
    agree = finding("G1").numbers["agreement"]
    assert abs(agree["pop3"] - agree["imap"]) <= 0.02


def test_p6_g3_pop3_keeps_the_server_nearly_empty(finding: Get) -> None:
    """P6, G3: under a 30 MB quota, POP3's account peaks at most at a fifth of IMAP's and
    bounces nothing."""
    x = finding("P6, G3").numbers
    peak, bounced = x["account peak on the server"], x["bounced (over quota)"]
    assert peak["pop3"] <= 0.2 * peak["imap"]
    assert bounced["pop3"] == 0


def test_p7_the_pop3_copy_is_the_only_copy(finding: Get) -> None:
    """P7 holds only partly: when the only device is wiped, POP3 loses at least 20
    messages for good; 'keep a copy' loses fewer (only sent mail); IMAP loses none."""
    o = finding("P7")
    lost = o.numbers["messages lost"]
    assert lost["pop3"] >= 20
    assert lost["pop3-keep"] < lost["pop3"]
    assert lost["imap"] == 0
    assert o.status == "holds partly"


def test_p8_pop3_files_several_accounts_into_one_inbox(finding: Get) -> None:
    """P8: a laptop syncing a work account and a private account on another server files
    all of both accounts' new mail into its one local Inbox under POP3 (with or without
    'keep a copy'); under IMAP each account keeps its own Inbox, the busiest holding at
    most 90% of the new mail."""
    o = finding("P8")
    merged = o.numbers["new mail in the device's busiest Inbox"]
    inboxes = o.numbers["Inboxes new mail went to, per device"]
    assert merged["pop3"] >= 0.99 and merged["pop3-keep"] >= 0.99
    assert inboxes["pop3"] == 1 and inboxes["pop3-keep"] == 1
    assert inboxes["imap"] == 2 and merged["imap"] <= 0.9
    assert o.status == "holds"
