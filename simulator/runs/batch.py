"""The one batch engine: many runs in this process, in local worker processes or on a Dask
cluster, with the same outputs whichever executes them (each run is deterministic).

Compare, sweep and the claims hand it :class:`Task` lists; workers are started once per
:class:`Executor` and reused for all the runs of all its batches. A task with ``shards`` > 1
is split into one piece per shard of people (``simulator.runs.shards``); with several
workers or Dask the pieces run like tasks, each shard's world with its own checkers, and
their partial results are merged here into the task's output, the same as the whole
run's. Replication seeds are
derived here so that every caller gives variant ``v`` and replication ``r`` the same seed
(common random numbers).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal, Protocol, cast

from simulator.observe.history import History
from simulator.observe.merge import Gathered
from simulator.observe.partial import Partial
from simulator.runs.local import HelperDied, Helpers
from simulator.runs.one import Progress, Results, hours_of, resolve, run, run_shard
from simulator.runs.retell import retells
from simulator.runs.shards import Shards, combine, pack, shard_count, split, unpack
from simulator.scenario import Scenario, parse_scenario

"""progress(done, total, label): called after each finished run."""

Keep = Literal["summary", "timeseries", "history"]
"""What a run sends back: its summary only; also its time series; or also the history
itself (for measures that count events). Only the last keeps the history in memory: the
summary (anomaly stories included) is the same either way."""


class DaskMissing(RuntimeError):
    """A Dask cluster was asked for but dask[distributed] is not installed."""


class WorkerDied(RuntimeError):
    """A worker process died (or Dask gave up on it) while running a task or a shard."""


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
    shards: Shards = 1  # run as this many shards of people, merged (the same outputs)

    def loaded(self) -> Scenario:
        """The task's scenario as an object (parsed when given as YAML text)."""
        if isinstance(self.scenario, str):
            return parse_scenario(self.scenario, self.source)
        return self.scenario

    def shard_count(self) -> int:
        """How many shards the task runs in ("auto" worked out for its scenario)."""
        if self.shards == "auto":
            return shard_count(resolve(self.loaded(), self.seed, self.variant)[1], "auto")
        return self.shards


@dataclass(frozen=True)
class Part:
    """One shard of a sharded task: the task, the people of the shard, which shard of how
    many it is, where it writes its story file (None: an unnamed one) and whether it tells
    stories at all (not when the whole run tells them again: runs/retell.py)."""

    task: Task
    people: tuple[str, ...]
    shard: int = 1
    shards: int = 1
    story_file: Path | None = None
    told: bool = True

    def describe(self) -> str:
        """ "shard 2 of 3 (staff-002 … staff-099, 33 people) of reference"."""
        who = self.people[0] if len(self.people) == 1 else (
            f"{self.people[0]} … {self.people[-1]}, {len(self.people)} people")
        return f"shard {self.shard} of {self.shards} ({who}) of {_describe(self.task)}"


Piece = Task | Part
Done = Iterator[tuple[int, "Output | Partial"]]


class Keeper(Protocol):
    """Where finished runs and shards are kept (``runs/kept.py``): a task's output or a
    shard's partial result, if kept, and keeping them; where a kept shard's story goes."""

    def load(self, task: Task) -> Output | None: ...

    def save(self, task: Task, output: Output) -> None: ...

    def story_path(self, part: Part) -> Path: ...

    def drop_shard(self, part: Part) -> None: ...

    def load_shard(self, part: Part) -> Partial | None: ...

    def save_shard(self, part: Part, partial: Partial) -> None: ...


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
    """Run one task (top-level, so worker processes and Dask can ship it); a sharded task
    runs its shards one after the other here."""
    if task.shard_count() > 1:
        gathered = Gathered()
        for k, part in enumerate(_parts(task)):
            gathered.add(k, _run_part(part))
        return _merged(task, gathered)
    results = run(task.loaded(), seed=task.seed, variant=task.variant,
                  keep_history=task.keep == "history")
    return _output(task, results)


def run_piece(piece: Piece) -> Output | Partial:
    """Run a whole task, or one shard of one (its partial result, its history packed when
    kept), in a worker process or on Dask."""
    if isinstance(piece, Task):
        return run_task(piece)
    part = _run_part(piece)
    if part.history is not None:
        part.history = pack(part.history)
    return part


