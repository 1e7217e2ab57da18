"""The source document's claims (../shared/seed/CLAIMS.md) put to the test: each claim
group names small claim scenarios (in a folder passed in; mailsim ships them), the runs
(scenario × variant) that matter, what to measure in each run, and a judge that turns the
measured means into "holds", "holds partly" or "refuted" with one line saying why.

Every run the claims need goes through the batch engine once, shared between claims;
``mailsim claims`` renders the findings into docs/claims.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from simulator.analysis.finding import STATUSES, Finding, Numbers
from simulator.analysis.stats import summarize
from simulator.runs import Progress, Results, Task, replication_seeds, run_batch
from simulator.scenario import Scenario, load_scenario

Ruling = tuple[str, str]
"""What a judge returns: (status, one line why)."""


@dataclass(frozen=True)
class ClaimRun:
    """One column of a claim's numbers: a claim scenario under one variant."""

    label: str
    scenario: str
    variant: str


@dataclass(frozen=True)
class Measure:
    """A number taken from one run's results (summary and history), with its unit."""

    name: str
    unit: str
    get: Callable[[Results], float | None]


@dataclass(frozen=True)
class Claim:
    """A claim group: ids, what the document says, the runs, the measures and the judge."""

    ids: str
    says: str
    runs: tuple[ClaimRun, ...] = ()
    measures: tuple[Measure, ...] = ()
    judge: Callable[[Numbers], Ruling] | None = None
    untestable: str = ""
    not_protocol: bool = False

    @property
    def scenarios(self) -> list[str]:
        """The claim scenario files it uses, in order."""
        return list(dict.fromkeys(r.scenario for r in self.runs))


class ClaimRuns:
    """The runs behind the claims: each (scenario, variant, seed) run once, with its
    history, through the batch engine, and kept for every claim that needs it."""

    def __init__(self, folder: Path, replications: int = 2, workers: int = 1,
                 progress: Progress | None = None) -> None:
        """Run ``replications`` seeds per claim scenario found in ``folder``."""
        self.folder = Path(folder)
        self.replications = replications
        self.workers = workers
        self.progress = progress
        self._scenarios: dict[str, Scenario] = {}
        self._results: dict[tuple[str, str, int], Results] = {}

    def scenario(self, name: str) -> Scenario:
        """A claim scenario by file name, loaded once."""
        if name not in self._scenarios:
            self._scenarios[name] = load_scenario(self.folder / name)
        return self._scenarios[name]

    def seeds(self, name: str) -> list[int]:
        """The seeds a claim scenario runs with: its own, then derived ones."""
        return replication_seeds(self.scenario(name).seed, self.replications)

    def prepare(self, claims: Sequence[Claim]) -> None:
        """Run, in one batch, every run of ``claims`` not run yet."""
        self._run([r for c in claims for r in c.runs])

    def results(self, r: ClaimRun, seed: int) -> Results:
        """One run's results (with history)."""
        self._run([r])
        return self._results[(r.scenario, r.variant, seed)]

    def _run(self, runs: Sequence[ClaimRun]) -> None:
        """Every seed of ``runs`` not run yet, as one batch on the engine."""
        keys = dict.fromkeys((r.scenario, r.variant, s) for r in runs
                             for s in self.seeds(r.scenario))
        todo = [k for k in keys if k not in self._results]
        if not todo:
            return
        tasks = [Task(self.scenario(name), variant, seed, keep="history",
                      label=f"{name} {variant} (seed {seed})") for name, variant, seed in todo]
        outputs = run_batch(tasks, self.workers, progress=self.progress)
        for (name, variant, seed), output in zip(todo, outputs, strict=True):
            ran = self.scenario(name).model_copy(update={"seed": seed}).with_variant(variant)
            self._results[(name, variant, seed)] = output.results(ran)

    def measure(self, claim: Claim) -> Numbers:
        """Every measure of ``claim`` per run, averaged over the seeds."""
        self.prepare([claim])
        numbers: Numbers = {m.name: {} for m in claim.measures}
        for r in claim.runs:
            per_seed = [self.results(r, s) for s in self.seeds(r.scenario)]
            for m in claim.measures:
                numbers[m.name][r.label] = summarize([m.get(x) for x in per_seed]).mean
        return numbers

    def judge(self, claim: Claim) -> Finding:
        """Measure and judge one claim."""
        finding = Finding(claim.ids, claim.says, why=claim.untestable,
                          units={m.name: m.unit for m in claim.measures},
                          scenarios=claim.scenarios)
        if claim.judge is None:
            finding.status = "not testable" if claim.not_protocol else "not testable yet"
            return finding
        finding.numbers = self.measure(claim)
        finding.status, finding.why = claim.judge(finding.numbers)
        assert finding.status in STATUSES, finding.status
        finding.seeds = {name: self.seeds(name) for name in claim.scenarios}
        return finding


def judge_claims(claims: Sequence[Claim], folder: Path, replications: int = 2,
                 workers: int = 1, progress: Progress | None = None) -> list[Finding]:
    """Every claim of ``claims`` judged on the claim scenarios in ``folder``, all their runs
    done in one batch."""
    runs = ClaimRuns(folder, replications, workers, progress)
    runs.prepare(claims)
    return [runs.judge(c) for c in claims]
