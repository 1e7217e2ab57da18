"""What a command costs in time on a network: round trips times latency plus bytes over
bandwidth (DESIGN: the world decides only when things happen and what they cost)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.mail.message import Cost


@dataclass(frozen=True, slots=True)
class Link:
    """The path from a device to the server: round-trip latency and bottleneck bandwidth."""

    latency: float
    bandwidth: float

    def duration(self, cost: Cost) -> float:
        """Seconds a command with ``cost`` takes (DESIGN: round trips x latency + bytes/bw)."""
        return cost.round_trips * self.latency + (cost.up + cost.down) / self.bandwidth
