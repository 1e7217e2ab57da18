"""Finished runs kept on disk as they end, so that a long batch that is interrupted (Ctrl-C,
a dead worker, a machine that went down) resumes where it stopped: ``mailsim compare
--resume``. One small JSON file per run, named by everything that determines the run (the
scenario's text, variant, seed, what it keeps and mailsim's version), so a kept run is
reused only by the very run it stands for; a run is deterministic, so reusing it changes
no byte of the result."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from simulator.runs.batch import Output, Task
from simulator.runs.files import write_text_atomic
from simulator.runs.one import mailsim_version
from simulator.scenario import Scenario, scenario_sha256


class KeptRunsError(Exception):
    """The folder of kept runs is in the way (resume or start again) or is not one."""


class KeptRuns:
    """A folder of finished runs' outputs (summary, and time series when kept); a run that
    keeps its history is never kept (the history is what a story file is for)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._texts: dict[int, tuple[Scenario | str, str]] = {}

    @classmethod
    def open(cls, folder: Path, resume: bool = False, force: bool = False) -> KeptRuns:
        """The kept runs at ``folder``: continued with ``resume``, emptied with ``force``;
        refused if it holds runs and neither is given (nothing is thrown away unasked)."""
        if folder.exists() and not folder.is_dir():
            raise KeptRunsError(f"{folder}: exists and is not a folder of kept runs")
        if folder.exists() and force:
            shutil.rmtree(folder)
        elif folder.exists() and not resume and any(folder.glob("*.json")):
            raise KeptRunsError(
                f"{folder}: holds the finished runs of an interrupted comparison; pass "
                "--resume to continue it or --force to start again")
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder)

    def discard(self) -> None:
        """The batch is written: the kept runs are not needed any more."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def path(self, task: Task) -> Path:
        """Where ``task``'s output is kept."""
        ident = json.dumps([mailsim_version(), self._sha(task), task.variant, task.seed,
                            task.keep])
        return self.folder / f"{hashlib.sha256(ident.encode()).hexdigest()[:24]}.json"

    def load(self, task: Task) -> Output | None:
        """``task``'s output if it was kept (a file that cannot be read is run again)."""
        if task.keep == "history":
            return None
        try:
            data = json.loads(self.path(task).read_text(encoding="utf-8"))
            rows = data["timeseries"]
            return Output(data["summary"], None if rows is None else [tuple(r) for r in rows])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, task: Task, output: Output) -> None:
        """Keep ``task``'s output (atomically: a file is whole or absent)."""
        if task.keep == "history":
            return
        record: dict[str, Any] = {"label": task.label, "variant": task.variant,
                                  "seed": task.seed, "summary": output.summary,
                                  "timeseries": output.timeseries}
        write_text_atomic(self.path(task), json.dumps(record, sort_keys=True) + "\n")

    def _sha(self, task: Task) -> str:
        """The hash of the task's scenario text (worked out once per scenario object)."""
        known = self._texts.get(id(task.scenario))
        if known is None or known[0] is not task.scenario:
            text = task.scenario if isinstance(task.scenario, str) else task.scenario.to_yaml()
            known = (task.scenario, scenario_sha256(text))
            self._texts[id(task.scenario)] = known
        return known[1]


__all__ = ["KeptRuns", "KeptRunsError"]
