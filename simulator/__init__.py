"""mailsim: a discrete-event simulator and test harness for mail accounts used from several
devices under POP3 or IMAP.

    from simulator import load_scenario, run, compare, sweep
    results = run("scenarios/small-office.yaml", variant="imap")
    results.summary["consistency"]["agreement"]
"""

from simulator.compare import Comparison, compare
from simulator.runner import Results, run
from simulator.scenario import Scenario, ScenarioError, load_scenario
from simulator.sweep import SweepResult, sweep

__all__ = ["Comparison", "Results", "Scenario", "ScenarioError", "SweepResult", "compare",
           "load_scenario", "run", "sweep"]
