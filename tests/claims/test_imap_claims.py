"""The source document's IMAP claims (I1–I10), the guide's reasons to choose IMAP
(G4–G7), the related article on server storage (R1) and the ports (T1–T3), each asserted
in its direction with a margin on the claim scenarios."""

from __future__ import annotations

from collections.abc import Callable

from simulator.analysis.finding import Finding
from simulator.mail.connect import port

Get = Callable[[str], Finding]


def test_i3_i4_i5_g4_g5_imap_keeps_devices_in_step(finding: Get) -> None:
    """Two devices under IMAP agree at least 95% and leave no change unpropagated; POP3
    leaves more than 50 changes that never reach the other device."""
    x = finding("I3, I4, I5, G4, G5").numbers
    assert x["agreement"]["imap"] >= 0.95
    assert x["unpropagated changes"]["imap"] == 0
    assert x["unpropagated changes"]["pop3"] > 50


def test_i1_i6_headers_first_lists_new_mail_sooner_but_opens_slower(finding: Get) -> None:
    """I1, I6 hold partly: on a slow link, header-only IMAP lists 90% of new mail in at
    most half POP3's time, a full-cache IMAP client is no faster than POP3 (at least 80% of
    its time), and opening a message under header-only IMAP waits over a second."""
    o = finding("I1, I6")
    p90, fetch = o.numbers["time to visible, p90"], o.numbers["wait to open a message, p50"]
    assert p90["imap-light"] <= 0.5 * p90["pop3"]
    assert p90["imap"] >= 0.8 * p90["pop3"]
    assert fetch["imap-light"] > 1.0
    assert o.status == "holds partly"


def test_i2_i7_g6_device_storage_depends_on_the_cache(finding: Get) -> None:
    """I2, I7, G6 hold partly: a cache-less IMAP client keeps at most a tenth of what POP3
    (keep a copy) keeps, but a full-cache IMAP client keeps at least half as much, and
    caching headers only keeps less than a full cache."""
    peak = finding("I2, I7, G6").numbers["device storage peak"]
    assert peak["imap-online"] <= 0.1 * peak["pop3-keep"]
    assert peak["imap"] >= 0.5 * peak["pop3-keep"]
    assert peak["imap-light"] < peak["imap"]


def test_i8_a_full_imap_mailbox_bounces_mail(finding: Get) -> None:
    """I8: with 30 MB of quota and ~12 MB of mail a day, IMAP bounces more than ten
    messages and spends time full; POP3 bounces none."""
    x = finding("I8").numbers
    assert x["bounced (over quota)"]["imap"] > 10
    assert x["time the account was full"]["imap"] > 0
    assert x["bounced (over quota)"]["pop3"] == 0


def test_i9_only_a_cacheless_imap_client_keeps_no_local_copy(finding: Get) -> None:
    """I9 holds partly: a full-cache IMAP client keeps at least as much as POP3 on the
    device; a cache-less one keeps at most a tenth of it."""
    o = finding("I9")
    peak = o.numbers["device storage peak"]
    assert peak["imap"] >= peak["pop3"]
    assert peak["imap-online"] <= 0.1 * peak["pop3"]
    assert o.status == "holds partly"


def test_i10_imap_needs_a_connection_only_without_a_cache(finding: Get) -> None:
    """I10 holds partly: cache-less IMAP reads at most 5% offline, full-cache IMAP at
    least 95%."""
    off = finding("I10").numbers["offline availability"]
    assert off["imap-online"] <= 0.05
    assert off["imap"] >= 0.95


def test_g7_imap_mail_survives_a_device_failure(finding: Get) -> None:
    """G7: after the only device is wiped, IMAP (with or without cache) loses nothing."""
    lost = finding("G7").numbers["messages lost"]
    assert lost["imap"] == 0 and lost["imap-online"] == 0
    assert lost["pop3"] > 0


def test_r1_client_deletes_keep_filling_the_server_and_retention_frees_it(
        finding: Get) -> None:
    """R1 holds partly: deleting to Trash leaves at least 1.5× the server storage of
    expunging deletes; one-day retention brings it to at most 60% of that, but removes
    mail the person meant to keep."""
    o = finding("R1")
    final, lost = o.numbers["server storage at the end"], o.numbers["messages lost"]
    trash = final["imap, delete to Trash"]
    assert trash >= 1.5 * final["imap, delete expunges"]
    assert final["imap, Trash + 1-day retention"] <= 0.6 * trash
    assert lost["imap, Trash + 1-day retention"] > 0
    assert lost["imap, delete to Trash"] == 0


def test_t1_t2_ports_and_plaintext_logins(finding: Get) -> None:
    """T1, T2: the ports are 110/995 (POP3) and 143/993 (IMAP); without TLS every login
    is in clear, with implicit TLS none is."""
    assert (port("pop3", "none"), port("pop3", "implicit")) == (110, 995)
    assert (port("imap", "none"), port("imap", "implicit")) == (143, 993)
    share = finding("T1, T2").numbers["plaintext logins per connection"]
    assert share["pop3, no TLS"] == 1.0 and share["imap, no TLS"] == 1.0
    assert share["pop3, implicit TLS"] == 0.0 and share["imap, implicit TLS"] == 0.0
