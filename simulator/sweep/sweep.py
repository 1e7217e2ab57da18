"""A parameter sweep: a grid of scenario edits × replications, run on any executor, into
tidy tables (runs.csv, points.csv, optional Parquet) and an HTML page of plots."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.analysis.wins import PointDecision
from simulator.folders import OutputExists
from simulator.report.sweep_page import sweep_html
from simulator.runs import Progress, replication_seeds
from simulator.runs.files import write_atomic, write_text_atomic
from simulator.runs.shards import Shards
from simulator.scenario import Scenario, ScenarioError, parse_scenario
from simulator.scenario.yamlio import dump_yaml, read_yaml
from simulator.sweep.grid import Axis, apply, expand, label, parse_axis, scales
from simulator.sweep.parts import SweepRun, execute
from simulator.sweep.table import point_rows, run_rows, to_csv, to_parquet
from simulator.sweep.wins import decide_points, with_decisions


@dataclass
class SweepResult:
    """A finished sweep: its spec, one row per run, one row per point (with the decision
    at its point when variant is an axis) and the decision per point of the other axes."""

    spec: dict[str, Any]
    runs: list[dict[str, Any]]
    points: list[dict[str, Any]]
    decisions: list[PointDecision] = field(default_factory=list)

    @property
    def axes(self) -> list[str]:
        """The swept paths, in grid order."""
        return list(self.spec["axes"])

    @property
    def valid(self) -> bool:
        """Whether every run's verdict held."""
        return all(r["valid"] for r in self.runs)


def sweep_files(result: SweepResult) -> dict[str, str | bytes]:
    """A sweep folder's output files by name (Parquet only where pyarrow is installed)."""
    files: dict[str, str | bytes] = {
        "sweep.json": json.dumps(result.spec, indent=2, sort_keys=True) + "\n",
        "runs.csv": to_csv(result.runs),
        "points.csv": to_csv(result.points),
        "sweep.html": sweep_html(result.spec, result.points, scales(result.spec),
                                 result.decisions),
    }
    for name, rows in (("runs.parquet", result.runs), ("points.parquet", result.points)):
        parquet = to_parquet(rows)
        if parquet is not None:
            files[name] = parquet
    return files


def plan(path: Path, grid: Sequence[str | Axis], replications: int, seed: int | None
         ) -> tuple[dict[str, Any], list[SweepRun]]:
    """The spec and every run of the sweep; each point is validated before anything runs."""
    text = path.read_text(encoding="utf-8")
    base = parse_scenario(text, str(path))
    axes = [a if isinstance(a, Axis) else parse_axis(a) for a in grid]
    doc = read_yaml(text).data
    seeds = replication_seeds(base.seed if seed is None else seed, replications)
    tasks = []
    for point in expand(axes):
        edited, variant = apply(doc, point)
        source = f"{path} [{label(point)}]"
        point_text = dump_yaml(edited)
        scenario = _parse_point(point_text, source, path, label(point))
        if variant is not None:
            _check_variant(scenario, variant, source)
        tasks += [SweepRun(point, point_text, source, variant, r, s)
                  for r, s in enumerate(seeds)]
    spec = {"scenario": str(path), "name": base.name, "axes": [a.path for a in axes],
            "values": {a.path: list(a.values) for a in axes}, "replications": replications,
            "seeds": seeds}
    return spec, tasks


def _check_variant(scenario: Scenario, variant: str, source: str) -> None:
    """A swept variant must be one the scenario accepts (as ``Scenario.variant`` decides)."""
    try:
        scenario.variant(variant)
    except ScenarioError as err:
        raise ScenarioError([f"{source}: variant: {err.issues[0].message}"]) from None


def _parse_point(text: str, source: str, path: Path, where: str) -> Scenario:
    """Validate one point; its errors name the grid point (line numbers would point into
    the regenerated YAML, not into the user's file)."""
    try:
        return parse_scenario(text, source)
    except ScenarioError as err:
        lines = [f"{path}: with --grid {where}: " + re.sub(r"^.*?:\d+:\d+: ", "", e)
                 for e in err.errors]
        raise ScenarioError(lines) from None


def sweep(path: str | Path, grid: Sequence[str | Axis], replications: int = 3,
          seed: int | None = None, out: str | Path | None = None, workers: int = 1,
          dask: str | None = None, resume: bool = False, force: bool = False,
          progress: Progress | None = None, shards: Shards = 1) -> SweepResult:
    """Run the sweep (resuming kept runs if ``resume``) and write its tables to ``out``;
    each run in ``shards`` shards of people (the same results)."""
    spec, tasks = plan(Path(path), grid, replications, seed)
    dest = Path(out) if out is not None else Path("results") / spec["name"] / "sweep"
    _prepare(dest, spec, resume, force)
    done = execute(tasks, dest / "parts", workers=workers, dask=dask, progress=progress,
                   shards=shards)
    runs = run_rows([(t.point, t.rep, t.seed, done[t]) for t in tasks])
    decisions = decide_points(spec, tasks, done)
    points = with_decisions(spec["axes"], point_rows(spec["axes"], runs), decisions)
    result = SweepResult(spec, runs, points, decisions)
    for name, content in sweep_files(result).items():
        write_atomic(dest / name, content)
    return result


def _prepare(dest: Path, spec: dict[str, Any], resume: bool, force: bool) -> None:
    """Make ``dest`` ready: new, resumed (same spec only), or replaced with ``force``."""
    marker = dest / "sweep.json"
    if dest.exists() and not force:
        if not resume:
            raise OutputExists(f"{dest} exists; use --resume to continue it or --force to "
                               "replace it")
        if marker.exists() and json.loads(marker.read_text()) != spec:
            raise OutputExists(f"{dest} holds a different sweep; use --force or another --out")
    elif dest.exists():
        shutil.rmtree(dest)
    (dest / "parts").mkdir(parents=True, exist_ok=True)
    write_text_atomic(marker, json.dumps(spec, indent=2, sort_keys=True) + "\n")
