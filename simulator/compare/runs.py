"""Running every variant × replication, serially or in worker processes, with the same
seed list for every variant (common random numbers).

The world draws arrivals and intentions from streams keyed by (seed, user, message), so
two variants run with one seed see the same mail and the same people; their difference is
the protocol. Replication 0 uses the scenario's own seed, so each variant's results folder
is exactly what ``mailsim run --variant V`` writes.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from simulator.observe.history import History
from simulator.runner import Results, run
from simulator.scenario import Scenario

Progress = Callable[[int, int, str], None]
"""progress(done, total, label): called after each finished run."""


def replication_seeds(base: int, replications: int) -> list[int]:
    """The seed of each replication: the base seed first, then seeds hashed from (base, r)."""
    seeds = [base]
    for r in range(1, replications):
        digest = hashlib.sha256(f"mailsim-replication:{base}:{r}".encode()).digest()
        seeds.append(int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF)
    return seeds


@dataclass(frozen=True)
class Task:
    """One run to do: a variant, its replication index and seed."""

    variant: str
    rep: int
    seed: int

    @property
    def label(self) -> str:
        """How the progress display names the run."""
        return f"{self.variant} #{self.rep + 1} (seed {self.seed})"


@dataclass
class RunOutput:
    """What a run sends back: its summary, and its time series for replication 0 only."""

    summary: dict[str, Any]
    timeseries: list[tuple[Any, ...]] | None


def run_task(scenario: Scenario, task: Task) -> RunOutput:
    """Run one task (top-level so worker processes can pickle it). Replication 0 keeps its
    history while it runs, as ``mailsim run`` does, so its summary (anomaly stories
    included) is the same; the history itself is not sent back."""
    first = task.rep == 0
    results = run(scenario, seed=task.seed, variant=task.variant, keep_history=first)
    return RunOutput(results.summary, results.timeseries if first else None)


def results_of(scenario: Scenario, task: Task, output: RunOutput) -> Results:
    """Rebuild the Results of replication 0 from what a worker sent back (no history)."""
    resolved = scenario.model_copy(update={"seed": task.seed}).with_variant(task.variant)
    return Results(resolved, output.summary, output.timeseries or [], History(keep=False))


def run_tasks(scenario: Scenario, tasks: list[Task], workers: int = 1,
              progress: Progress | None = None) -> dict[Task, RunOutput]:
    """Every task's output; the same whatever ``workers`` is (each run is deterministic)."""
    done: dict[Task, RunOutput] = {}

    def record(task: Task, output: RunOutput) -> None:
        """Keep one output and report progress."""
        done[task] = output
        if progress is not None:
            progress(len(done), len(tasks), task.label)

    if workers <= 1 or len(tasks) <= 1:
        for task in tasks:
            record(task, run_task(scenario, task))
        return done
    context = multiprocessing.get_context("spawn")  # no fork of a threaded parent
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures: dict[Future[RunOutput], Task] = {
            pool.submit(run_task, scenario, task): task for task in tasks
        }
        for future in as_completed(futures):
            record(futures[future], future.result())
    return done
