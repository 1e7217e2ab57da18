"""One run: a scenario under one variant and seed, and the :class:`Results` it gives (data
only; reports are rendered by ``simulator.report`` and written by ``simulator.folders``)."""

from __future__ import annotations

import csv
import gc
import io
import json
import math
import signal
import threading
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from simulator.backend import SERVERS
from simulator.observe.history import End, History, Tick
from simulator.observe.observer import TIMESERIES_COLUMNS, Observer
from simulator.observe.partial import Partial
from simulator.runs.retell import RETELL_FROM, retell, retells
from simulator.scenario import Scenario, load_scenario, scenario_sha256
from simulator.scenario.users import account_id
from simulator.world.world import World

Progress = Callable[[int, int, str], None]
"""A progress callback: (done, out of, what was just done); or, in a phase of its own
that counts in its own units, (done, out of, what is being done, ending in "…")."""


def mailsim_version() -> str:
    """The installed package's version."""
    try:
        return version("mailsim")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@dataclass
class Results:
    """What one run produced: the summary (summary.json), the hourly time series and the
    history, with the scenario as it ran (variant applied)."""

    scenario: Scenario
    summary: dict[str, Any]
    timeseries: list[tuple[Any, ...]]
    history: History
    story_file: Path | None = None  # the story file the run wrote, if it was asked for one
    logs: dict[str, str] = field(default_factory=dict)  # a real server's log, by file name

    @property
    def valid(self) -> bool:
        """Whether the verdict holds (every message accounted for, no rule broken)."""
        return bool(self.summary["verdict"]["valid"])

    def summary_json(self) -> str:
        """summary.json's exact text: sorted keys, stable across runs and machines."""
        return json.dumps(self.summary, indent=2, sort_keys=True) + "\n"

    def timeseries_csv(self) -> str:
        """timeseries.csv's exact text."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(TIMESERIES_COLUMNS)
        writer.writerows(["" if v is None else v for v in row] for row in self.timeseries)
        return out.getvalue()


def full_margins(scenario: Scenario) -> dict[str, int]:
    """Per account, the room below which it counts as full: one typical message."""
    margins = {}
    for name, group in scenario.roster():
        margins[name] = int(group.mail.size.median)
        for account in group.accounts:
            margins[account_id(name, account)] = int(account.mail.size.median)
    return margins


@contextmanager
def _closing_stories(observer: Observer) -> Iterator[None]:
    """A run that stops half-way (Ctrl-C, an error, also while its stories are told) lets
    go of its story file at once, without writing what it holds."""
    try:
        yield
    except BaseException:
        observer.stories.abandon()
        raise


def resolve(scenario: Scenario | str | Path, seed: int | None = None,
            variant: str | None = None) -> tuple[Scenario, Scenario]:
    """The scenario as written (seed applied) and as it runs (variant applied)."""
    base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    if seed is not None:
        base = base.model_copy(update={"seed": seed})
    return base, base.with_variant(variant) if variant else base


def observe(resolved: Scenario, keep_history: bool = True, story_file: Path | None = None,
            commands: bool = False) -> tuple[History, Observer]:
    """A fresh history with every checker subscribed to it. Without ``keep_history`` the
    records stories are told from go to a story file (at ``story_file``, else an unnamed
    one deleted at the end, unless the run tells its stories again: runs/retell.py), not
    to memory; with ``commands`` the history also keeps every command each device sent."""
    history = History(keep=keep_history, commands=commands)
    told = not retells(resolved, keep_history, story_file)
    return history, Observer(history, resolved.server.quota, full_margins(resolved),
                             story_file, stories=told)


def header(base: Scenario, variant: str | None) -> dict[str, Any]:
    """summary.json's header: the version and the scenario that ran."""
    return {
        "mailsim_version": mailsim_version(),
        "scenario": {
            "name": base.name,
            "sha256": scenario_sha256(base.to_yaml()),
            "seed": base.seed,
            "duration_s": base.duration,
            "variant": variant or "as-written",
        },
    }


