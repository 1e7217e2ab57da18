"""Shared pieces of the claim definitions: common measures and number formatting."""

from __future__ import annotations

from simulator.analysis import fmt
from simulator.analysis import measures as m
from simulator.analysis.claims import ClaimRun, Measure

AGREEMENT = Measure("agreement", "ratio", m.metric("consistency.agreement"))
UNPROPAGATED = Measure("unpropagated changes", "count", m.metric("consistency.unpropagated"))
LOCAL_ONLY = Measure("on one device only, per delivered message", "ratio", m.local_only)
OFFLINE = Measure("offline availability", "ratio", m.metric("offline_availability.ratio"))
OFFLINE_N = Measure("offline read attempts", "count", m.metric("offline_availability.attempts"))
LOST = Measure("messages lost", "count", m.metric("durability.lost"))
DEVICE_PEAK = Measure("device storage peak", "bytes", m.metric("device_storage.peak_bytes"))
SERVER_FINAL = Measure("server storage at the end", "bytes",
                       m.metric("server_storage.final_bytes"))


def pct(x: float | None) -> str:
    """A ratio as a percentage."""
    return fmt.value("ratio", x)


def size(x: float | None) -> str:
    """Bytes in readable units."""
    return fmt.value("bytes", x)


def n(x: float | None) -> float:
    """A mean that may be missing, as a number (missing = 0)."""
    return 0.0 if x is None else x


def runs(scenario: str, *variants: str) -> tuple[ClaimRun, ...]:
    """One run per variant of one scenario, labelled by the variant."""
    return tuple(ClaimRun(v, scenario, v) for v in variants)
