"""Networks as a graph: a device reaches the server over a path of up links, pays that
path's summed latency and bottleneck bandwidth, and is offline without one. Links go down
by weekly schedule, at random (seeded mtbf/mttr) and when a partition cuts them; roaming
devices use the first of their networks that works."""

from __future__ import annotations

import pytest

from simulator.mail.message import Cost
from simulator.runs import Results
from simulator.world.network import Link
from simulator.world.world import World
from tests.faults.helpers import DAY, HOUR, device, go, of, scenario, sessions, traffic_times

IMAP = "{cache: full, idle: true, poll: 10m}"
CHAIN = """\
  wan:    {latency: 10ms, bandwidth: 50Mbit, loss: 0.02}
  office: {latency: 2ms, bandwidth: 100Mbit, loss: 0.01, via: wan, drop_probability: 0.1}
"""


def test_a_sync_costs_the_paths_summed_latency_and_bottleneck_bandwidth() -> None:
    """office reaches the server via wan: latencies add up, the slower link limits, and
    a packet or a connection survives only if it survives both hops."""
    world = World(scenario(device("laptop", "imap", IMAP, extra="network: office"),
                           networks=CHAIN))
    laptop = world.devices["ann/laptop"]
    assert world.topology.path("ann/laptop") == ("office", laptop.link)
    assert laptop.link.latency == pytest.approx(0.012)
    assert laptop.link.bandwidth == pytest.approx(50e6 / 8)
    assert laptop.link.loss == pytest.approx(1 - 0.98 * 0.99)
    assert laptop.link.drop_probability == pytest.approx(0.1)
    cost = Cost(round_trips=5, up=0, down=625_000)
    assert laptop.link.duration(cost) == pytest.approx((5 * 0.012 + 0.1) / (0.98 * 0.99))


def test_a_lossless_link_costs_what_it_always_did() -> None:
    """Round trips times latency plus bytes over bandwidth, unchanged without loss."""
    assert Link(0.05, 1e6).duration(Cost(round_trips=4, up=1000, down=9000)) == 0.05 * 4 + 0.01


def test_a_device_is_offline_while_its_network_is_down_by_schedule() -> None:
    """A network up only Mon-Fri 08:00-18:00 takes its devices offline outside those hours:
    they never talk to the server then."""
    s = scenario(device("laptop", "imap", IMAP, extra="network: office"), days=3,
                 receive="40/d", networks='  office: {latency: 2ms, up: "Mon-Fri 08:00-18:00"}')
    results = go(s)
    times = traffic_times(results, "ann/laptop")
    assert times
    assert all(8 * HOUR <= t % DAY <= 18 * HOUR for t in times)
    flips = [(round(e.t % DAY), e.online) for e in of(results, "online")]
    assert flips[:2] == [(0, False), (8 * 3600, True)]
    assert (18 * 3600, False) in flips
    link = [(e.t, e.up, e.cause) for e in of(results, "link")]
    assert link[0] == (8 * HOUR, True, "schedule")


def _down_share(seed: int) -> tuple[list[tuple[float, bool]], float]:
    """A phone on a failing network for 20 days: the link's flips and its down share."""
    s = scenario(device("phone", "imap", IMAP, extra="network: cell"), days=20, seed=seed,
                 networks="  cell: {latency: 60ms, up: {mtbf: 4h, mttr: 1h}}")
    results = go(s)
    flips = [(e.t, e.up) for e in of(results, "link") if e.network == "cell"]
    return flips, results.summary["faults"]["links"]["cell"]["down_s"] / (20 * DAY)


def test_random_link_failures_are_seeded_and_last_about_mttr_in_mtbf_plus_mttr() -> None:
    """Failures are exponential(mtbf) apart and last exponential(mttr): over 20 days about
    1h in 5h is down; the same seed gives the same failures, another seed others."""
    flips, share = _down_share(seed=1)
    again, _ = _down_share(seed=1)
    other, _ = _down_share(seed=2)
    assert flips == again
    assert flips != other
    assert len(flips) > 40
    assert 0.1 < share < 0.3


def test_a_device_without_a_path_goes_offline_and_back() -> None:
    """While its only network has failed, a device is offline; it comes back with it."""
    s = scenario(device("phone", "imap", IMAP, extra="network: cell"), days=5,
                 networks="  cell: {latency: 60ms, up: {mtbf: 6h, mttr: 2h}}")
    results = go(s)
    downs = [e.t for e in of(results, "link") if not e.up]
    offline = [e.t for e in of(results, "online") if not e.online]
    assert downs and downs == offline
    assert [e.network for e in of(results, "route")][:3] == ["cell", None, "cell"]


