"""pytest plugin (entry point ``pytest11``): mailsim's marker, the ``mailsim_run`` fixture,
and two options: ``--mailsim-save DIR`` (each failing test that ran scenarios through
``mailsim_run`` leaves its last run — for a hypothesis property, the shrunk example — as
scenario.yaml, report.html and explanation.txt in DIR/<test name>) and
``--mailsim-examples N`` (examples per hypothesis property that does not pin its own)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

from simulator.runs import Results, run
from simulator.scenario import Scenario, parse_scenario
from simulator.testing.saving import explain, save_failure
from simulator.testing.troubles import troubles

RUNS = pytest.StashKey[list[Results]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register --mailsim-save and --mailsim-examples."""
    group = parser.getgroup("mailsim")
    group.addoption("--mailsim-save", metavar="DIR", default=None,
                    help="save each failing mailsim test's scenario, report.html and "
                         "explanation in DIR/<test name>")
    group.addoption("--mailsim-examples", metavar="N", type=int, default=None,
                    help="examples per hypothesis property that does not pin max_examples")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker; load a hypothesis profile with the chosen example count."""
    config.addinivalue_line("markers", "mailsim: a test that runs a mailsim scenario")
    examples = config.getoption("--mailsim-examples", None)
    if examples is not None:
        if examples < 1:
            raise pytest.UsageError("--mailsim-examples must be at least 1")
        settings.register_profile("mailsim-examples", settings.default, max_examples=examples)
        settings.load_profile("mailsim-examples")


@pytest.fixture
def mailsim_run(request: pytest.FixtureRequest) -> Iterator[Callable[..., Results]]:
    """Run a scenario (a Scenario, YAML text or a path) and keep its results, so that a
    failing test can leave the last run behind (``--mailsim-save``). Under hypothesis,
    suppress ``HealthCheck.function_scoped_fixture``: the fixture is meant to be shared."""
    kept = request.node.stash.setdefault(RUNS, [])

    def go(scenario: Scenario | str | Path, **options: Any) -> Results:
        """``simulator.runs.run`` with the results kept for the failure report."""
        if isinstance(scenario, str) and "\n" in scenario:
            scenario = parse_scenario(scenario, f"<{request.node.name}>")
        results = run(scenario, **options)
        kept[:] = [results]
        return results

    yield go


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failing call, save the test's last mailsim run where --mailsim-save says."""
    outcome = yield
    report = outcome.get_result()
    folder = item.config.getoption("--mailsim-save", None)
    kept = item.stash.get(RUNS, [])
    if not (folder and report.when == "call" and report.failed and kept):
        return
    dest = Path(folder) / safe_name(item.nodeid)
    message = str(call.excinfo.value).splitlines()[:1] if call.excinfo else []
    text = explain(kept[-1], f"The test {item.nodeid} failed on this scenario, its last run",
                   troubles(kept[-1]) or message)
    save_failure(kept[-1], dest, text, force=True)
    report.sections.append(("mailsim", f"saved the failing scenario and its report in {dest}"))


def safe_name(nodeid: str) -> str:
    """A test id as a folder name: "tests/test_x.py::test_y[a]" -> "test_x.py-test_y-a"."""
    name = nodeid.rsplit("/", 1)[-1].replace("::", "-")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-")