def _run_part(part: Part, progress: Progress | None = None) -> Partial:
    """One shard of a task, run with its checkers here (``progress`` hears its hours)."""
    task = part.task
    return run_shard(task.loaded(), part.people, seed=task.seed, variant=task.variant,
                     story_file=part.story_file, keep_history=task.keep == "history",
                     progress=progress, told=part.told)


def _parts(task: Task, stories: Path | None = None) -> list[Part]:
    """The shards of a task, balanced by expected work (their story files in the folder
    ``stories``, if given)."""
    _, resolved = resolve(task.loaded(), task.seed, task.variant)
    shards = split(resolved, shard_count(resolved, task.shards))
    told = not retells(resolved, task.keep == "history", stories)
    return [Part(task, people, k, len(shards),
                 stories / f"stories-{k}.jsonl.gz" if stories is not None else None, told)
            for k, people in enumerate(shards, 1)]


def _merged(task: Task, parts: Gathered) -> Output:
    """A sharded task's output, from its shards' partial results."""
    base, resolved = resolve(task.loaded(), task.seed, task.variant)
    return _output(task, combine(base, resolved, task.variant, parts,
                                 keep_history=task.keep == "history"))


def _unpacked(part: Partial) -> Partial:
    """A partial result from a worker, its history (if any) unpacked."""
    if part.history is not None:
        part.history = unpack(part.history)
    return part


def _describe(task: Task) -> str:
    """ "reference (imap, seed 3)": a task as an error names it."""
    seed = "" if task.seed is None else f", seed {task.seed}"
    return f"{task.label or task.loaded().name} ({task.variant or 'as-written'}{seed})"


