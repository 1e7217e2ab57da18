"""Hypothesis strategies that generate small, valid scenarios: for mailsim's own property
tests and for developers who want hypothesis to hunt for scenarios that break their client.

``scenarios(...)`` draws a scenario dict, writes it as YAML and loads it through the same
validating loader as a file, so every generated scenario is one a user could have written.
A real program can be pinned on one device (``client={"external": "mbsync", "options":
{...}}``): the first device of the first person runs it, the others keep a built-in
client, and the world's server is Dovecot, which the program talks to.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

from simulator.external.runners import runner
from simulator.scenario import Scenario, parse_duration, parse_scenario
from simulator.testing.faults import apply_faults, fault_plans

ClientOption = dict[str, Any] | st.SearchStrategy[dict[str, Any]] | None

POP3_CLIENTS = st.fixed_dictionaries({
    "leave_on_server": st.booleans(),
    "poll": st.sampled_from(["5m", "15m", "1h"]),
}, optional={
    "delete_after": st.sampled_from(["12h", "1d", "3d"]),
    "delete_when_deleted_locally": st.booleans(),
})
IMAP_CLIENTS = st.fixed_dictionaries({
    "cache": st.sampled_from(["full", "headers", "none", "recent:1d"]),
    "idle": st.booleans(),
    "poll": st.sampled_from(["5m", "15m", "1h"]),
    "resync": st.sampled_from(["base", "condstore", "qresync"]),
    "delete": st.sampled_from(["trash", "expunge"]),
})
MORNING = "2026-01-05T08:00"
"""Where a run of hours starts: a Monday morning, so that the person is awake and checks."""
SCHEDULES = st.sampled_from(["always", "Mon-Fri 08:00-18:00", "Mon-Sun 07:00-23:00",
                             "Mon-Sun 09:00-12:00, Mon-Sun 14:00-20:00"])


@st.composite
def devices(draw: st.DrawFn, protocol: str | None, client: ClientOption,
            always_online: bool, max_devices: int = 3,
            program: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """One to ``max_devices`` devices with shares of the person's mail checks summing to 1;
    ``client`` is every device's settings, or a strategy drawing each device's own. With
    ``program`` (a real program's client settings) the first device runs it and there are
    at least two devices, so that what the program does has somewhere to go."""
    count = draw(st.integers(2 if program else 1, max(max_devices, 2 if program else 1)))
    weights = [draw(st.integers(1, 4)) for _ in range(count)]
    uses = [w / sum(weights) for w in weights]
    uses[-1] = 1 - sum(uses[:-1])
    out = []
    for i in range(count):
        if program is not None and i == 0:
            proto, settings = runner(program["external"]).protocol, program
        else:
            proto = protocol or draw(st.sampled_from(["pop3", "imap"]))
            settings = _settings(draw, proto, client)
        online = "always" if always_online else draw(SCHEDULES)
        out.append({"name": f"d{i}", "protocol": proto, "client": dict(settings),
                    "uses": uses[i], "network": draw(st.sampled_from(["lan", "cell"])),
                    "online": online})
    return out


def _settings(draw: st.DrawFn, proto: str, client: ClientOption) -> dict[str, Any]:
    """One built-in device's client settings: ``client``, drawn from it, or drawn for
    ``proto``."""
    if isinstance(client, st.SearchStrategy):
        return draw(client)
    if client is not None:
        return client
    return draw(POP3_CLIENTS if proto == "pop3" else IMAP_CLIENTS)


@st.composite
def scenario_dicts(draw: st.DrawFn, protocol: str | None = None,
                   client: ClientOption = None, always_online: bool = False,
                   events: bool = True, max_users: int = 2, days: int = 2,
                   quiet: str | None = None, max_accounts: int = 1,
                   faults: bool = False, hours: int | None = None,
                   max_devices: int = 3) -> dict[str, Any]:
    """A scenario as a plain dict (what a YAML file would hold); each person may have up to
    ``max_accounts`` further accounts, on the organisation's server or an ISP's. With
    ``faults``, connection drops, outages, network failures, partitions and (IMAP)
    UIDVALIDITY resets happen before the ``quiet`` stretch (12h unless given); they are
    drawn first, so that hypothesis shrinks them away first. ``hours`` makes the run that
    many hours from a Monday 08:00 instead of ``days`` days. A ``client`` naming a real
    program (``{"external": "mbsync", "options": {...}}``) runs on the first person's first
    device only, on the Dovecot backend, and nobody has further accounts (a program syncs
    one account)."""
    program = dict(client) if isinstance(client, dict) and "external" in client else None
    if program:
        client = None  # the program is pinned; every other device draws a built-in client
    length = hours * 3600 if hours else days * 86400
    if faults:
        quiet = quiet or "12h"
        until_h = int((length - parse_duration(quiet)) // 3600)
        plan = draw(fault_plans(until_h, protocol))
    users = []
    for u in range(draw(st.integers(1, max_users))):
        users.append({
            "name": f"u{u}",
            "mail": {"receive": f"{draw(st.integers(5, 60))}/d",
                     "send": f"{draw(st.integers(0, 10))}/d",
                     "size": draw(st.sampled_from(["20KB", "75KB", {"median": "60KB",
                                                                     "sigma": 1.0}]))},
            "habits": {"check_every": draw(st.sampled_from(["20m", "1h", "3h"])),
                       "delete": draw(st.sampled_from([0.0, 0.3, 0.6])),
                       "archive": draw(st.sampled_from([0.0, 0.2, 0.4])),
                       "flag": draw(st.sampled_from([0.0, 0.1, 0.5])),
                       "reply": draw(st.sampled_from([0.0, 0.1, 0.3]))},
            "devices": draw(devices(protocol, client, always_online, max_devices,
                                    program if u == 0 else None)),
        })
        extra = draw(st.integers(0, 0 if program else max_accounts))
        if extra:
            users[-1]["accounts"] = [
                {"name": f"a{k}", **({"server": "isp"} if draw(st.booleans()) else {}),
                 "mail": {"receive": f"{draw(st.integers(5, 40))}/d",
                          "send": f"{draw(st.integers(0, 5))}/d"}}
                for k in range(extra)
            ]
    doc: dict[str, Any] = {
        "mailsim": 1, "name": "generated", "seed": draw(st.integers(0, 10_000)),
        "duration": f"{hours}h" if hours else f"{days}d",
        "server": {"quota": draw(st.sampled_from(["50MB", "1GB"])),
                   "over_quota": draw(st.sampled_from(["bounce", "defer"])),
                   "pop3_lock": draw(st.booleans())},
        "networks": {"lan": {"latency": "5ms", "bandwidth": "100Mbit"},
                     "cell": {"latency": "80ms", "bandwidth": "5Mbit"}},
        "users": users,
    }
    if hours:
        doc["start"] = MORNING
    if program:
        doc["server"]["backend"] = "dovecot"
    if any("accounts" in user for user in users):
        doc["servers"] = {"isp": {"quota": draw(st.sampled_from(["20MB", "1GB"]))}}
    if quiet:
        doc["quiet"] = quiet
    if events:
        doc["events"] = draw(event_lists(users, days, hours // 2 if hours else None))
    if faults:
        apply_faults(doc, plan)
    return doc


@st.composite
def event_lists(draw: st.DrawFn, users: list[dict[str, Any]], days: int,
                last_h: int | None = None) -> list[Any]:
    """Up to four scripted events on the generated users and devices, in hours 0..last_h
    (by default all but the last 12 hours of ``days``)."""
    last_h = days * 24 - 12 if last_h is None else last_h
    out = []
    for _ in range(draw(st.integers(0, 4))):
        user = draw(st.sampled_from(users))
        device = f"{user['name']}/{draw(st.sampled_from(user['devices']))['name']}"
        at = f"{draw(st.integers(0, last_h))}h"
        kind = draw(st.sampled_from(["offline", "lose", "deliver", "do"]))
        if kind == "offline":
            out.append({"at": at, "offline": device, "for": draw(st.sampled_from(["1h", "6h"]))})
        elif kind == "lose":
            out.append({"at": at, "lose": device})
        elif kind == "deliver":
            out.append({"at": at, "deliver": {"to": user["name"], "count": 5, "size": "1MB"}})
        else:
            out.append({"at": at, "user": user["name"], "on": device.split("/")[1],
                        "do": draw(st.sampled_from(["read", "delete", "flag", "archive",
                                                    "send", "check"]))})
    return out


def scenarios(**options: Any) -> st.SearchStrategy[Scenario]:
    """Valid scenarios (see :func:`scenario_dicts` for the options, ``faults=True`` among
    them), loaded from YAML."""
    return scenario_dicts(**options).map(
        lambda doc: parse_scenario(yaml.safe_dump(doc, sort_keys=False), "<hypothesis>"))
