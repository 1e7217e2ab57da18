"""Finished runs and shards kept on disk as they end, so that a long batch or a long
sharded run that is interrupted (Ctrl-C, a dead worker, a machine that went down) resumes
where it stopped: ``mailsim compare --resume``, ``mailsim run --resume``. One small JSON
file per run or shard (a shard's partial result through ``runs/codec.py``, beside its
story file), named by everything that determines it (the scenario's text, variant, seed,
what it keeps, the shard's people and mailsim's version), so it is reused only by the very
run or shard it stands for; a run is deterministic, so reusing it changes no byte of the
result."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from simulator.observe.partial import Partial
from simulator.runs.batch import Output, Part, Task
from simulator.runs.codec import CodecError, dumps, loads
from simulator.runs.files import write_text_atomic
from simulator.runs.one import mailsim_version
from simulator.scenario import Scenario, scenario_sha256

SHARD = ".shard.json"
"""A kept shard's partial result, by its name's ending."""
STORIES = ".stories.jsonl.gz"
"""A shard's story file, by its name's ending."""


class KeptRunsError(Exception):
    """The folder of kept runs is in the way (resume or start again) or is not one."""


class KeptRuns:
    """A folder of finished runs' outputs (summary, and time series when kept) and of
    finished shards' partial results with their story files; a run that keeps its history
    in memory is never kept (the history is what a story file is for)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._texts: dict[int, tuple[Scenario | str, str]] = {}

    @classmethod
    def open(cls, folder: Path, resume: bool = False, force: bool = False,
             what: str = "runs of an interrupted comparison") -> KeptRuns:
        """The kept runs at ``folder``: continued with ``resume``, emptied with ``force``;
        refused if it holds runs and neither is given (nothing is thrown away unasked).
        ``what`` says in the refusal what the folder holds."""
        if folder.exists() and not folder.is_dir():
            raise KeptRunsError(f"{folder}: exists and is not a folder of kept runs")
        if folder.exists() and force:
            shutil.rmtree(folder)
        elif folder.exists() and not resume and any(folder.glob("*.json")):
            raise KeptRunsError(
                f"{folder}: holds the finished {what}; pass "
                "--resume to continue it or --force to start again")
        folder.mkdir(parents=True, exist_ok=True)
        return cls(folder)

    def discard(self) -> None:
        """The batch is written: the kept runs are not needed any more."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def tidy(self) -> bool:
        """After a command stopped: remove what did not finish (the story file of a shard
        without its partial result), and the folder if nothing is kept, so that only whole
        runs and shards stay. Whether any are kept."""
        for story in self.folder.glob(f"*{STORIES}"):
            if not story.with_name(story.name[:-len(STORIES)] + SHARD).exists():
                story.unlink(missing_ok=True)
        for scrap in self.folder.glob(".*.tmp"):  # an atomic write cut short by a kill
            scrap.unlink(missing_ok=True)
        if self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()
        return self.folder.is_dir()

    def path(self, task: Task) -> Path:
        """Where ``task``'s output is kept."""
        return self.folder / f"{self._name(task)}.json"

    def shard_path(self, part: Part) -> Path:
        """Where a shard's partial result is kept."""
        return self.folder / f"{self._name(part.task, part)}{SHARD}"

    def story_path(self, part: Part) -> Path:
        """Where a shard that writes a story file writes it."""
        return self.folder / f"{self._name(part.task, part)}{STORIES}"

    def load_shard(self, part: Part) -> Partial | None:
        """The shard's partial result if it was kept (and its story file, if it writes one:
        kept only once the story file was finished); what cannot be read is run again."""
        if part.task.keep == "history":
            return None
        if part.story_file is not None and not part.story_file.exists():
            return None
        try:
            return loads(self.shard_path(part).read_text(encoding="utf-8"))
        except (OSError, CodecError):
            return None

    def save_shard(self, part: Part, partial: Partial) -> None:
        """Keep a finished shard's partial result (atomically)."""
        if part.task.keep != "history":
            write_text_atomic(self.shard_path(part), dumps(partial))

    def drop_shard(self, part: Part) -> None:
        """Forget a kept shard (its run's output is kept now)."""
        self.shard_path(part).unlink(missing_ok=True)
        self.story_path(part).unlink(missing_ok=True)

    def _name(self, task: Task, part: Part | None = None) -> str:
        """A file name standing for everything that determines a run (or one shard of it)."""
        ident: list[Any] = [mailsim_version(), self._sha(task), task.variant, task.seed,
                            task.keep]
        if part is not None:
            ident += [part.shard, part.shards, list(part.people), part.story_file is not None]
        return hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:24]

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
        """The hash of the task's scenario text, worked out once per scenario object (kept
        alive beside its hash, so its id is not reused by another)."""
        known = self._texts.get(id(task.scenario))
        if known is None:
            text = task.scenario if isinstance(task.scenario, str) else task.scenario.to_yaml()
            known = self._texts[id(task.scenario)] = (task.scenario, scenario_sha256(text))
        return known[1]


__all__ = ["KeptRuns", "KeptRunsError"]
