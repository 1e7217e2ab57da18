"""``scenarios(faults=True)``: every kind of fault the issue lists can be drawn, and the
fault plan's simplest value is "no fault" (it is drawn first, so shrinking removes faults
first and a counterexample keeps only the faults it needs)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import HealthCheck, Phase, find, given, settings

from simulator.scenario import Scenario
from simulator.testing.faults import apply_faults, fault_plans
from simulator.testing.strategies import scenarios

FIND = settings(max_examples=500, database=None, deadline=None)
DRAW = settings(max_examples=80, database=None, deadline=None, phases=[Phase.generate],
                suppress_health_check=list(HealthCheck))
KINDS: dict[str, Callable[[Scenario], bool]] = {
    "drop_probability": lambda s: any(n.drop_probability > 0 for n in s.networks.values()),
    "mtbf/mttr": lambda s: any(n.up is not None and n.up.fails for n in s.networks.values()),
    "outage": lambda s: bool(s.server.outages),
    "partition": lambda s: any(e.kind == "partition" for e in s.events),
    "drop before": lambda s: any(e.kind == "drop" and e.before for e in s.events),
    "drop after": lambda s: any(e.kind == "drop" and e.after for e in s.events),
    "uidvalidity reset": lambda s: any(e.kind == "server" for e in s.events),
}


def test_the_simplest_fault_plan_holds_no_fault_and_adds_nothing() -> None:
    """Shrinking a plan as far as it goes leaves no fault, and such a plan changes
    nothing in the scenario."""
    plan = find(fault_plans(36, "imap"), lambda p: True, settings=FIND)
    assert all(not value or not any(value) for value in plan.values())
    doc = {"users": [{"name": "u0", "devices": [{"name": "d0"}]}], "server": {},
           "networks": {"lan": {}}}
    apply_faults(doc, plan)
    assert doc == {"users": [{"name": "u0", "devices": [{"name": "d0"}]}], "server": {},
                   "networks": {"lan": {}}, "events": []}


def test_a_plan_needing_one_fault_shrinks_to_exactly_that_fault() -> None:
    """Whatever a failure needs (here: a partition), the shrunk plan keeps that one fault
    and drops every other."""
    plan = find(fault_plans(36, "imap"), lambda p: bool(p["partitions"]), settings=FIND)
    assert len(plan["partitions"]) == 1
    assert all(not any(v) for k, v in plan.items() if k != "partitions")


def test_every_kind_of_fault_is_drawn_and_all_come_before_the_quiet_stretch() -> None:
    """Over a few dozen IMAP scenarios each kind of fault occurs; every scripted event and
    outage is due before activity stops. POP3 scenarios get no UIDVALIDITY reset."""
    seen: set[str] = set()

    @DRAW
    @given(scenarios(protocol="imap", always_online=True, events=False, max_users=1,
                     quiet="12h", faults=True))
    def imap(s: Scenario) -> None:
        seen.update(name for name, holds in KINDS.items() if holds(s))
        assert all(e.at < s.active_until for e in s.events)
        assert all(o.at + o.for_ <= s.active_until for o in s.server.outages)

    @DRAW
    @given(scenarios(protocol="pop3", always_online=True, events=False, quiet="12h",
                     faults=True))
    def pop3(s: Scenario) -> None:
        assert not KINDS["uidvalidity reset"](s)

    imap()
    pop3()
    assert seen == set(KINDS)
