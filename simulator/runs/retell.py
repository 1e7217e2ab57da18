"""Stories told again: a large run that keeps neither its history nor a story file writes
no story file at all, and tells its witnesses' stories at the end from a second run of only
their people's world.

A story is told from the records about one message and its person's devices, and the
shared world's (observe/narrative.py); a person's records are the same in any world that
holds them (a shard's: runs/shards.py). So once the run has picked its anomaly witnesses
and lost-mail examples, the world of only their people runs again with its history kept,
and their stories come from it: summary.json is the same, byte for byte
(tests/runs/test_retell.py). Writing the story file costs about a sixth of a run's
instructions, and the people witnessed are few (6 of 100 in the reference organisation
over 14 days: the earliest witnesses of a kind are often one person's), so from
RETELL_FROM people on this costs less.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from simulator.backend import SERVERS
from simulator.observe.blocks import LostExample, Witness
from simulator.observe.history import End, History, Tick
from simulator.observe.narrative import ABOUT_A_MESSAGE, CONTEXT, StoryLog, add_stories
from simulator.scenario import Scenario
from simulator.scenario.users import account_id
from simulator.world.world import World

RETELL_FROM = 100
"""The people from which a run that keeps no story tells its stories again (a smaller
organisation writes its unnamed story file, as the stories' people may be most of it)."""

RETELLING = "telling the stories again (simulated hours)…"
"""The progress label of the second run, a phase counted in simulated hours."""


def repeatable(scenario: Scenario) -> bool:
    """Whether ``scenario``'s world may run in parts: every server is the model and every
    device runs a built-in or Python client (a real server's or program's processes, logs
    and scratch belong to one world, and their bytes vary from run to run)."""
    servers = [scenario.server, *scenario.servers.values()]
    firsts = {names[0] for names in (g.user_names() for g in scenario.users) if names}
    devices = [d for u in scenario.expand(firsts) for d in u.devices]  # a group's people
    devices += [d for _, d in scenario.added_devices()]  # have the same devices: one each
    return all(s.backend == "model" for s in servers) and not any(
        d.client.external for d in devices)


def retells(scenario: Scenario, keep_history: bool, story_file: Path | None) -> bool:
    """Whether a run of ``scenario`` (as it runs) tells its stories again at the end rather
    than writing a story file: it keeps neither, has RETELL_FROM people or more, and its
    world may run in parts."""
    return (not keep_history and story_file is None
            and len(scenario.roster()) >= RETELL_FROM and repeatable(scenario))


def whose(scenario: Scenario, witnesses: list[Witness], lost: list[LostExample]) -> list[str]:
    """The people the stories of ``witnesses`` and ``lost`` are about, in scenario order:
    each device's person and each message's (by its account, after the "@": the person's
    own or one of their further accounts)."""
    devices = {w["device"].partition("/")[0] for w in witnesses}
    accounts = {x["mid"].partition("@")[2] for x in [*witnesses, *lost]}
    return [name for name, group in scenario.roster()
            if name in devices or name in accounts
            or any(account_id(name, a) in accounts for a in group.accounts)]


def retell(scenario: Scenario, witnesses: dict[str, list[Witness]], lost: list[LostExample],
           progress: Callable[[int, int, str], None] | None = None) -> None:
    """Give every witness and lost-mail example its story (in place), from a run of only
    their people's world that keeps the records their stories read, no others
    (``progress`` hears its simulated hours)."""
    rows = [w for kind in witnesses.values() for w in kind]
    people = whose(scenario, rows, lost)
    if not people:
        return
    history, read = History(keep=False), History(keep=True)  # keep only what stories read
    mids = {x["mid"] for x in [*rows, *lost]}
    for cls in ABOUT_A_MESSAGE:
        history.subscribe(cls, lambda e: read.emit(e) if e.mid in mids else None)
    for cls in CONTEXT:
        history.subscribe(cls, read.emit)
    if progress is not None:
        hours = max(1, math.ceil(scenario.duration / 3600))
        history.subscribe(Tick, lambda e: progress(min(hours, round(e.t / 3600)), hours,
                                                   RETELLING))
        history.subscribe(End, lambda e: progress(hours, hours, RETELLING))
    World(scenario, history, people, SERVERS).run()
    add_stories(StoryLog(read), witnesses, lost)
