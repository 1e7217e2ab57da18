"""Analytical checks (issue 3): on simple worlds the simulator must agree with queueing
arithmetic, within tolerances set by the number of samples.

Each world is one person with one always-online device and no mail checks (checks would
trigger extra syncs), so delays come from polling, IDLE and the link alone."""

from __future__ import annotations

import math
import statistics

from simulator.mail.imap import ENVELOPE_BYTES, FLAG_ROW_BYTES
from simulator.mail.message import HEADER_BYTES, LINE
from simulator.runs import Results, run
from simulator.scenario import parse_scenario


def world(protocol: str, client: str, receive: str, size: str = "100KB", latency: str = "50ms",
          bandwidth: str = "10Mbit", days: int = 5, events: str = "") -> Results:
    text = f"""\
mailsim: 1
name: theory
seed: 3
duration: {days}d
networks:
  link: {{latency: {latency}, bandwidth: {bandwidth}}}
users:
  - name: ann
    mail: {{receive: {receive}, size: {size}}}
    habits: {{check_every: 100000d}}
    devices:
      - {{name: dev, protocol: {protocol}, client: {client}, network: link, uses: 1}}
{events}"""
    return run(parse_scenario(text, "<theory>"))


def delays(results: Results) -> list[float]:
    """For each delivered message, seconds until the device first showed it."""
    arrived: dict[str, float] = {}
    out: list[float] = []
    for e in results.history.of("deliver", "view"):
        if e.kind == "deliver":
            arrived[e.mid] = e.t
        elif e.shown and e.mid in arrived:
            out.append(e.t - arrived.pop(e.mid))
    return out


def test_polling_delay_is_half_the_interval_plus_transfer() -> None:
    """Poisson arrivals, a client polling every T: the mean delay to visible is T/2 plus
    the sync's own time; tolerance 4 standard errors of a uniform(0, T) mean."""
    poll = 600.0
    seen = delays(world("imap", "{cache: full, idle: false, poll: 10m}", "200/d"))
    n = len(seen)
    assert n > 800
    standard_error = poll / math.sqrt(12 * n)
    sync_time = 2.0  # a handful of 50 ms round trips and a 100 KB body at 10 Mbit
    assert poll / 2 - 4 * standard_error <= statistics.fmean(seen)
    assert statistics.fmean(seen) <= poll / 2 + 4 * standard_error + sync_time
    assert max(seen) <= poll + sync_time


def test_idle_delay_is_a_few_round_trips_plus_transfer() -> None:
    """With IDLE the server pushes at once: DONE (1 round trip), UID FETCH of the new
    message (1 + its envelope and header) and BODY.PEEK (1 + its size)."""
    latency, bandwidth, size = 0.05, 10e6 / 8, 100_000
    seen = delays(world("imap", "{cache: full, idle: true, poll: 1h}", "100/d"))
    wire = (ENVELOPE_BYTES + FLAG_ROW_BYTES + HEADER_BYTES + size + 6 * LINE) / bandwidth
    expected = 3 * latency + wire
    assert len(seen) > 400
    assert abs(statistics.median(seen) - expected) < 0.01
    assert statistics.fmean(seen) < expected + latency


def test_a_link_moves_a_message_in_its_size_over_bandwidth_plus_round_trips() -> None:
    """One 10 MB message over 8 Mbit/s takes S/B = 10 s plus a few 100 ms round trips."""
    events = "events:\n  - {at: 1d 00:07, deliver: {to: ann, count: 1, size: 10MB}}\n"
    [seen] = delays(world("imap", "{cache: full, idle: true}", "0/d", latency="100ms",
                          bandwidth="8Mbit", days=2, events=events))
    assert 10.0 + 0.3 <= seen <= 10.0 + 0.3 + 0.05


def test_pop3_delete_on_download_keeps_at_most_one_poll_interval_of_mail() -> None:
    """Always online, deleting on download: the server never holds more than what arrived
    within one poll interval, and on average λ·(T/2) messages (Little's law)."""
    poll, size, rate = 900.0, 50_000, 300 / 86_400
    results = world("pop3", "{leave_on_server: false, poll: 15m}", "300/d", size="50KB")
    times = sorted(e.t for e in results.history.of("deliver"))
    window = poll + 5.0
    most = max(sum(1 for u in times[i:] if u - t <= window) for i, t in enumerate(times))
    storage = results.summary["server_storage"]
    assert size <= storage["peak_bytes"] <= most * size
    expected_mean = rate * poll / 2 * size
    assert abs(storage["mean_bytes"] - expected_mean) < 0.15 * expected_mean
