"""Small scenario texts and history queries for the fault tests, so that each test states
only the knobs that matter to it."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings

from simulator.runs import Results, run
from simulator.scenario import Scenario, parse_scenario

HYPOTHESIS_DEFAULT_EXAMPLES = 100


def hunt_settings(ci_examples: int) -> settings:
    """Settings of a fault property: ``ci_examples`` examples in the default (CI) run, or
    the count chosen for this run (``--hypothesis-profile=slow``, ``--mailsim-examples``)."""
    chosen = settings.default.max_examples
    examples = ci_examples if chosen == HYPOTHESIS_DEFAULT_EXAMPLES else chosen
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


DAY = 86_400.0
HOUR = 3_600.0
QUIET_HABITS = "{check_every: 1h, read: 0, delete: 0, archive: 0, flag: 0, reply: 0}"


def scenario(devices: str, *, days: int = 3, seed: int = 1, receive: str = "0/d",
             habits: str = QUIET_HABITS, networks: str = "", server: str = "",
             events: str = "", quiet: str = "", send: str = "0/d") -> Scenario:
    """One person, "ann", with the given device list (YAML flow items, one per line)."""
    text = f"""\
mailsim: 1
name: fault-test
seed: {seed}
duration: {days}d
{f"quiet: {quiet}" if quiet else ""}
server:
  pop3_lock: true
{server}
networks:
  lan: {{latency: 5ms, bandwidth: 100Mbit}}
{networks}
users:
  - name: ann
    mail: {{receive: {receive}, send: {send}, size: 50KB}}
    habits: {habits}
    devices:
{devices}
events:
{events or "  []"}
"""
    return parse_scenario(text.replace("events:\n  []", "events: []"), "<fault-test>")


def device(name: str, protocol: str, client: str, uses: float = 1.0, extra: str = "") -> str:
    """One device line for :func:`scenario`."""
    more = f", {extra}" if extra else ""
    return f"      - {{name: {name}, protocol: {protocol}, client: {client}, uses: {uses}{more}}}"


def of(results: Results, kind: str) -> list[Any]:
    """Every kept history record of ``kind`` (see simulator/observe/history.py)."""
    return list(results.history.of(kind))


def sessions(results: Results, device_id: str) -> list[float]:
    """When ``device_id`` logged in."""
    return [e.t for e in of(results, "session") if e.device == device_id]


def traffic_times(results: Results, device_id: str) -> list[float]:
    """When ``device_id`` sent or received anything."""
    return [e.t for e in of(results, "traffic") if e.device == device_id]


def delivered(results: Results) -> list[str]:
    """Message ids delivered to mailboxes, in order."""
    return [e.mid for e in of(results, "deliver")]


def shown_at_end(results: Results, device_id: str) -> dict[str, int]:
    """mid -> how many copies ``device_id`` shows at the end."""
    shown: dict[str, int] = {}
    for e in of(results, "view"):
        if e.device == device_id:
            shown[e.mid] = e.shown
    return {mid: n for mid, n in shown.items() if n}


def on_server(results: Results, until: float | None = None) -> dict[str, int]:
    """mid -> server copies (all mailboxes) at ``until`` (default: the end)."""
    copies: dict[str, int] = {}
    for e in of(results, "store"):
        if until is not None and e.t > until:
            break
        step = {"add": 1, "expunge": -1}.get(e.change, 0)
        copies[e.mid] = copies.get(e.mid, 0) + step
    return {mid: n for mid, n in copies.items() if n}


def go(s: Scenario) -> Results:
    """Run a scenario, keeping its history."""
    return run(s)