def _output(task: Task, results: Results) -> Output:
    """What the task asked to keep of a run's results."""
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
        self._helpers: Helpers[Piece, Output | Partial] | None = None
        self._client: Any = None
        self._cluster: Any = None
        self._batches = 0

    def __enter__(self) -> Executor:
        """The executor itself, closed at the end of the block."""
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        """Stop the workers (at once, ending what they run, when the block failed)."""
        self.close(abort=kind is not None)

    def close(self, abort: bool = False) -> None:
        """Stop the worker processes or leave the Dask cluster (stopping a local one);
        with ``abort``, local helpers are ended without finishing what they run."""
        if self._helpers is not None:
            self._helpers.close(abort)
            self._helpers = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def outputs(self, tasks: Sequence[Task], kept: Keeper | None = None
                ) -> Iterator[tuple[int, Output]]:
        """(index into ``tasks``, output) as each run finishes; the shards of a sharded
        task run as pieces of their own when there are workers to share them, or shards
        to keep: with ``kept``, shards kept there are reused and each finished shard is
        kept (a task interrupted half-way resumes from its shards)."""
        self._batches += 1
        parallel = bool(self.dask) or self.workers > 1
        pieces: list[Piece] = []
        whose: list[int] = []  # the task each piece belongs to
        for i, task in enumerate(tasks):
            shards: list[Piece] = [task]
            if (parallel or kept is not None) and task.shard_count() > 1:
                shards = list(_parts(task))
            pieces += shards
            whose += [i] * len(shards)
        needed = Counter(whose)
        waiting: dict[int, Gathered] = {}
        todo = []
        for j, piece in enumerate(pieces):
            found = (kept.load_shard(piece)
                     if kept is not None and isinstance(piece, Part) else None)
            if found is None:
                todo.append(j)
            else:
                waiting.setdefault(whose[j], Gathered()).add(j, found)
        for i, got in list(waiting.items()):  # every shard kept, the task's output not
            if len(got) == needed[i]:
                yield from self._whole(tasks[i], i, got, pieces, kept)
                del waiting[i]
        for t, out in self.pieces([pieces[j] for j in todo]) if todo else ():
            j = todo[t]
            i = whose[j]
            if isinstance(out, Output):
                yield i, out
                continue
            got = waiting.setdefault(i, Gathered())
            done = _unpacked(out)
            if kept is not None:
                kept.save_shard(pieces[j], done)  # a Part gave it
            got.add(j, done)
            if len(got) == needed[i]:
                yield from self._whole(tasks[i], i, got, pieces, kept)
                del waiting[i]

    @staticmethod
    def _whole(task: Task, i: int, got: Gathered, pieces: Sequence[Piece],
               kept: Keeper | None) -> Iterator[tuple[int, Output]]:
        """A task's output from all its shards; once the caller has it (and has kept it),
        the kept shards are not needed any more."""
        yield i, _merged(task, got)
        if kept is not None:
            for k in got.parts:
                kept.drop_shard(cast(Part, pieces[k]))

    def pieces(self, pieces: Sequence[Piece]) -> Done:
        """(index into ``pieces``, output or shard's partial result) as each finishes; a
        worker that dies stops the batch with a :class:`WorkerDied` naming the piece."""
        try:
            yield from self._pieces(pieces)
        except HelperDied as died:
            piece = pieces[died.index]
            what = piece.describe() if isinstance(piece, Part) else _describe(piece)
            raise WorkerDied(f"a worker process died running {what}") from None

    def _pieces(self, pieces: Sequence[Piece]) -> Done:
        """Each piece run where the executor runs things."""
        if self.dask:
            yield from self._on_dask(pieces)
        elif self.workers > 1 and (len(pieces) > 1 or self._helpers is not None):
            yield from self._in_processes(pieces)
        else:
            for i, piece in enumerate(pieces):
                yield i, run_piece(piece)

    def run_batch(self, tasks: Sequence[Task], progress: Progress | None = None,
                  kept: Keeper | None = None) -> list[Output]:
        """Every task's output, in task order; with ``kept``, the runs it kept are reused
        and each run that finishes is kept there at once (an interrupted batch resumes)."""
        done: dict[int, Output] = {}
        if kept is not None:
            done = {i: out for i, t in enumerate(tasks) if (out := kept.load(t)) is not None}
            if progress is not None and done:
                progress(len(done), len(tasks), "resumed")
        todo = [i for i in range(len(tasks)) if i not in done]
        for j, output in self.outputs([tasks[i] for i in todo], kept) if todo else ():
            i = todo[j]
            if kept is not None:
                kept.save(tasks[i], output)
            done[i] = output
            if progress is not None:
                progress(len(done), len(tasks), tasks[i].label)
        return [done[i] for i in range(len(tasks))]

    def _in_processes(self, pieces: Sequence[Piece]) -> Done:
        """Runs in this process and ``workers - 1`` helper processes (runs/local.py)."""
        if self._helpers is None:  # no more helpers than the first batch can keep busy
            self._helpers = Helpers(min(self.workers, len(pieces)), run_piece, warm=ready)
        yield from self._helpers.map(pieces)

    def _on_dask(self, pieces: Sequence[Piece]) -> Done:
        """Runs on the Dask cluster (an optional extra, imported only here)."""
        try:
            from dask.distributed import Client
            from dask.distributed import as_completed as dask_completed
        except ImportError:
            raise DaskMissing("--dask needs the dask extra: pip install 'mailsim[dask]'"
                              ) from None
        if self._client is None:
            address = self.dask
            if address == "local":
                self._cluster = local_cluster(self.workers)
                address = self._cluster.scheduler_address
            self._client = Client(address)
        futures = {self._client.submit(run_piece, piece, pure=False,
                                       key=f"mailsim-{_key(piece, i, self._batches)}"): i
                   for i, piece in enumerate(pieces)}
        for future in dask_completed(futures):
            try:
                result = future.result()
            except Exception as problem:
                if type(problem).__name__ == "KilledWorker":  # Dask gave up on the piece
                    raise HelperDied(futures[future]) from problem
                raise
            future.release()  # the worker may drop its copy now, not when the batch ends
            yield futures.pop(future), result


