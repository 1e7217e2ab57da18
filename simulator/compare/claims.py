"""The source document's claims (../shared/seed/CLAIMS.md) put to the test: each claim
group names small scenarios in ``scenarios/claims/``, the runs (scenario × variant) that
matter, what to measure in each run, and a judge that turns the measured means into
"holds", "holds partly" or "refuted" with one line saying why. ``docs/make_claims.py``
renders them into docs/claims.md; ``tests/claims/`` asserts each direction with a margin.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from simulator.compare.runs import replication_seeds
from simulator.compare.stats import summarize
from simulator.runner import Results, run
from simulator.scenario import Scenario, load_scenario

CLAIMS_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "claims"
STATUSES = ("holds", "holds partly", "refuted", "not testable yet", "not testable")

Numbers = dict[str, dict[str, float | None]]
"""measure name -> run label -> mean over seeds."""
Verdict = tuple[str, str]
"""(status, one line why)."""


@dataclass(frozen=True)
class Run:
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
    runs: tuple[Run, ...] = ()
    measures: tuple[Measure, ...] = ()
    judge: Callable[[Numbers], Verdict] | None = None
    untestable: str = ""
    not_protocol: bool = False

    @property
    def scenarios(self) -> list[str]:
        """The claim scenario files it uses, in order."""
        return list(dict.fromkeys(r.scenario for r in self.runs))


@dataclass
class Outcome:
    """A claim evaluated: the measured means per run, the status and why."""

    claim: Claim
    numbers: Numbers
    status: str
    why: str
    seeds: dict[str, list[int]] = field(default_factory=dict)


class Runner:
    """Runs claim scenarios, each (scenario, variant, seed) once, shared between claims."""

    def __init__(self, replications: int = 2, root: Path = CLAIMS_DIR) -> None:
        """Run ``replications`` seeds per claim scenario found under ``root``."""
        self.replications = replications
        self.root = root
        self._scenarios: dict[str, Scenario] = {}
        self._results: dict[tuple[str, str, int], Results] = {}

    def scenario(self, name: str) -> Scenario:
        """A claim scenario by file name, loaded once."""
        if name not in self._scenarios:
            self._scenarios[name] = load_scenario(self.root / name)
        return self._scenarios[name]

    def seeds(self, name: str) -> list[int]:
        """The seeds a claim scenario runs with: its own, then derived ones."""
        return replication_seeds(self.scenario(name).seed, self.replications)

    def results(self, r: Run, seed: int) -> Results:
        """One run's results (with history), computed once."""
        key = (r.scenario, r.variant, seed)
        if key not in self._results:
            self._results[key] = run(self.scenario(r.scenario), seed=seed, variant=r.variant)
        return self._results[key]

    def measure(self, claim: Claim) -> Numbers:
        """Every measure of ``claim`` per run, averaged over the seeds."""
        numbers: Numbers = {m.name: {} for m in claim.measures}
        for r in claim.runs:
            per_seed = [self.results(r, s) for s in self.seeds(r.scenario)]
            for m in claim.measures:
                numbers[m.name][r.label] = summarize([m.get(x) for x in per_seed]).mean
        return numbers

    def evaluate(self, claim: Claim) -> Outcome:
        """Measure and judge one claim."""
        if claim.judge is None:
            status = "not testable" if claim.not_protocol else "not testable yet"
            return Outcome(claim, {}, status, claim.untestable)
        numbers = self.measure(claim)
        status, why = claim.judge(numbers)
        assert status in STATUSES, status
        seeds = {name: self.seeds(name) for name in claim.scenarios}
        return Outcome(claim, numbers, status, why, seeds)
