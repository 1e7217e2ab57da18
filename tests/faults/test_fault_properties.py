"""Properties under random faults (hypothesis): whatever breaks — outages, partitions,
flaky links, dropped connections, lost devices, UIDVALIDITY resets — every message stays
accounted for; and IMAP full-cache devices converge once the faults stop and they have
been online for a while (UIDVALIDITY resets included since the client recovers by
Message-ID, issue 14)."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.runs import run
from simulator.scenario import Scenario, parse_scenario
from simulator.testing.assertions import assert_converged, assert_valid
from simulator.testing.strategies import event_lists, scenario_dicts

DAYS = 3
SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
UPTIMES = st.sampled_from(["always", {"mtbf": "4h", "mttr": "30m"}, {"mtbf": "1h", "mttr": "5m"},
                           "Mon-Sun 06:00-23:00"])
DROPS = st.sampled_from([0.0, 0.02, 0.1])


@st.composite
def fault_events(draw: st.DrawFn, doc: dict[str, Any], until_h: int,
                 server_faults: bool) -> list[dict[str, Any]]:
    """Partitions, scripted drops and (optionally) a UIDVALIDITY reset before ``until_h``."""
    devices = [f"{u['name']}/{d['name']}" for u in doc["users"] for d in u["devices"]]
    targets = st.sampled_from([*doc["networks"], *devices])
    out: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(0, 3))):
        at = f"{draw(st.integers(0, until_h - 4))}h"
        kind = draw(st.sampled_from(["partition", "drop", "reset"] if server_faults
                                    else ["partition", "drop"]))
        if kind == "partition":
            out.append({"at": at, "partition": draw(st.lists(targets, min_size=1, max_size=2)),
                        "for": draw(st.sampled_from(["30m", "3h"]))})
        elif kind == "drop":
            moment = draw(st.sampled_from([{}, {"before": "quit"}, {"after": "quit"},
                                           {"after": "append"}, {"after": "move"},
                                           {"before": "store"}, {"after": "fetch_body"}]))
            out.append({"at": at, "drop": draw(st.sampled_from(devices)), **moment})
        else:
            out.append({"at": at, "server": "uidvalidity-reset"})
    return out


@st.composite
def faulty_scenarios(draw: st.DrawFn, convergent: bool) -> Scenario:
    """A small generated scenario with flaky networks and faults. ``convergent``: IMAP
    full-cache devices, always meant to be online, no lost devices, and a quiet last day
    without faults other than random link trouble."""
    client = None
    if convergent:
        client = draw(st.fixed_dictionaries({
            "cache": st.just("full"), "idle": st.booleans(),
            "poll": st.sampled_from(["10m", "30m"]),
            "resync": st.sampled_from(["base", "condstore", "qresync"]),
            "delete": st.sampled_from(["trash", "expunge"]),
        }))
    doc = draw(scenario_dicts(protocol="imap" if convergent else None, client=client,
                              always_online=convergent, events=False, max_users=1,
                              days=DAYS, quiet="1d" if convergent else None))
    for network in doc["networks"].values():
        network["drop_probability"] = draw(DROPS)
        network["up"] = draw(UPTIMES)
    until_h = (DAYS - 1) * 24 if convergent else DAYS * 24
    if draw(st.booleans()):
        doc["server"]["outages"] = [{"at": f"{draw(st.integers(1, until_h - 4))}h",
                                     "for": draw(st.sampled_from(["20m", "2h"]))}]
    events = draw(fault_events(doc, until_h, server_faults=True))
    if not convergent:
        events += draw(event_lists(doc["users"], DAYS))
    doc["events"] = events
    return parse_scenario(yaml.safe_dump(doc, sort_keys=False), "<hypothesis>")


@SETTINGS
@given(faulty_scenarios(convergent=False))
def test_every_message_stays_accounted_for_whatever_breaks(scenario: Scenario) -> None:
    """Mixed POP3/IMAP devices on flaky links, with outages, partitions, drops at chosen
    commands, lost devices and UIDVALIDITY resets: the verdict holds."""
    assert_valid(run(scenario, keep_history=False))


@SETTINGS
@given(faulty_scenarios(convergent=True))
def test_imap_full_cache_devices_converge_once_the_faults_stop(scenario: Scenario) -> None:
    """After outages, partitions, dropped connections (random and at chosen commands) and
    UIDVALIDITY resets, a day without them is enough: every IMAP full-cache device shows
    what the person expects, and nothing is lost."""
    results = run(scenario, keep_history=False)
    assert_valid(results)
    assert_converged(results)
    assert results.summary["durability"]["lost"] == 0