def local_cluster(workers: int) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` one-thread worker processes, with
    the workers' statistical profiler off: sampling a run's deep generator stacks every
    10 ms cost about 5 % of the workers' CPU time and 74 MB each on a 10,000-person
    organisation, and only Dask's dashboard reads it. The web server takes any free port:
    two local clusters (two mailsim commands, or a test beside a run) must not fight over
    Dask's 8787."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"distributed.worker.profile.enabled": False}):
        return LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                            processes=True, dashboard_address=":0")


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


def run_sharded(scenario: Scenario, shards: Shards, seed: int | None = None,
                variant: str | None = None, workers: int = 1, dask: str | None = None,
                keep_history: bool = True, story_file: Path | None = None,
                progress: Progress | None = None, kept: Keeper | None = None
                ) -> Results:
    """One run split into ``shards`` shards of people on the batch engine (inline, in
    ``workers`` processes or on Dask), each with its own checkers, their partial results
    merged here: the same Results, byte for byte, as ``run`` (``keep_history`` and
    ``story_file`` as there; the shards' story files, written next to ``story_file``, are
    merged into it). ``progress`` hears (shards done, shards, "shard K") as each ends, or,
    for shards run here one after the other, their simulated hours. "auto" shards come in
    a multiple of ``workers`` (:func:`auto_shards`). With ``kept`` (``KeptRuns``), shards
    kept there are reused and each finished shard is kept there with its story file: an
    interrupted run resumes."""
    base, resolved = resolve(scenario, seed, variant)
    task = Task(scenario, variant, seed, keep="history" if keep_history else "summary",
                shards=shard_count(resolved, shards, workers))
    with tempfile.TemporaryDirectory(
            prefix=".mailsim-shards-",
            dir=story_file.parent if story_file is not None else None) as scratch:
        parts = _parts(task, Path(scratch) if story_file is not None else None)
        if kept is not None:
            parts = [replace(p, story_file=kept.story_path(p) if p.story_file else None)
                     for p in parts]
        gathered = Gathered(Path(scratch))
        for j, part in enumerate(parts):
            found = kept.load_shard(part) if kept is not None else None
            if found is not None:
                gathered.add(j, found)
        todo = [j for j in range(len(parts)) if j not in gathered.parts]
        here = workers <= 1 and not dask  # here: no packing for a trip between processes
        if progress is not None and len(todo) < len(parts):  # in hours here, as _within
            unit = hours_of(resolved.duration) if here else 1
            progress((len(parts) - len(todo)) * unit, len(parts) * unit, "resumed")
        for j, done in _finished(parts, todo, here, workers, dask, progress):
            if kept is not None:
                kept.save_shard(parts[j], done)
            gathered.add(j, done)
            if not here:  # here, the shard told its progress hour by hour
                _tell(progress, len(gathered), len(parts), j)
        stories = [p.story_file for p in parts if p.story_file is not None]
        return combine(base, resolved, variant, gathered,
                       keep_history, story_file, stories, progress)


def _finished(parts: Sequence[Part], todo: Sequence[int], here: bool, workers: int,
              dask: str | None, progress: Progress | None) -> Iterator[tuple[int, Partial]]:
    """(index into ``parts``, partial result) of each shard in ``todo`` as it finishes: run
    here one after the other, or on the batch engine's workers."""
    if here:
        for j in todo:
            yield j, _run_part(parts[j], _within(progress, j, len(parts)))
    elif todo:
        with Executor(workers, dask) as executor:
            for i, out in executor.pieces([parts[j] for j in todo]):
                assert isinstance(out, Partial)  # a Part gives its partial result
                yield todo[i], _unpacked(out)


def _within(progress: Progress | None, j: int, shards: int) -> Progress | None:
    """The progress of shard ``j`` run here, hour by hour, as a share of the whole run."""
    if progress is None:
        return None

    def told(done: int, total: int, label: str) -> None:
        progress(j * total + done, shards * total, f"shard {j + 1} of {shards}, {label}")

    return told


def _tell(progress: Progress | None, done: int, shards: int, j: int) -> None:
    """Say that shard ``j`` is done (``done`` of ``shards`` are)."""
    if progress is not None:
        progress(done, shards, f"shard {j + 1}")


def _key(piece: Piece, index: int, batch: int) -> str:
    """A readable, unique Dask key for one task or shard of one batch."""
    task = piece if isinstance(piece, Task) else piece.task
    ident = f"{batch}:{index}:{task.label}:{task.variant}:{task.seed}"
    return hashlib.sha256(ident.encode()).hexdigest()[:20]
