"""A sweep's runs on the batch engine, each finished run kept as its own small file
(``runs/kept.py``), so an interrupted sweep resumes where it stopped and no executor changes
a single byte."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.runs import Executor, Progress, Task
from simulator.runs.kept import KeptRuns
from simulator.runs.shards import Shards
from simulator.sweep.grid import Point, label


@dataclass(frozen=True)
class SweepRun:
    """One run of a sweep: the point's scenario text, its variant, the replication and its
    seed."""

    point: Point
    text: str
    source: str
    variant: str | None
    rep: int
    seed: int

    def task(self, shards: Shards = 1) -> Task:
        """The batch engine's task: the summary only (run in ``shards`` shards)."""
        return Task(self.text, self.variant, self.seed, keep="summary",
                    label=label(self.point) + f" #{self.rep + 1}", source=self.source,
                    shards=shards)


def execute(runs: list[SweepRun], parts: Path, workers: int = 1, dask: str | None = None,
            progress: Progress | None = None, shards: Shards = 1
            ) -> dict[SweepRun, dict[str, Any]]:
    """Every run's summary: runs kept in ``parts`` are reused, the rest run and are kept
    there as each finishes (``runs/kept.py``)."""
    tasks = [r.task(shards) for r in runs]
    with Executor(workers, dask) as executor:
        outputs = executor.run_batch(tasks, progress, KeptRuns(parts))
    return {r: output.summary for r, output in zip(runs, outputs, strict=True)}
