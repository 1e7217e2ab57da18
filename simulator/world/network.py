"""What a command costs in time on a network: round trips times latency plus bytes over
bandwidth (DESIGN: the world decides only when things happen and what they cost)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from simulator.mail.message import Cost

MAX_LOSS: Final = 0.99  # a link losing everything would never finish a command


@dataclass(frozen=True, slots=True)
class Link:
    """The path from a device to the server: round-trip latency, bottleneck bandwidth,
    packet loss (retransmissions slow every command down) and the chance that the
    connection breaks at a command."""

    latency: float
    bandwidth: float
    loss: float = 0.0
    drop_probability: float = 0.0

    def duration(self, cost: Cost) -> float:
        """Seconds a command with ``cost`` takes (DESIGN: round trips x latency + bytes/bw),
        stretched by 1 / (1 - loss): each lost packet is sent again."""
        base = cost.round_trips * self.latency + (cost.up + cost.down) / self.bandwidth
        if self.loss <= 0:
            return base
        return base / (1.0 - min(self.loss, MAX_LOSS))


def path_link(hops: Iterable[Link]) -> Link:
    """One link standing for a path of hops: latencies add up, the narrowest bandwidth
    limits, and a packet (or a connection) survives only if it survives every hop."""
    latency, bandwidth, keep, stay = 0.0, float("inf"), 1.0, 1.0
    for hop in hops:
        latency += hop.latency
        bandwidth = min(bandwidth, hop.bandwidth)
        keep *= 1.0 - hop.loss
        stay *= 1.0 - hop.drop_probability
    return Link(latency, bandwidth, 1.0 - keep, 1.0 - stay)