ROAMING = ('networks: [{network: office, weekly: "Mon-Fri 08:00-18:00"}, cell]')
TWO_NETS = """\
  office: {latency: 2ms, bandwidth: 100Mbit}
  cell:   {latency: 80ms, bandwidth: 5Mbit}
"""


def test_a_roaming_phone_uses_office_wifi_in_working_hours_and_cellular_otherwise() -> None:
    """The first network in the list wins when it is available to the device."""
    s = scenario(device("phone", "pop3", "{leave_on_server: true, poll: 15m}", extra=ROAMING),
                 days=2, networks=TWO_NETS)
    routes = [(e.t, e.network) for e in of(go(s), "route")]
    assert routes == [(0.0, "cell"), (8 * HOUR, "office"), (18 * HOUR, "cell"),
                      (DAY + 8 * HOUR, "office"), (DAY + 18 * HOUR, "cell")]


def test_moving_to_another_network_breaks_an_open_imap_session() -> None:
    """A new network means a new address: the open IMAP session is dropped ("roam") and
    the device logs in again on the new network."""
    s = scenario(device("phone", "imap", IMAP, extra=ROAMING), days=2, receive="20/d",
                 networks=TWO_NETS)
    results = go(s)
    roams = [e.t for e in of(results, "drop") if e.cause == "roam"]
    assert roams
    assert all(round(t % DAY) in (8 * 3600, 18 * 3600) for t in roams)
    assert any(t > roams[0] for t in sessions(results, "ann/phone"))


PARTITIONED = """\
  office: {latency: 2ms}
  cell:   {latency: 80ms}
"""


def _two_device_partition(cut: str) -> tuple[Results, float, float]:
    """A laptop on office and a phone on cell; ``cut`` is partitioned 1d 10:00-14:00."""
    devices = "\n".join([
        device("laptop", "imap", IMAP, 0.5, "network: office"),
        device("phone", "imap", "{cache: full, poll: 10m}", 0.5, "network: cell"),
    ])
    start, length = DAY + 10 * HOUR, 4 * HOUR
    events = f"  - {{at: 1d 10:00, partition: [{cut}], for: 4h}}"
    results = go(scenario(devices, receive="60/d", networks=PARTITIONED, events=events))
    return results, start, start + length


def test_a_partition_stops_the_cut_devices_from_syncing_while_others_carry_on() -> None:
    """Cutting the office link for 4h: the office laptop is silent, the phone on cellular
    keeps syncing, the laptop catches up after; the timeline marks the partition."""
    results, start, end = _two_device_partition("office")
    laptop = traffic_times(results, "ann/laptop")
    phone = traffic_times(results, "ann/phone")
    assert not [t for t in laptop if start < t < end]
    assert [t for t in phone if start < t < end]
    assert [t for t in laptop if t > end]
    rows = {row[0]: row for row in results.timeseries}
    column = results_column("partitions_active")
    assert rows[start + HOUR][column] == 1 and rows[end + HOUR][column] == 0
    assert results.summary["faults"]["partitions"] == {"count": 1, "active_s": 4 * HOUR}


def test_a_partition_can_cut_one_device_only() -> None:
    """Naming a device cuts its own access, not its network."""
    results, start, end = _two_device_partition("ann/phone")
    assert not [t for t in traffic_times(results, "ann/phone") if start < t < end]
    assert [t for t in traffic_times(results, "ann/laptop") if start < t < end]


def test_cutting_an_upstream_network_cuts_every_network_behind_it() -> None:
    """office reaches the server via wan: partitioning wan leaves office devices without a
    path, and the timeline counts them as unreachable."""
    events = "  - {at: 1d 10:00, partition: [wan], for: 4h}"
    results = go(scenario(device("laptop", "imap", IMAP, extra="network: office"),
                          networks=CHAIN, events=events, receive="40/d"))
    routes = [(e.t, e.network) for e in of(results, "route")]
    assert routes == [(0.0, "office"), (DAY + 10 * HOUR, None), (DAY + 14 * HOUR, "office")]
    assert results.summary["faults"]["unreachable_s"] == {"ann/laptop": 4 * HOUR}
    rows = {row[0]: row for row in results.timeseries}
    assert rows[DAY + 11 * HOUR][results_column("unreachable_devices")] == 1


def results_column(name: str) -> int:
    """Index of a timeseries.csv column."""
    from simulator.observe.observer import TIMESERIES_COLUMNS

    return TIMESERIES_COLUMNS.index(name)
