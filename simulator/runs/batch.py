"""The one batch engine: many runs in this process, in local worker processes or on a Dask
cluster, with the same outputs whichever executes them (each run is deterministic).

Compare, sweep and the claims hand it :class:`Task` lists; workers are started once per
batch and reused for all its runs. A task with ``shards`` > 1 is split into one piece per
shard of people (``simulator.runs.shards``), the pieces run like tasks and their histories
are merged here into the task's output, the same as the whole run's. Replication seeds are
derived here so that every caller gives variant ``v`` and replication ``r`` the same seed
(common random numbers).
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Literal

from simulator.observe.history import History, Record
from simulator.runs.one import Results, resolve, run, run_part
from simulator.runs.shards import Packed, combine, pack, split, unpack
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
    shards: int = 1  # run as this many shards of people, merged (the same outputs)

    def loaded(self) -> Scenario:
        """The task's scenario as an object (parsed when given as YAML text)."""
        if isinstance(self.scenario, str):
            return parse_scenario(self.scenario, self.source)
        return self.scenario


@dataclass(frozen=True)
class Part:
    """One shard of a sharded task: the task and the people of the shard."""

    task: Task
    people: tuple[str, ...]


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
    """Run one task (top-level, so worker processes and Dask can ship it); a sharded task
    runs its shards one after the other here."""
    if task.shards > 1:
        return _merged(task, [_run_part(part) for part in _parts(task)])
    results = run(task.loaded(), seed=task.seed, variant=task.variant,
                  keep_history=task.keep != "summary")
    return _output(task, results)


def run_piece(piece: Task | Part) -> Output | Packed:
    """Run a whole task, or one shard of one (its history packed, to be merged), in a
    worker process or on Dask."""
    return run_task(piece) if isinstance(piece, Task) else pack(_run_part(piece))


def _run_part(part: Part) -> list[Record]:
    task = part.task
    return run_part(task.loaded(), part.people, seed=task.seed, variant=task.variant)


def _parts(task: Task) -> list[Part]:
    """The shards of a task, balanced by expected work."""
    _, resolved = resolve(task.loaded(), task.seed, task.variant)
    return [Part(task, people) for people in split(resolved, task.shards)]


def _merged(task: Task, parts: Sequence[list[Record]]) -> Output:
    """A sharded task's output, from its shards' histories."""
    base, resolved = resolve(task.loaded(), task.seed, task.variant)
    return _output(task, combine(base, resolved, task.variant, parts,
                                 keep_history=task.keep != "summary"))


def _output(task: Task, results: Results) -> Output:
    """What the task asked to keep of a run's results."""
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
    pieces: list[Task | Part] = []
    whose: list[int] = []  # the task each piece belongs to
    for i, task in enumerate(tasks):
        shards = _parts(task) if task.shards > 1 and (dask or workers > 1) else [task]
        pieces += shards
        whose += [i] * len(shards)
    if dask:
        done = _on_dask(pieces, workers, dask)
    elif workers > 1 and len(pieces) > 1:
        done = _in_processes(pieces, workers)
    else:
        done = ((j, run_piece(piece)) for j, piece in enumerate(pieces))
    needed = Counter(whose)
    waiting: dict[int, dict[int, Packed]] = {}
    for j, out in done:
        i = whose[j]
        if isinstance(out, Output):
            yield i, out
            continue
        got = waiting.setdefault(i, {})
        got[j] = out
        if len(got) == needed[i]:
            yield i, _merged(tasks[i], [unpack(got.pop(k)) for k in sorted(got)])
            del waiting[i]


def run_batch(tasks: Sequence[Task], workers: int = 1, dask: str | None = None,
              progress: Progress | None = None) -> list[Output]:
    """Every task's output, in task order."""
    done: dict[int, Output] = {}
    for i, output in outputs(tasks, workers, dask):
        done[i] = output
        if progress is not None:
            progress(len(done), len(tasks), tasks[i].label)
    return [done[i] for i in range(len(tasks))]


Done = Iterator[tuple[int, Output | Packed]]


def run_sharded(scenario: Scenario, shards: int, seed: int | None = None,
                variant: str | None = None, workers: int = 1, dask: str | None = None
                ) -> Results:
    """One run split into ``shards`` shards of people on the batch engine (inline, in
    ``workers`` processes or on Dask): the same Results, byte for byte, as ``run``."""
    task = Task(scenario, variant, seed, keep="history", shards=shards)
    (output,) = run_batch([task], workers, dask)
    return output.results(resolve(scenario, seed, variant)[1])


def _in_processes(pieces: Sequence[Task | Part], workers: int) -> Done:
    """Runs in a pool of local processes (spawned: no fork of a threaded parent)."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(pieces)), mp_context=context) as pool:
        futures = {pool.submit(run_piece, piece): i for i, piece in enumerate(pieces)}
        for future in as_completed(futures):
            yield futures[future], future.result()


def _on_dask(pieces: Sequence[Task | Part], workers: int, address: str) -> Done:
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
            futures = {client.submit(run_piece, piece, key=f"mailsim-{_key(piece, i)}",
                                     pure=False): i for i, piece in enumerate(pieces)}
            for future in dask_completed(futures):
                yield futures[future], future.result()
    finally:
        if cluster is not None:
            cluster.close()


def _key(piece: Task | Part, index: int) -> str:
    """A readable, unique Dask key for one task or shard."""
    task = piece if isinstance(piece, Task) else piece.task
    ident = f"{index}:{task.label}:{task.variant}:{task.seed}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]
