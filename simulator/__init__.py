"""mailsim: a discrete-event simulator and test harness for mail accounts used from several
devices under POP3 or IMAP.

    from simulator import load_scenario, run, compare, sweep
    results = run("scenarios/small-office.yaml", variant="imap")
    results.summary["consistency"]["agreement"]
"""

from simulator.analysis import Comparison, Finding, compare
from simulator.analysis.claims import judge_claims
from simulator.folders import rerender, write_comparison, write_run
from simulator.runs import Results, Task, run, run_batch
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.sweep import SweepResult, sweep

__all__ = ["Comparison", "Finding", "Results", "Scenario", "ScenarioError", "SweepResult",
           "Task", "compare", "judge_claims", "load_scenario", "rerender", "run", "run_batch",
           "sweep", "write_comparison", "write_run"]
