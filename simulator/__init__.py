"""mailsim: a discrete-event simulator and test harness for mail accounts used from several
devices under POP3 or IMAP.

    from simulator import load_scenario, run, compare, sweep
    results = run("scenarios/small-office.yaml", variant="imap")
    results.summary["consistency"]["agreement"]

The public names are imported on first use (module ``__getattr__``), so that importing one
layer, starting ``mailsim`` or a worker process does not import them all (matplotlib among
them).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.analysis import Comparison, Finding, compare
    from simulator.analysis.claims import judge_claims
    from simulator.folders import rerender, write_comparison, write_run
    from simulator.runs import Results, Task, run, run_batch
    from simulator.scenario import Scenario, ScenarioError, load_scenario
    from simulator.sweep import SweepResult, sweep

_HOMES = {
    "Comparison": "simulator.analysis", "Finding": "simulator.analysis",
    "compare": "simulator.analysis", "judge_claims": "simulator.analysis.claims",
    "rerender": "simulator.folders", "write_comparison": "simulator.folders",
    "write_run": "simulator.folders", "Results": "simulator.runs", "Task": "simulator.runs",
    "run": "simulator.runs", "run_batch": "simulator.runs", "Scenario": "simulator.scenario",
    "ScenarioError": "simulator.scenario", "load_scenario": "simulator.scenario",
    "SweepResult": "simulator.sweep", "sweep": "simulator.sweep",
}

__all__ = ["Comparison", "Finding", "Results", "Scenario", "ScenarioError", "SweepResult",
           "Task", "compare", "judge_claims", "load_scenario", "rerender", "run", "run_batch",
           "sweep", "write_comparison", "write_run"]


def __getattr__(name: str) -> Any:
    """A public name, imported from its layer the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'simulator' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazy public ones included."""
    return sorted(set(globals()) | set(__all__))
