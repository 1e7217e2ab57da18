"""Running a sweep's runs on an executor — in this process, in local worker processes, or
on a Dask cluster — and keeping each finished run as its own small file, so an
interrupted sweep resumes where it stopped and no executor changes a single byte."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.report.files import write_text_atomic
from simulator.runner import run
from simulator.scenario import parse_scenario
from simulator.sweep.grid import Point, label

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class SweepTask:
    """One run: the point's scenario text, its variant, the replication and its seed."""

    point: Point
    text: str
    source: str
    variant: str | None
    rep: int
    seed: int

    @property
    def key(self) -> str:
        """A stable file name for this run's part."""
        ident = json.dumps([label(self.point), self.variant, self.rep, self.seed])
        return hashlib.sha256(ident.encode()).hexdigest()[:20]


def run_one(text: str, source: str, variant: str | None, seed: int) -> dict[str, Any]:
    """One run's summary (top-level, so process pools and Dask can ship it)."""
    scenario = parse_scenario(text, source)
    return run(scenario, seed=seed, variant=variant, keep_history=False).summary


def part_path(parts: Path, task: SweepTask) -> Path:
    """Where ``task``'s result is kept."""
    return parts / f"{task.key}.json"


def save_part(parts: Path, task: SweepTask, summary: dict[str, Any]) -> None:
    """Keep one finished run (atomically)."""
    record = {"point": [list(p) for p in task.point], "variant": task.variant,
              "rep": task.rep, "seed": task.seed, "summary": summary}
    write_text_atomic(part_path(parts, task), json.dumps(record, sort_keys=True) + "\n")


def load_part(parts: Path, task: SweepTask) -> dict[str, Any] | None:
    """A previously finished run's summary, if it was kept."""
    path = part_path(parts, task)
    if not path.exists():
        return None
    return json.loads(path.read_text())["summary"]


def execute(tasks: list[SweepTask], parts: Path, workers: int = 1, dask: str | None = None,
            progress: Progress | None = None) -> dict[SweepTask, dict[str, Any]]:
    """Every task's summary: kept parts are reused, the rest run and are kept."""
    done = {t: s for t in tasks if (s := load_part(parts, t)) is not None}
    todo = [t for t in tasks if t not in done]
    total = len(tasks)

    def finish(task: SweepTask, summary: dict[str, Any]) -> None:
        save_part(parts, task, summary)
        done[task] = summary
        if progress is not None:
            progress(len(done), total, label(task.point) + f" #{task.rep + 1}")

    if progress is not None and done:
        progress(len(done), total, "resumed")
    runner = _dask if dask else (_local if workers > 1 else _inline)
    for task, summary in runner(todo, workers, dask):
        finish(task, summary)
    return done


def _inline(tasks: list[SweepTask], _workers: int, _dask: str | None
            ) -> Iterator[tuple[SweepTask, dict[str, Any]]]:
    for task in tasks:
        yield task, run_one(task.text, task.source, task.variant, task.seed)


def _local(tasks: list[SweepTask], workers: int, _dask: str | None
           ) -> Iterator[tuple[SweepTask, dict[str, Any]]]:
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(run_one, t.text, t.source, t.variant, t.seed): t for t in tasks}
        for future in as_completed(futures):
            yield futures[future], future.result()


class DaskMissing(RuntimeError):
    """``--dask`` was asked for but dask[distributed] is not installed."""


def _dask(tasks: list[SweepTask], workers: int, address: str | None
          ) -> Iterator[tuple[SweepTask, dict[str, Any]]]:
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
            futures = {client.submit(run_one, t.text, t.source, t.variant, t.seed,
                                     key=f"mailsim-{t.key}", pure=False): t for t in tasks}
            for future in dask_completed(futures):
                yield futures[future], future.result()
    finally:
        if cluster is not None:
            cluster.close()
