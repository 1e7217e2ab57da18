"""Who did it: a change to the server names the device whose session made it. Removals
are attributed to that device (``expunged_by``), the server's own removals to nobody, and
IDLE news of a change reaches every other idling device but not the one that made it."""

from __future__ import annotations

from simulator.mail.store import StoreEvent
from simulator.world.world import World
from tests.faults.helpers import HOUR, device, go, of, scenario

IDLE = "{cache: full, idle: true, poll: 10m}"


def test_a_pop3_download_and_delete_is_attributed_to_the_phone() -> None:
    """Every message a delete-on-download POP3 phone removes at QUIT is expunged_by it."""
    results = go(scenario(device("phone", "pop3", "{leave_on_server: false, poll: 30m}"),
                          receive="20/d"))
    removed = [(e.mid, e.cause) for e in of(results, "store") if e.change == "expunge"]
    assert removed and {cause for _mid, cause in removed} == {"pop3-quit"}
    named = [(e.mid, e.device, e.cause) for e in of(results, "expunged_by")]
    assert named == [(mid, "ann/phone", cause) for mid, cause in removed]


def test_the_servers_retention_is_attributed_to_no_device() -> None:
    """Retention removes old mail on the server's own schedule: no device is named."""
    results = go(scenario(device("laptop", "imap", IDLE), days=4, receive="20/d",
                          server="  retention: 1d"))
    assert [e for e in of(results, "store") if e.change == "expunge" and e.cause == "retention"]
    assert of(results, "expunged_by") == []


def test_idle_news_reaches_the_other_device_not_the_one_that_made_the_change() -> None:
    """With both devices idling in a session, an INBOX change made by the laptop marks
    news for the phone's line only; a change by nobody (a delivery) marks both."""
    world = World(scenario(device("laptop", "imap", IDLE, 0.5) + "\n"
                           + device("phone", "imap", IDLE, 0.5)))
    world.start()
    world.env.run(until=HOUR)
    laptop, phone = (world.devices[f"ann/{name}"].lines[0] for name in ("laptop", "phone"))
    assert laptop.session is not None and phone.session is not None
    event = StoreEvent("flags", "INBOX", 1, 1, "m1@ann", by="ann/laptop")
    for line in (laptop, phone):
        line.pushed(event)
    assert (laptop.idle_news, phone.idle_news) == (False, True)
    for line in (laptop, phone):
        line.pushed(StoreEvent("add", "INBOX", 1, 2, "m2@ann", "deliver"))
    assert (laptop.idle_news, phone.idle_news) == (True, True)
