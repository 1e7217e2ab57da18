"""The one batch engine: many runs in this process, in local worker processes or on a Dask
cluster, with the same outputs whichever executes them (each run is deterministic).

Compare, sweep and the claims hand it :class:`Task` lists; workers are started once per
batch and reused for all its runs. Replication seeds are derived here so that every
caller gives variant ``v`` and replication ``r`` the same seed (common random numbers).
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Literal

from simulator.observe.history import History
from simulator.runs.one import Results, run
from simulator.scenario import Scenario, parse_scenario

Progress = Callable[[int, int, str], None]
"""progress(done, total, label): called after each finished run."""

Keep = Literal["summary", "timeseries", "history"]
"""What a run sends back: its summary only (run without a kept history, as a sweep does);
also its time series (run with the history kept, as ``mailsim run`` does, so anomaly
stories are the same); or also the history itself (for measures that count events)."""


class DaskMissing(RuntimeError):
    """A Dask cluster was asked for but dask[distributed] is not installed."""


def replication_seeds(base: int, replications: int) -> list[int]:
    """The seed of each replication: the base seed first, then seeds hashed from (base, r)."""
    seeds = [base]
    for r in range(1, replications):
        digest = hashlib.sha256(f"mailsim-replication:{base}:{r}".encode()).digest()
        seeds.append(int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF)
    return seeds


@dataclass(frozen=True)
class Task:
    """One run to do: a scenario (object, or YAML text named by ``source``), a variant, a
    seed, what to send back and how progress names it."""

    scenario: Scenario | str
    variant: str | None = None
    seed: int | None = None
    keep: Keep = "summary"
    label: str = ""
    source: str = "<batch>"


@dataclass
class Output:
    """What a run sends back: the summary and, as its task asked, time series and history."""

    summary: dict[str, Any]
    timeseries: list[tuple[Any, ...]] | None = None
    history: History | None = None

    def results(self, scenario: Scenario) -> Results:
        """These outputs as the Results of ``scenario`` (the scenario the run resolved)."""
        return Results(scenario, self.summary, self.timeseries or [],
                       self.history or History(keep=False))


def run_task(task: Task) -> Output:
    """Run one task (top-level, so worker processes and Dask can ship it)."""
    scenario = task.scenario
    if isinstance(scenario, str):
        scenario = parse_scenario(scenario, task.source)
    results = run(scenario, seed=task.seed, variant=task.variant,
                  keep_history=task.keep != "summary")
    if task.keep == "summary":
        return Output(results.summary)
    if task.keep == "timeseries":
        return Output(results.summary, results.timeseries)
    history = History(keep=True)  # the events alone: the checkers' subscriptions stay here
    history.events = results.history.events
    return Output(results.summary, results.timeseries, history)


def outputs(tasks: Sequence[Task], workers: int = 1, dask: str | None = None
            ) -> Iterator[tuple[int, Output]]:
    """(index into ``tasks``, output) as each run finishes: in this process when
    ``workers`` is 1, else in ``workers`` local processes, or on the Dask cluster at
    ``dask`` ('local' starts one with ``workers`` workers)."""
    if dask:
        yield from _on_dask(tasks, workers, dask)
    elif workers > 1 and len(tasks) > 1:
        yield from _in_processes(tasks, workers)
    else:
        for i, task in enumerate(tasks):
            yield i, run_task(task)


def run_batch(tasks: Sequence[Task], workers: int = 1, dask: str | None = None,
              progress: Progress | None = None) -> list[Output]:
    """Every task's output, in task order."""
    done: dict[int, Output] = {}
    for i, output in outputs(tasks, workers, dask):
        done[i] = output
        if progress is not None:
            progress(len(done), len(tasks), tasks[i].label)
    return [done[i] for i in range(len(tasks))]


def _in_processes(tasks: Sequence[Task], workers: int) -> Iterator[tuple[int, Output]]:
    """Runs in a pool of local processes (spawned: no fork of a threaded parent)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=context) as pool:
        futures = {pool.submit(run_task, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _on_dask(tasks: Sequence[Task], workers: int, address: str
             ) -> Iterator[tuple[int, Output]]:
    """Runs on a Dask cluster (an optional extra, imported only here)."""
    try:
        from dask.distributed import Client, LocalCluster
        from dask.distributed import as_completed as dask_completed
    except ImportError:
        raise DaskMissing("--dask needs the dask extra: pip install 'mailsim[dask]'") from None
    cluster = None
    if address == "local":
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                               processes=True, dashboard_address=None)
        address = cluster.scheduler_address
    try:
        with Client(address) as client:
            futures = {client.submit(run_task, task, key=f"mailsim-{_key(task, i)}",
                                     pure=False): i for i, task in enumerate(tasks)}
            for future in dask_completed(futures):
                yield futures[future], future.result()
    finally:
        if cluster is not None:
            cluster.close()


def _key(task: Task, index: int) -> str:
    """A readable, unique Dask key for one task."""
    ident = f"{index}:{task.label}:{task.variant}:{task.seed}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]
