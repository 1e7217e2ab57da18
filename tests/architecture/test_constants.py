"""The compiled core's module constants are ``Final``: compiled code reads a ``Final`` from
a C static (a literal one is written into the code), and any other module-level name from
the module's dict, by a string lookup at every use (4 % of a run's instructions before
4 December, eleventh session)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from simulator import core

CONSTANT = re.compile(r"_?[A-Z][A-Z0-9_]*")
"""A module constant's name (type variables aside)."""


def _unmarked(path: Path) -> list[str]:
    """The module constants of ``path`` assigned without ``Final``, as "name (line)"."""
    found = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign):
            names = [t for t in node.targets if isinstance(t, ast.Name)]
            names += [e for t in node.targets if isinstance(t, ast.Tuple) for e in t.elts
                      if isinstance(e, ast.Name)]
            value = node.value
            if isinstance(value, ast.Call) and ast.unparse(value.func) == "TypeVar":
                continue
            found += [f"{n.id} ({node.lineno})" for n in names if CONSTANT.fullmatch(n.id)]
        elif (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
              and CONSTANT.fullmatch(node.target.id)
              and "Final" not in ast.unparse(node.annotation)):
            found.append(f"{node.target.id} ({node.lineno})")
    return found


@pytest.mark.parametrize("module", core.COMPILED)
def test_compiled_modules_mark_their_constants_final(module: str) -> None:
    """Every upper-case module-level name of a compiled module is annotated ``Final``."""
    assert _unmarked(core.ROOT / module) == []


def test_the_check_finds_an_unmarked_constant(tmp_path: Path) -> None:
    """The check is not vacuous: a plain, a tuple and an annotated assignment are found."""
    source = tmp_path / "m.py"
    source.write_text('A = 1\nB, _C = 2, 3\nD: int = 4\nE: Final = 5\nlower = 6\n'
                      'T = TypeVar("T")\n')
    assert _unmarked(source) == ["A (1)", "B (2)", "_C (2)", "D (3)"]


@pytest.mark.parametrize("module", core.COMPILED)
def test_no_final_tuple_holds_a_float(module: str) -> None:
    """mypyc 2.4 keeps a ``Final`` fixed-length tuple of floats as a C struct and tests the
    static wrongly before each read (a NameError, or a stale error passed over): such a
    constant is written as separate floats instead (``timing.WAKE`` and ``timing.SLEEP``)."""
    name = "simulator." + module.removesuffix(".py").replace("/", ".")
    namespace = vars(importlib.import_module(name))
    floaty = [name for name, value in namespace.items() if CONSTANT.fullmatch(name)
              and isinstance(value, tuple) and any(isinstance(x, float) for x in value)]
    assert floaty == []
