"""A sweep's runs on the batch engine, each finished run kept as its own small file, so an
interrupted sweep resumes where it stopped and no executor changes a single byte."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulator.runs import Progress, Task
from simulator.runs.batch import outputs
from simulator.runs.files import write_text_atomic
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

    @property
    def key(self) -> str:
        """A stable file name for this run's part."""
        ident = json.dumps([label(self.point), self.variant, self.rep, self.seed])
        return hashlib.sha256(ident.encode()).hexdigest()[:20]

    def task(self, shards: Shards = 1) -> Task:
        """The batch engine's task: the summary only (run in ``shards`` shards)."""
        return Task(self.text, self.variant, self.seed, keep="summary",
                    label=label(self.point) + f" #{self.rep + 1}", source=self.source,
                    shards=shards)


def part_path(parts: Path, run: SweepRun) -> Path:
    """Where ``run``'s result is kept."""
    return parts / f"{run.key}.json"


def save_part(parts: Path, run: SweepRun, summary: dict[str, Any]) -> None:
    """Keep one finished run (atomically)."""
    record = {"point": [list(p) for p in run.point], "variant": run.variant,
              "rep": run.rep, "seed": run.seed, "summary": summary}
    write_text_atomic(part_path(parts, run), json.dumps(record, sort_keys=True) + "\n")


def load_part(parts: Path, run: SweepRun) -> dict[str, Any] | None:
    """A previously finished run's summary, if it was kept."""
    path = part_path(parts, run)
    if not path.exists():
        return None
    return json.loads(path.read_text())["summary"]


def execute(runs: list[SweepRun], parts: Path, workers: int = 1, dask: str | None = None,
            progress: Progress | None = None, shards: Shards = 1
            ) -> dict[SweepRun, dict[str, Any]]:
    """Every run's summary: kept parts are reused, the rest run and are kept."""
    done = {r: s for r in runs if (s := load_part(parts, r)) is not None}
    todo = [r for r in runs if r not in done]
    if progress is not None and done:
        progress(len(done), len(runs), "resumed")
    tasks = [r.task(shards) for r in todo]
    for i, output in outputs(tasks, workers, dask):
        save_part(parts, todo[i], output.summary)
        done[todo[i]] = output.summary
        if progress is not None:
            progress(len(done), len(runs), tasks[i].label)
    return done
