"""Exhaustive drops: rerun one scenario with a chosen device's connection cut at each
command it sends in a window, before and after the command, and say for each cut whether
the run still converges, loses or duplicates mail (mbsync's test script interrupts a sync
at every step the same way).

A first run keeps every command the device sent (the history's ``command`` records). A
cut is a scripted ``drop`` event armed between the previous command and the chosen one,
so it fires exactly there; the cut scenario is an ordinary scenario file, runnable alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

import yaml

from simulator.observe.history import CommandSent
from simulator.observe.narrative import clock
from simulator.runs import Results, run
from simulator.scenario import Scenario, ScenarioError, parse_scenario
from simulator.scenario.units import format_at
from simulator.scenario.yamlio import read_yaml
from simulator.testing.troubles import shown_twice_at_end, troubles


@dataclass(frozen=True)
class Step:
    """One command of the device: when, what, in which sync and folder, with work queued."""

    t: float
    command: str
    arg: str
    sync: int  # the device's n-th sync (counted from 1)
    step: int  # the command's place in that sync (from 0)
    folder: str  # the folder last selected in that sync ("" before any SELECT)
    pending: bool
    armed_at: float | None  # when a drop armed then hits this command first (None: never)

    def describe(self) -> str:
        """"sync 3 step 2: store 17 in INBOX (queue: work pending)"."""
        arg = f" {self.arg}" if self.arg and self.command not in ("select", "examine") else ""
        where = f" in {self.folder}" if self.folder else ""
        queue = "work pending" if self.pending else "empty"
        return (f"sync {self.sync} step {self.step} at {clock(self.t)}: "
                f"{self.command}{arg}{where} (queue: {queue})")


@dataclass(frozen=True)
class Cut:
    """The outcome of one run with the connection cut ``when`` ("before" | "after") a step."""

    step: Step
    when: str
    valid: bool
    converged: bool
    lost: int
    duplicated: int
    story: str  # what went wrong, one line each, told from the history ("" if nothing did)
    scenario: Scenario
    results: Results | None  # kept only for cuts that went wrong

    @property
    def ok(self) -> bool:
        """The run survived the cut: valid, converged, nothing lost, nothing shown twice."""
        return self.valid and self.converged and not self.lost and not self.duplicated

    def verdict(self) -> str:
        """"ok", or what went wrong: "diverged, 2 lost, 1 duplicated"."""
        bad = [w for w, b in (("invalid", not self.valid), ("diverged", not self.converged))
               if b]
        bad += [f"{self.lost} lost"] if self.lost else []
        bad += [f"{self.duplicated} duplicated"] if self.duplicated else []
        return ", ".join(bad) or "ok"


def steps(scenario: Scenario, device: str, start: float = 0.0,
          end: float | None = None) -> list[Step]:
    """Every command ``device`` sends from ``start`` to ``end`` in a run of ``scenario``."""
    if device not in {f"{u.name}/{d.name}" for u in scenario.expand() for d in u.devices}:
        raise ScenarioError([f"{scenario.source}: no device {device!r} in the scenario"])
    sent = [e for e in run(scenario, commands=True).history.every(CommandSent)
            if e.device == device]
    end = scenario.duration if end is None else end
    out, sync, folder = [], 0, ""
    for i, e in enumerate(sent):
        if e.step == 0 and e.command != "logout":
            sync, folder = sync + 1, ""
        if e.command in ("select", "examine"):
            folder = e.arg
        if start <= e.t <= end:
            out.append(Step(e.t, e.command, _short(e.arg), sync, e.step, folder, e.pending,
                            _arming_time(sent, i)))
    return out


def _short(arg: str) -> str:
    """A command's argument for people: a message by its Message-ID, at most 40 characters."""
    found = re.search(r"mid='([^']*)'", arg)
    text = found.group(1) if found else arg
    return text if len(text) <= 40 else text[:39] + "…"


def _arming_time(sent: list[CommandSent], i: int) -> float | None:
    """A time after the device's previous command and before command ``i`` (None when a
    command of the same name was sent at the same instant just before it)."""
    t, name = sent[i].t, sent[i].command
    if any(e.command == name and e.t >= t for e in sent[:i]):
        return None
    since = max((e.t for e in sent[:i] if e.t < t), default=0.0)
    return (since + t) / 2


def cut_scenario(scenario: Scenario, device: str, step: Step, when: str) -> Scenario:
    """``scenario`` plus a drop of ``device``'s connection ``when`` the command of ``step``."""
    if step.armed_at is None:
        raise ValueError(f"{step.describe()}: no scripted drop can reach it")
    doc = read_yaml(scenario.to_yaml()).data
    doc["events"].append({"at": format_at(step.armed_at), "drop": device,
                          when: step.command})
    return parse_scenario(yaml.safe_dump(doc, sort_keys=False), scenario.source)


def judge(step: Step, when: str, scenario: Scenario) -> Cut:
    """Run a cut scenario and say what the cut did."""
    results = run(scenario)
    summary = results.summary
    twice = shown_twice_at_end(results)
    cut = Cut(step, when, results.valid, summary["consistency"]["final_agreement"] == 1.0,
              summary["durability"]["lost"], sum(len(m) for m in twice.values()),
              "", scenario, None)
    if cut.ok:
        return cut
    return replace(cut, story="\n".join(troubles(results)), results=results)


def exhaustive_drops(scenario: Scenario, device: str, start: float = 0.0,
                     end: float | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> list[Cut]:
    """Cut ``device``'s connection before and after each command it sends in the window (a
    command sent at the very instant of an earlier one of the same name cannot be singled
    out by a scripted drop and is left out; none is when every command takes time)."""
    todo = [(s, w) for s in steps(scenario, device, start, end) if s.armed_at is not None
            for w in ("before", "after")]
    cuts = []
    for i, (s, when) in enumerate(todo):
        cuts.append(judge(s, when, cut_scenario(scenario, device, s, when)))
        if progress:
            progress(i + 1, len(todo), "cuts")
    return cuts


def cuts_csv(cuts: list[Cut]) -> str:
    """One line per cut: where, when, and what it did to the run."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sync", "step", "t", "command", "arg", "folder", "pending", "when",
                     "verdict"])
    for c in cuts:
        s = c.step
        writer.writerow([s.sync, s.step, repr(s.t), s.command, s.arg, s.folder, s.pending,
                         c.when, c.verdict()])
    return out.getvalue()
