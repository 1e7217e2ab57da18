"""Hypothesis strategies for faults: connection drops, outages, network failures,
partitions and UIDVALIDITY resets, all due before a scenario's quiet stretch so that a
correct client still converges by the end.

A plan is drawn before anything else of a scenario and every part of it is a list or a
choice whose simplest value is "no fault", so hypothesis shrinks the faults away first
and a counterexample keeps only the faults it needs.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from simulator.scenario import Scenario

IMAP_MOMENTS = [
    {}, {"after": "append"}, {"before": "append"}, {"after": "store"}, {"before": "store"},
    {"after": "move"}, {"after": "uid_expunge"}, {"after": "select"},
    {"before": "fetch_new"}, {"after": "fetch_body"}, {"after": "search_message_id"},
]
"""Where an IMAP connection is cut: before or after the named command ({}: any command)."""
POP3_MOMENTS = [
    {}, {"after": "retr"}, {"before": "retr"}, {"after": "dele"}, {"before": "quit"},
    {"after": "quit"}, {"after": "uidl"},
]
"""Where a POP3 connection is cut."""
DROP_PROBABILITIES = [0.0, 0.02, 0.05]
FAILURES = [None, {"mtbf": "8h", "mttr": "10m"}, {"mtbf": "2h", "mttr": "5m"}]
"""A network's random failures: none, or mean time between failures and to repair."""


@st.composite
def fault_plans(draw: st.DrawFn, until_h: int, protocol: str | None) -> dict[str, Any]:
    """Faults in the abstract (devices and networks by index) due in hours 1..until_h-1."""
    if until_h < 2:
        raise ValueError("faults need at least two hours of activity before the quiet stretch")
    hour = st.integers(1, until_h - 1)
    index = st.integers(0, 8)
    moments = POP3_MOMENTS if protocol == "pop3" else (
        IMAP_MOMENTS if protocol == "imap" else [m for m in IMAP_MOMENTS if m] + POP3_MOMENTS)
    return {
        "drops": draw(st.lists(st.tuples(hour, index, st.sampled_from(moments)), max_size=4)),
        "drop_probability": draw(st.lists(st.sampled_from(DROP_PROBABILITIES), max_size=2)),
        "failures": draw(st.lists(st.sampled_from(FAILURES), max_size=2)),
        "outages": draw(st.lists(st.tuples(hour, st.sampled_from(["10m", "1h"])), max_size=1)),
        "partitions": draw(st.lists(st.tuples(hour, index, st.sampled_from(["20m", "2h"])),
                                    max_size=2)),
        "resets": draw(st.lists(hour, max_size=2)) if protocol != "pop3" else [],
    }


def apply_faults(doc: dict[str, Any], plan: dict[str, Any]) -> None:
    """Write ``plan`` into the scenario dict ``doc``: network settings, outages, events."""
    devices = [f"{u['name']}/{d['name']}" for u in doc["users"] for d in u["devices"]]
    networks = list(doc["networks"])
    for name, chance in zip(networks, plan["drop_probability"], strict=False):
        if chance:
            doc["networks"][name]["drop_probability"] = chance
    for name, failure in zip(networks, plan["failures"], strict=False):
        if failure:
            doc["networks"][name]["up"] = dict(failure)
    if plan["outages"]:
        doc["server"]["outages"] = [{"at": f"{h}h", "for": d} for h, d in plan["outages"]]
    events = doc.setdefault("events", [])
    for h, i, moment in plan["drops"]:
        events.append({"at": f"{h}h", "drop": devices[i % len(devices)], **moment})
    targets = [*networks, *devices]
    for h, i, length in plan["partitions"]:
        events.append({"at": f"{h}h", "partition": targets[i % len(targets)], "for": length})
    for h in plan["resets"]:
        events.append({"at": f"{h}h", "server": "uidvalidity-reset"})


def faults_in(scenario: Scenario) -> int:
    """How many faults a scenario holds: scripted drops, partitions, server events and
    outages, and each network that drops connections or fails at random."""
    scripted = sum(1 for e in scenario.events if e.kind in ("drop", "partition", "server"))
    flaky = sum(1 for n in scenario.networks.values()
                if n.drop_probability > 0 or (n.up is not None and n.up.fails))
    return scripted + len(scenario.server.outages) + flaky