def results(base: Scenario, resolved: Scenario, variant: str | None, history: History,
            observer: Observer, story_file: Path | None = None) -> Results:
    """The Results of a finished (or replayed) history: summary.json's header and blocks."""
    summary = {**header(base, variant), **observer.summary()}
    return Results(resolved, summary, observer.rows, history, story_file)


def run(scenario: Scenario | str | Path, seed: int | None = None, variant: str | None = None,
        keep_history: bool = True, story_file: Path | None = None,
        commands: bool = False, progress: Progress | None = None) -> Results:
    """Run ``scenario`` (a Scenario or a YAML path) once and return its results (see
    :func:`observe` for ``keep_history``, ``story_file`` and ``commands``); ``progress``
    hears (simulated hours done, hours in all, "day N") at every hourly tick."""
    base, resolved = resolve(scenario, seed, variant)
    history, observer = observe(resolved, keep_history, story_file, commands)
    if progress is not None:
        report_ticks(history, resolved.duration, progress)
    with _closing_stories(observer):
        logs = finish(resolved, history)
        done = results(base, resolved, variant, history, observer, story_file)
    if not observer.stories.told:
        retell(resolved, done.summary["consistency"]["anomaly_witnesses"],
               done.summary["durability"]["lost_examples"], progress)
    done.logs = logs
    return done


def finish(scenario: Scenario, history: History) -> dict[str, str]:
    """Run the world of ``scenario`` to its end and let it go, keeping only its real
    programs' logs: the checkers have read everything, and a large world (RETELL_FROM people
    or more: a cycle of millions of objects) freed now is not still held while the summary
    sorts its samples and the stories are retold, so the run's peak memory is the world's
    at its end."""
    world = World(scenario, history, backends=SERVERS)
    world.run()
    logs = world.logs
    del world
    if len(scenario.roster()) >= RETELL_FROM:  # a small world's memory is not worth a pass
        collect()
    return logs


def collect() -> None:
    """A full pass of the cycle collector, with Ctrl-C held until it is done: it finalizes
    the dead world's SimPy processes (generators), and a KeyboardInterrupt raised inside a
    finalizer would be printed and lost instead of stopping the command."""
    if threading.current_thread() is not threading.main_thread():
        gc.collect()  # signals reach the main thread only
        return
    caught: list[int] = []
    before = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        gc.collect()
    finally:
        signal.signal(signal.SIGINT, before)
    if caught:  # delivered again to what handled it before: stop, or as it says
        signal.raise_signal(signal.SIGINT)


def hours_of(duration: float) -> int:
    """The simulated hours a run's progress counts (at least one)."""
    return max(1, math.ceil(duration / 3600))


def report_ticks(history: History, duration: float, progress: Progress) -> None:
    """Tell ``progress`` how far through the simulated time a run is, once an hour."""
    hours = hours_of(duration)

    def tick(e: Tick) -> None:
        progress(min(hours, round(e.t / 3600)), hours, f"day {int(e.t // 86400) + 1}")

    history.subscribe(Tick, tick)
    history.subscribe(End, lambda e: progress(hours, hours, "the run"))


def run_shard(scenario: Scenario | str | Path, people: Collection[str], seed: int | None = None,
              variant: str | None = None, story_file: Path | None = None,
              keep_history: bool = False, progress: Progress | None = None,
              told: bool = True) -> Partial:
    """One shard of a run with its checkers: only ``people`` live in its world, and what
    comes back is its partial result (``observe/partial.py``; ``observe/merge.py`` adds the
    shards up), its stories written to ``story_file`` (else an unnamed file) unless the
    history is kept (then in ``Partial.history``) or they are not ``told`` here (the whole
    run tells them again: runs/retell.py); ``progress`` as for :func:`run`."""
    _, resolved = resolve(scenario, seed, variant)
    history = History(keep=keep_history)
    observer = Observer(history, resolved.server.quota, full_margins(resolved), story_file,
                        shard=True, stories=told)
    if progress is not None:
        report_ticks(history, resolved.duration, progress)
    with _closing_stories(observer):
        World(resolved, history, people, SERVERS).run()
        part = observer.partial()
    if keep_history:
        part.history = history.events
    return part
