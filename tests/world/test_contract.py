"""summary.json is a public interface: every key of DESIGN.md's results contract is there."""

from __future__ import annotations

from typing import Any

from simulator.runs import run
from tests.scenarios import load, two_devices

CONTRACT: dict[str, Any] = {
    "mailsim_version": None,
    "scenario": ["name", "sha256", "seed", "duration_s", "variant"],
    "verdict": ["valid", "violations"],
    "consistency": {
        "agreement": None, "final_agreement": None, "divergent_messages": None,
        "missing_reads": None, "propagation_s": ["p50", "p95", "max"], "unpropagated": None,
        "anomalies": ["duplicate", "resurrected", "lost_flag_change", "local_only"],
    },
    "server_storage": ["peak_bytes", "mean_bytes", "final_bytes", "quota_bytes", "bounced",
                       "deferred", "time_over_quota_s"],
    "offline_availability": ["attempts", "succeeded", "ratio"],
    "reads": {"attempts": None, "succeeded": None, "fetch_latency_s": ["p50", "p95"]},
    "device_storage": ["peak_bytes", "per_device"],
    "durability": ["lost", "lost_examples"],
    "traffic": ["bytes_down", "bytes_up", "connections", "round_trips"],
    "security": ["plaintext_logins"],
    "devices": None,
    "users": None,
}


def missing(node: Any, spec: Any, where: str = "") -> list[str]:
    """Dotted keys of ``spec`` absent from ``node``."""
    if spec is None:
        return []
    keys = spec if isinstance(spec, list) else list(spec)
    out = [f"{where}{k}" for k in keys if k not in node]
    if isinstance(spec, dict):
        for key, sub in spec.items():
            if key in node:
                out += missing(node[key], sub, f"{where}{key}.")
    return out


def test_every_contract_key_is_present() -> None:
    """A run's summary has every key DESIGN.md lists, nested as listed."""
    summary = run(load(two_devices("pop3", "{leave_on_server: true}", days=1))).summary
    assert missing(summary, CONTRACT) == []
    assert set(summary["devices"]) == {"ann/laptop", "ann/phone"}
    assert set(summary["users"]) == {"ann"}
    assert summary["scenario"]["variant"] == "as-written"
