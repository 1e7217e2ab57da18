"""The one batch engine: many runs in this process, in local worker processes or on a Dask
cluster, with the same outputs whichever executes them (each run is deterministic).

Compare, sweep and the claims hand it :class:`Task` lists; workers are started once per
:class:`Executor` and reused for all the runs of all its batches. Replication seeds are
derived here so that every caller gives variant ``v`` and replication ``r`` the same seed
(common random numbers).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from simulator.observe.history import History
from simulator.runs.local import Helpers
from simulator.runs.one import Results, run
from simulator.scenario import Scenario, parse_scenario

Progress = Callable[[int, int, str], None]
"""progress(done, total, label): called after each finished run."""

Keep = Literal["summary", "timeseries", "history"]
"""What a run sends back: its summary only; also its time series; or also the history
itself (for measures that count events). Only the last keeps the history in memory: the
summary (anomaly stories included) is the same either way."""


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


def ready() -> bool:
    """Nothing: a helper process that has run it has imported the simulator."""
    return True


def run_task(task: Task) -> Output:
    """Run one task (top-level, so worker processes and Dask can ship it)."""
    scenario = task.scenario
    if isinstance(scenario, str):
        scenario = parse_scenario(scenario, task.source)
    results = run(scenario, seed=task.seed, variant=task.variant,
                  keep_history=task.keep == "history")
    if task.keep == "summary":
        return Output(results.summary)
    if task.keep == "timeseries":
        return Output(results.summary, results.timeseries)
    history = History(keep=True)  # the events alone: the checkers' subscriptions stay here
    history.events = results.history.events
    return Output(results.summary, results.timeseries, history)


class Executor:
    """Where the runs of batches execute: this process (``workers`` 1), this process and
    ``workers - 1`` local helper processes (runs/local.py), or the Dask cluster at
    ``dask`` ('local' starts one with ``workers`` workers). Workers start with the first
    batch that needs them and are reused by every later batch until :meth:`close` (or the
    end of a ``with`` block), so a command that runs several batches pays their start-up
    once."""

    def __init__(self, workers: int = 1, dask: str | None = None) -> None:
        """An executor; nothing starts until a batch runs."""
        self.workers = workers
        self.dask = dask
        self._helpers: Helpers[Task, Output] | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._batches = 0

    def __enter__(self) -> Executor:
        """The executor itself, closed at the end of the block."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers."""
        self.close()

    def close(self) -> None:
        """Stop the worker processes or leave the Dask cluster (stopping a local one)."""
        if self._helpers is not None:
            self._helpers.close()
            self._helpers = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def outputs(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Output]]:
        """(index into ``tasks``, output) as each run finishes."""
        self._batches += 1
        if self.dask:
            yield from self._on_dask(tasks)
        elif self.workers > 1 and (len(tasks) > 1 or self._helpers is not None):
            yield from self._in_processes(tasks)
        else:
            for i, task in enumerate(tasks):
                yield i, run_task(task)

    def run_batch(self, tasks: Sequence[Task], progress: Progress | None = None
                  ) -> list[Output]:
        """Every task's output, in task order."""
        done: dict[int, Output] = {}
        for i, output in self.outputs(tasks):
            done[i] = output
            if progress is not None:
                progress(len(done), len(tasks), tasks[i].label)
        return [done[i] for i in range(len(tasks))]

    def _in_processes(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Output]]:
        """Runs in this process and ``workers - 1`` helper processes (runs/local.py)."""
        if self._helpers is None:
            self._helpers = Helpers(self.workers, run_task, warm=ready)
        yield from self._helpers.map(tasks)

    def _on_dask(self, tasks: Sequence[Task]) -> Iterator[tuple[int, Output]]:
        """Runs on the Dask cluster (an optional extra, imported only here)."""
        try:
            from dask.distributed import Client, LocalCluster
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise DaskMissing("--dask needs the dask extra: pip install 'mailsim[dask]'"
                              ) from None
        if self._client is None:
            address = self.dask
            if address == "local":
                self._cluster = LocalCluster(n_workers=max(1, self.workers),
                                             threads_per_worker=1, processes=True,
                                             dashboard_address=None)
                address = self._cluster.scheduler_address
            self._client = Client(address)
        futures = {self._client.submit(run_task, task, pure=False,
                                       key=f"mailsim-{_key(task, i, self._batches)}"): i
                   for i, task in enumerate(tasks)}
        for future in dask_completed(futures):
            yield futures[future], future.result()


def outputs(tasks: Sequence[Task], workers: int = 1, dask: str | None = None
            ) -> Iterator[tuple[int, Output]]:
    """(index into ``tasks``, output) as each run finishes, on an executor of its own
    (see :class:`Executor`)."""
    with Executor(workers, dask) as executor:
        yield from executor.outputs(tasks)


def run_batch(tasks: Sequence[Task], workers: int = 1, dask: str | None = None,
              progress: Progress | None = None) -> list[Output]:
    """Every task's output, in task order, on an executor of its own (see
    :class:`Executor`)."""
    with Executor(workers, dask) as executor:
        return executor.run_batch(tasks, progress)


def _key(task: Task, index: int, batch: int) -> str:
    """A readable, unique Dask key for one task of one batch."""
    ident = f"{batch}:{index}:{task.label}:{task.variant}:{task.seed}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]
