"""summary.json's metric blocks have exactly the keys their TypedDicts declare
(simulator/observe/blocks.py), down to every nested block, so the declarations can be
trusted by whoever reads a summary."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any, NotRequired

import pytest

from simulator.observe import blocks
from simulator.runs import run

SCENARIOS = Path(__file__).parents[2] / "scenarios"


def keys_of(td: Any) -> tuple[set[str], set[str]]:
    """A TypedDict's required and optional keys, with the type of each."""
    hints = typing.get_type_hints(td, include_extras=True)
    optional = {k for k, tp in hints.items() if typing.get_origin(tp) is NotRequired}
    return set(hints) - optional, optional


def mismatches(td: Any, value: Any, where: str) -> list[str]:
    """Where ``value`` has keys that ``td`` does not declare, or lacks required ones."""
    if not isinstance(value, dict):
        return [f"{where}: not an object"]
    required, optional = keys_of(td)
    out = [f"{where}: missing {k}" for k in sorted(required - set(value))]
    out += [f"{where}: undeclared {k}" for k in sorted(set(value) - required - optional)]
    hints = typing.get_type_hints(td)
    for key in sorted(set(value) & set(hints)):
        out += nested(hints[key], value[key], f"{where}.{key}")
    return out


def nested(tp: Any, value: Any, where: str) -> list[str]:
    """Check a value against a TypedDict, or a dict or list of them (others: nothing)."""
    if typing.is_typeddict(tp):
        return mismatches(tp, value, where)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is dict and typing.is_typeddict(args[1]):
        return [m for k, v in value.items() for m in nested(args[1], v, f"{where}.{k}")]
    if origin is list and typing.is_typeddict(args[0]):
        return [m for i, v in enumerate(value) for m in nested(args[0], v, f"{where}[{i}]")]
    return []


@pytest.mark.parametrize("path", ["faults.yaml", "examples/private-accounts.yaml"])
def test_every_block_has_exactly_the_keys_its_typeddict_declares(path: str) -> None:
    """A run with faults and anomaly stories, and one with further accounts and another
    server's outages: no key missing, none undeclared."""
    summary = run(SCENARIOS / path, keep_history=False).summary
    metrics = {k: v for k, v in summary.items() if k not in ("mailsim_version", "scenario")}
    assert mismatches(blocks.Metrics, metrics, "summary") == []


def test_the_check_itself_notices_a_missing_and_an_undeclared_key() -> None:
    """The checker above is not vacuous: it names a dropped key and a stray one."""
    block = {"valid": True, "violations": [], "extra": 1}
    assert mismatches(blocks.VerdictBlock, block, "verdict") == [
        "verdict: missing violation_count", "verdict: undeclared extra"]
