"""Traffic and security checker: bytes each way, connections, round trips, and logins
that sent a password in clear (SEMANTICS 23, claims T1/T2)."""

from __future__ import annotations

from collections import defaultdict

from simulator.observe.blocks import DeviceTraffic, SecurityBlock, TrafficBlock
from simulator.observe.history import History, SessionOpened, TrafficCharged


class Traffic:
    """Sums per device: [bytes_down, bytes_up, connections, round_trips, plaintext]."""

    def __init__(self, history: History) -> None:
        self.per_device: defaultdict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        history.subscribe(TrafficCharged, self._traffic)
        history.subscribe(SessionOpened, self._session)

    def _traffic(self, e: TrafficCharged) -> None:
        row = self.per_device[e.device]
        row[0] += e.down
        row[1] += e.up
        row[3] += e.round_trips

    def _session(self, e: SessionOpened) -> None:
        row = self.per_device[e.device]
        row[2] += 1
        row[4] += int(e.plaintext)

    def _sum(self, column: int) -> int:
        return sum(row[column] for row in self.per_device.values())

    def summary(self) -> tuple[TrafficBlock, SecurityBlock]:
        """The ``traffic`` and ``security`` blocks of summary.json."""
        traffic: TrafficBlock = {
            "bytes_down": self._sum(0),
            "bytes_up": self._sum(1),
            "connections": self._sum(2),
            "round_trips": self._sum(3),
        }
        return traffic, {"plaintext_logins": self._sum(4)}

    def device_summary(self, device: str) -> DeviceTraffic:
        """Traffic figures for one device."""
        down, up, conns, rts, plain = self.per_device.get(device, [0, 0, 0, 0, 0])
        return {"bytes_down": down, "bytes_up": up, "connections": conns, "round_trips": rts,
                "plaintext_logins": plain}
