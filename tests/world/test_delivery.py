"""Mail arriving for a person is delivered in the instant it arrives; when the server defers
it (over quota with ``over_quota: defer``, SEMANTICS 21) the sender retries every 30
minutes and gives up (bounces) once the next retry would pass five days."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest

from simulator.world.timing import GIVE_UP_AFTER, RETRY_EVERY
from tests.faults.helpers import DAY, device, go, of, scenario

KEEP_ALL = "{leave_on_server: true, poll: 30m}"  # POP3 keeping everything: the box only fills


def test_arrivals_are_delivered_when_they_arrive() -> None:
    """Every arrival (m<n>@ann) is delivered at once, in order, and the person expects it
    unread from that instant."""
    results = go(scenario(device("home", "pop3", KEEP_ALL), receive="40/d", days=2))
    delivered = [(e.t, e.mid) for e in of(results, "deliver")]
    assert [mid for _, mid in delivered] == [f"m{n}@ann" for n in range(1, len(delivered) + 1)]
    intents = {e.mid: e.t for e in of(results, "intent") if e.cause == "deliver"}
    assert all(intents[mid] == t for t, mid in delivered)


def test_a_full_mailbox_defers_until_the_sender_gives_up() -> None:
    """With a 1 MB quota nobody frees, later arrivals are deferred at arrival, retried every
    RETRY_EVERY, and bounced at the first retry after which another would pass
    GIVE_UP_AFTER; none of them is delivered or expected by the person."""
    results = go(scenario(device("home", "pop3", KEEP_ALL), receive="40/d", days=8,
                          server="  quota: 1MB\n  over_quota: defer", quiet="2d"))
    defers: defaultdict[str, list[float]] = defaultdict(list)
    for e in of(results, "defer"):
        defers[e.mid].append(e.t)
    bounces = {e.mid: e.t for e in of(results, "bounce")}
    assert bounces, "some mail was deferred for five days"
    delivered = {e.mid for e in of(results, "deliver")}
    expected = {e.mid for e in of(results, "intent") if e.cause == "deliver"}
    for mid, t in bounces.items():
        tries = defers[mid]
        assert [b - a for a, b in pairwise(tries)] == pytest.approx(
            [RETRY_EVERY] * (len(tries) - 1))
        assert t == tries[-1]
        assert tries[-1] + RETRY_EVERY - tries[0] > GIVE_UP_AFTER >= tries[-1] - tries[0]
        assert mid not in delivered and mid not in expected
    assert min(t for ts in defers.values() for t in ts) < 2 * DAY
