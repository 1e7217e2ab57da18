"""Read checker: attempts to read mail at each check, offline availability, missing reads
and how long an online fetch took (DESIGN: read attempts, offline_availability)."""

from __future__ import annotations

from array import array
from collections import defaultdict

from simulator.observe.blocks import DeviceReads, OfflineBlock, ReadsBlock
from simulator.observe.history import History, ReadAttempt
from simulator.observe.stats import interpolate, rounded


class Reads:
    """Counts read attempts overall, offline, per device; keeps online fetch latencies."""

    def __init__(self, history: History) -> None:
        self.attempts = 0
        self.succeeded = 0
        self.offline_attempts = 0
        self.offline_ok = 0
        self.missing = 0
        self.waits = array("d")  # one 8-byte float per fetch, not a Python object
        self.per_device: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        history.subscribe(ReadAttempt, self._read)

    def _read(self, e: ReadAttempt) -> None:
        row = self.per_device[e.device]
        self.attempts += 1
        row[0] += 1
        if e.ok:
            self.succeeded += 1
            row[1] += 1
            if e.wait_s > 0:
                self.waits.append(e.wait_s)
        elif not e.shown:
            self.missing += 1
            row[4] += 1
        if e.offline:
            self.offline_attempts += 1
            row[2] += 1
            if e.ok:
                self.offline_ok += 1
                row[3] += 1

    def offline_ratio(self) -> float | None:
        """Offline successes over offline attempts (None before any offline attempt)."""
        if not self.offline_attempts:
            return None
        return self.offline_ok / self.offline_attempts

    def summary(self) -> tuple[OfflineBlock, ReadsBlock]:
        """The ``offline_availability`` and ``reads`` blocks of summary.json."""
        offline: OfflineBlock = {
            "attempts": self.offline_attempts,
            "succeeded": self.offline_ok,
            "ratio": rounded(self.offline_ratio()),
        }
        waits = sorted(self.waits)  # once, for both quantiles
        reads: ReadsBlock = {
            "attempts": self.attempts,
            "succeeded": self.succeeded,
            "ratio": rounded(self.succeeded / self.attempts) if self.attempts else None,
            "fetch_latency_s": {
                "p50": rounded(interpolate(waits, 50), 4),
                "p95": rounded(interpolate(waits, 95), 4),
            },
        }
        return offline, reads

    def device_summary(self, device: str) -> DeviceReads:
        """Read figures for one device."""
        tries, ok, off, off_ok, missing = self.per_device.get(device, [0, 0, 0, 0, 0])
        return {
            "read_attempts": tries,
            "reads_succeeded": ok,
            "offline_attempts": off,
            "offline_availability": rounded(off_ok / off) if off else None,
            "missing_reads": missing,
        }
