"""Start-up stays light: the command and the simulation path import only what they use.

Each check imports in a fresh interpreter and inspects ``sys.modules``; timings are measured
by ``bench/startup.py``, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "simulator.report", "simulator.folders", "simulator.analysis",
         "simulator.sweep")
"""Modules (and their submodules) that only rendering and comparing need."""


TINY = """\
mailsim: 1
name: tiny
duration: 2h
users:
  - name: a
    mail: {receive: 20/d, send: 2/d}
    devices: [{name: d, protocol: imap, uses: 1}]
"""


def loaded_after(code: str) -> set[str]:
    """The module names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return set(json.loads(done.stdout.splitlines()[-1]))


def heavy(modules: set[str], extra: tuple[str, ...] = ()) -> list[str]:
    """The modules in ``modules`` that belong to HEAVY (or ``extra``)."""
    return sorted(m for m in modules for h in HEAVY + extra if m == h or m.startswith(h + "."))


def test_simulation_path_imports_no_report_or_matplotlib() -> None:
    """Running a scenario (simulator.runs.run, as a worker process does) loads neither
    matplotlib nor the report, folder, analysis or sweep modules."""
    modules = loaded_after(
        "from simulator.runs import run\n"
        "from simulator.scenario import parse_scenario\n"
        f"s = parse_scenario({TINY!r}, 'tiny.yaml')\n"
        "run(s, keep_history=False)")
    assert "simulator.runs.one" in modules
    assert heavy(modules) == []


def test_batch_worker_imports_no_report_or_matplotlib() -> None:
    """The batch engine, which every worker process imports to run a task, is as light."""
    modules = loaded_after("import simulator.runs.batch")
    assert "simulator.runs.batch" in modules
    assert heavy(modules) == []


@pytest.mark.parametrize("argv", [["--help"], ["validate", "--help"]])
def test_cli_start_imports_no_simulation(argv: list[str]) -> None:
    """Starting ``mailsim`` (its help, or a command before it runs) loads neither the
    simulation nor anything that renders or compares."""
    modules = loaded_after(
        "import sys\nfrom simulator.cli import app\n"
        f"sys.argv = ['mailsim', *{argv!r}]\n"
        "try:\n    app()\nexcept SystemExit:\n    pass")
    assert "simulator.cli" in modules
    assert heavy(modules, ("simulator.world", "simulator.runs", "simpy", "networkx")) == []


def test_package_names_are_lazy_but_public() -> None:
    """``import simulator`` loads no layer, yet every name in ``__all__`` resolves."""
    bare = loaded_after("import simulator")
    assert [m for m in bare if m.startswith("simulator.")] == []
    modules = loaded_after(
        "import simulator\n"
        "names = [getattr(simulator, n) for n in simulator.__all__]\n"
        "assert set(simulator.__all__) <= set(dir(simulator))")
    assert "simulator.runs" in modules and "simulator.sweep" in modules
