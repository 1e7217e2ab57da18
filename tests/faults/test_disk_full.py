"""A device whose disk is full (its `storage` limit): clients stop downloading bodies, so
mail cannot be read offline, and POP3 leaves what it could not take on the server."""

from __future__ import annotations

from simulator.runs import Results
from tests.faults.helpers import device, go, on_server, scenario

HABITS = "{check_every: 30m, delete: 0, archive: 0, flag: 0, reply: 0}"
LAPTOP = "{cache: full, idle: true, poll: 10m}"
OFFICE_HOURS = 'online: {weekly: "Mon-Sun 09:00-12:00"}'


def _imap(storage: str) -> Results:
    """A laptop online only three hours a day; the person checks mail all day."""
    laptop = device("laptop", "imap", LAPTOP, extra=f"storage: {storage}, {OFFICE_HOURS}")
    return go(scenario(laptop, days=4, receive="40/d", habits=HABITS))


def test_a_full_disk_makes_offline_availability_fall() -> None:
    """With room for a few bodies only, most mail is listed but unreadable offline; with
    room to spare every offline read succeeds."""
    roomy = _imap("1GB").summary["offline_availability"]
    full = _imap("300KB").summary["offline_availability"]
    assert roomy["attempts"] > 0 and roomy["ratio"] == 1.0
    assert full["attempts"] > 20 and full["ratio"] < 0.3


def test_a_full_disk_keeps_device_bodies_within_the_limit() -> None:
    """Bodies stop at the limit; only headers of the rest are kept."""
    results = _imap("300KB")
    peak = results.summary["device_storage"]["per_device"]["ann/laptop"]["peak_bytes"]
    bodies = 300_000
    headers = 40 * 4 * 2_000  # every message's headers, generously
    assert peak <= bodies + headers


def test_pop3_with_a_full_disk_leaves_the_rest_on_the_server() -> None:
    """A POP3 phone without leave-on-server deletes only what it downloaded; what did not
    fit stays on the server instead of being lost."""
    phone = device("phone", "pop3", "{leave_on_server: false, poll: 15m}",
                   extra="storage: 200KB")
    results = go(scenario(phone, days=2, receive="30/d"))
    kept = on_server(results)
    assert len(kept) > 30
    assert results.summary["durability"]["lost"] == 0
    assert results.valid
