"""Synthetic per-replication summaries, shaped like summary.json, for decision tests."""

from __future__ import annotations

from typing import Any


def summary(seed: int, *, lost: float = 0, bounced: float = 0, missing: float = 0,
            agreement: float = 0.99, unpropagated: float = 0, local_only: float = 0,
            offline: tuple[int, float | None] = (0, None), valid: bool = True,
            down: float = 10e6, server_peak: float = 5e6, devices: int = 1,
            device_peak: float = 20e6) -> dict[str, Any]:
    """One run's summary with the figures the decision reads (one person, ann)."""
    names = [f"ann/d{i}" for i in range(devices)]
    return {
        "scenario": {"seed": seed},
        "verdict": {"valid": valid, "violations": []},
        "durability": {"lost": lost},
        "server_storage": {"bounced": bounced, "peak_bytes": server_peak,
                           "quota_bytes": None, "time_over_quota_s": 0.0},
        "consistency": {"missing_reads": missing, "agreement": agreement,
                        "unpropagated": unpropagated,
                        "anomalies": {"local_only": local_only},
                        "propagation_s": {"p95": 10.0}},
        "offline_availability": {"attempts": offline[0], "ratio": offline[1]},
        "reads": {"ratio": 0.9},
        "device_storage": {"peak_bytes": device_peak},
        "traffic": {"bytes_down": down, "bytes_up": 1e6},
        "faults": {"devices_lost": 0},
        "users": {"ann": {"agreement": agreement, "devices": names,
                          "server_peak_bytes": server_peak}},
    }


def runs(seeds: list[int], **per_seed: list[Any]) -> list[dict[str, Any]]:
    """One summary per seed; each keyword gives that figure per replication."""
    return [summary(s, **{k: v[i] for k, v in per_seed.items()}) for i, s in enumerate(seeds)]
