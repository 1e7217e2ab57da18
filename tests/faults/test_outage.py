"""Server outages (`server.outages`): no sessions while it is down, sessions in progress
are dropped, and senders retry deferred mail (SEMANTICS 21) until it is delivered."""

from __future__ import annotations

from simulator.world.world import World
from tests.faults.helpers import DAY, HOUR, device, go, of, scenario, sessions

OUTAGE = "  outages: [{at: 1d 10:00, for: 3h}]"
START, END = DAY + 10 * HOUR, DAY + 13 * HOUR
IMAP = "{cache: full, idle: true, poll: 10m}"


def test_mail_arriving_during_an_outage_is_deferred_then_delivered_after_it() -> None:
    """Five messages sent to the mailbox at 11:00 are deferred (the senders retry every
    30 min) and all arrive within half an hour of the server coming back; none bounce."""
    events = "  - {at: 1d 11:00, deliver: {to: ann, count: 5, size: 50KB}}"
    results = go(scenario(device("laptop", "imap", IMAP), server=OUTAGE, events=events))
    burst = {f"e{int(DAY + 11 * HOUR)}-{i}@ann" for i in range(1, 6)}
    deferred = [e for e in of(results, "defer") if e.mid in burst]
    assert {e.mid for e in deferred} == burst
    assert all(START <= e.t < END for e in deferred)
    arrivals = [e.t for e in of(results, "deliver") if e.mid in burst]
    assert len(arrivals) == 5
    assert all(END <= t <= END + 1800 for t in arrivals)
    assert results.summary["server_storage"]["bounced"] == 0
    assert results.summary["faults"]["outages"] == {"count": 1, "down_s": 3 * HOUR}
    assert results.valid


def test_no_session_starts_during_an_outage_and_the_timeline_shows_it() -> None:
    """Devices cannot log in while the server is down; server_up is 0 in the time series."""
    results = go(scenario(device("laptop", "imap", IMAP, 0.5) + "\n"
                          + device("phone", "pop3", "{leave_on_server: true, poll: 5m}", 0.5),
                          server=OUTAGE, receive="60/d"))
    for name in ("ann/laptop", "ann/phone"):
        times = sessions(results, name)
        assert not [t for t in times if START <= t < END]
        assert [t for t in times if t >= END]
    rows = {row[0]: row[5] for row in results.timeseries}
    assert rows[START + HOUR] == 0 and rows[END + HOUR] == 1


def test_an_outage_drops_the_sessions_that_were_open() -> None:
    """An IMAP IDLE session open before the outage is gone during it."""
    world = World(scenario(device("laptop", "imap", IMAP), server=OUTAGE, receive="60/d"))
    world.start()
    world.env.run(until=START - 60)
    assert world.devices["ann/laptop"].lines[0].session is not None
    world.env.run(until=START + 60)
    assert world.devices["ann/laptop"].lines[0].session is None
