"""The simulation core runs compiled (mypyc) or from its Python sources, with the same
results byte for byte; a build that no longer matches the sources is never used."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from simulator import core
from simulator.runs import run
from simulator.scenario import load_scenario, parse_scenario
from tests.runs.test_shards import faulty_documents

ROOT = Path(__file__).resolve().parents[2]
COMPILED = core.status() == "compiled"
needs_build = pytest.mark.skipif(not COMPILED, reason=f"core: {core.status()}")

FROM_SOURCE = """\
import hashlib, sys
from simulator.core import status
from simulator.runs import run
from simulator.scenario import load_scenario
assert status().startswith("source"), status()
scenario = load_scenario(sys.argv[1])
for variant in sys.argv[2:]:
    results = run(scenario, variant=None if variant == "-" else variant, keep_history=False)
    text = results.summary_json() + results.timeseries_csv()
    print(hashlib.sha256(text.encode()).hexdigest())
"""
"""Runs a scenario file's variants from source (MAILSIM_PURE) and prints each one's hash."""


def from_source(path: Path, variants: list[str | None]) -> list[str]:
    """The hashes of summary.json + timeseries.csv of each variant, run from source."""
    done = subprocess.run(
        [sys.executable, "-c", FROM_SOURCE, str(path), *[v or "-" for v in variants]],
        capture_output=True, text=True, check=True, cwd=ROOT,
        env={**os.environ, "MAILSIM_PURE": "1"})
    return done.stdout.split()


def here(path: Path, variants: list[str | None]) -> list[str]:
    """The same hashes, run in this process (compiled)."""
    scenario = load_scenario(path)
    hashes = []
    for variant in variants:
        results = run(scenario, variant=variant, keep_history=False)
        text = results.summary_json() + results.timeseries_csv()
        hashes.append(hashlib.sha256(text.encode()).hexdigest())
    return hashes


@pytest.fixture
def fresh_status() -> Iterator[None]:
    """Forget the cached status before and after a test that changes what it reads."""
    core.status.cache_clear()
    yield
    core.status.cache_clear()


@needs_build
@pytest.mark.parametrize("name", ["small-office.yaml", "faults.yaml"])
def test_a_bundled_scenario_gives_the_same_bytes_compiled_and_from_source(name: str) -> None:
    """Every variant of a bundled scenario: the same summary.json and timeseries.csv."""
    path = ROOT / "scenarios" / name
    variants = [None, *load_scenario(path).variant_names()]
    assert here(path, variants) == from_source(path, variants)


@needs_build
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                HealthCheck.function_scoped_fixture])
@given(text=faulty_documents())
def test_generated_scenarios_give_the_same_bytes_compiled_and_from_source(
        text: str, tmp_path: Path) -> None:
    """Whatever the people, accounts, faults and events (the sharding property's
    scenarios), under POP3 and IMAP alike."""
    path = tmp_path / "generated.yaml"
    path.write_text(text)
    parse_scenario(text, str(path))  # valid, or the strategy is wrong
    variants: list[str | None] = [None, "pop3", "imap"]
    assert here(path, variants) == from_source(path, variants)


def test_an_edited_source_runs_the_whole_core_from_source(
        fresh_status: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """One source whose hash is not the build's: every compiled module loads from source
    (they call each other directly, so they are used all together or not at all)."""
    edited = {**core.digests(), core.COMPILED[0]: "0" * 64}
    monkeypatch.setattr(core, "digests", lambda: edited)
    if COMPILED:
        assert core.status().startswith("source (the sources changed")
    assert core.status() != "compiled"
    for path in core.COMPILED:
        name = "simulator." + path.removesuffix(".py").replace("/", ".")
        spec = core._FromSource().find_spec(name)
        assert spec is not None and spec.origin == str(core.ROOT / path)


def test_a_module_outside_the_build_always_loads_from_source(fresh_status: None) -> None:
    """A module the build does not compile (now) is found in its source, so an extension
    an older build left beside it is never loaded."""
    spec = core._FromSource().find_spec("simulator.world.clock")
    assert spec is not None and spec.origin == str(core.ROOT / "world" / "clock.py")
    assert core._FromSource().find_spec("simulator.world") is None  # a package: as usual
    assert core._FromSource().find_spec("yaml") is None


def test_mailsim_pure_runs_from_source_and_version_says_which() -> None:
    """MAILSIM_PURE=1 loads the sources; ``mailsim --version`` names the core it runs."""
    env = {**os.environ, "MAILSIM_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "import simulator.world.line as m; print(m.__file__)"],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    assert done.stdout.strip() == str(core.ROOT / "world" / "line.py")
    version = subprocess.run([sys.executable, "-m", "simulator", "--version"],
                             capture_output=True, text=True, check=True, env=env, cwd=ROOT)
    assert version.stdout.strip().endswith("(core: source (MAILSIM_PURE is set))")
