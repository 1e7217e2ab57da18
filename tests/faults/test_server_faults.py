"""Server-side faults: a UIDVALIDITY reset (a restore from backup, SEMANTICS 5, 10, 20) and
retention (the server deletes old mail)."""

from __future__ import annotations

from simulator.runs import Results
from tests.faults.helpers import HOUR, device, go, of, scenario, shown_at_end

FIVE = "  - {at: 10h, deliver: {to: ann, count: 5, size: 50KB}}"
RESET = "  - {at: 1d, server: uidvalidity-reset}"
MIDS = {f"e36000-{i}@ann" for i in range(1, 6)}


def test_after_a_uidvalidity_reset_pop3_downloads_everything_again() -> None:
    """Dovecot's UIDLs derive from UIDVALIDITY: a POP3 client that leaves mail on the
    server sees five new UIDLs and downloads the same five messages again — each shown
    twice, and the witnesses say why."""
    phone = device("phone", "pop3", "{leave_on_server: true, poll: 15m}")
    results = go(scenario(phone, events=f"{FIVE}\n{RESET}"))
    assert shown_at_end(results, "ann/phone") == dict.fromkeys(MIDS, 2)
    consistency = results.summary["consistency"]
    assert consistency["anomalies"]["duplicate"] == 5
    for witness in consistency["anomaly_witnesses"]["duplicate"]:
        assert "the server reset UIDVALIDITY 1d 00:00" in witness["story"]
        assert "ann/phone shows it 2 times" in witness["story"]
    assert results.summary["faults"]["uidvalidity_resets"] == 1
    assert results.valid


def test_after_a_uidvalidity_reset_a_careful_imap_client_keeps_its_cache() -> None:
    """The careful client (the default) matches its cache to the new UIDs by Message-ID:
    the device keeps showing every message, once, and downloads no body again."""
    laptop = device("laptop", "imap", "{cache: full, idle: true, poll: 10m}")
    results = go(scenario(laptop, events=f"{FIVE}\n{RESET}", quiet="1d"))
    assert shown_at_end(results, "ann/laptop") == dict.fromkeys(MIDS, 1)
    assert [e for e in of(results, "view") if e.device == "ann/laptop" and e.t >= 86_400] == []
    down_after = sum(e.down for e in of(results, "traffic")
                     if e.device == "ann/laptop" and 86_400 <= e.t < 86_400 + HOUR)
    assert down_after < 50_000, "five 50 KB bodies are not downloaded again"
    assert results.summary["consistency"]["final_agreement"] == 1.0


def test_after_a_uidvalidity_reset_a_naive_imap_client_rebuilds_its_cache() -> None:
    """``recovery: naive`` drops its cache for the mailbox and fetches it again: every
    message once, and the device ends as the person expects."""
    laptop = device("laptop", "imap", "{cache: full, idle: true, poll: 10m, recovery: naive}")
    results = go(scenario(laptop, events=f"{FIVE}\n{RESET}", quiet="1d"))
    assert shown_at_end(results, "ann/laptop") == dict.fromkeys(MIDS, 1)
    refetched = [e for e in of(results, "view") if e.device == "ann/laptop" and e.t >= 86_400]
    assert {e.mid for e in refetched if e.shown} == MIDS
    consistency = results.summary["consistency"]
    assert consistency["anomalies"]["duplicate"] == 0
    assert consistency["final_agreement"] == 1.0


def _retention(retention: str) -> Results:
    """An IMAP laptop keeping everything for ten days, with the given server retention."""
    laptop = device("laptop", "imap", "{cache: full, idle: true, poll: 10m}")
    server = f"  retention: {retention}" if retention else ""
    return go(scenario(laptop, days=10, receive="50/d", server=server))


def test_retention_keeps_server_storage_bounded() -> None:
    """With a 2-day retention (swept daily) the server holds at most about three days of
    mail, while without it the mailbox grows for all ten days. Under IMAP the deleted mail
    is gone from the devices too: it counts as lost, caused by retention."""
    kept = _retention("2d")
    grown = _retention("")
    day_of_mail = 50 * 50_000
    assert kept.summary["server_storage"]["peak_bytes"] < 4.5 * day_of_mail
    assert grown.summary["server_storage"]["final_bytes"] > 8 * day_of_mail
    assert kept.summary["server_storage"]["peak_bytes"] < (
        0.5 * grown.summary["server_storage"]["peak_bytes"])
    durability = kept.summary["durability"]
    assert durability["lost"] > 0
    assert set(durability["lost_by_cause"]) == {"retention"}
    assert "server retention deleted it" in durability["lost_examples"][0]["story"]
    assert grown.summary["durability"]["lost"] == 0


def test_retention_sweeps_once_a_day() -> None:
    """Retention deletions happen at whole days after the start."""
    expunged = [e.t for e in of(_retention("2d"), "store")
                if e.change == "expunge" and e.cause == "retention"]
    assert expunged and all(t % (24 * HOUR) == 0 for t in expunged)
