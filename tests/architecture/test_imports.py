"""The layers import only downwards (docs/ARCHITECTURE.md): read with ``ast``, no
function-level import of the project's own modules outside cli.py (which keeps its
imports lazy for start-up), and no import circle between the parts of ``simulator/``
beyond type-only (``if TYPE_CHECKING``) references."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

ROOT = Path(__file__).resolve().parents[2] / "simulator"

LAYERS: list[set[str]] = [
    {"core", "stops", "mail", "scenario", "external"},
    {"clients"},
    {"observe"},
    {"world"},
    {"runs", "conformance", "backend"},
    {"analysis"},
    {"report"},
    {"folders"},
    {"sweep", "testing"},
    {"cli", "__init__", "__main__"},
]
"""The parts of simulator/, lowest first: a part may import its own layer's parts (without
a circle) and those below, never one above."""


def part_of(path: Path) -> str:
    """The part a file belongs to: its package under simulator/, or a top-level module."""
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def project_imports(path: Path) -> Iterator[tuple[ast.AST, str, bool]]:
    """(node, imported part, inside a function?) for every import of a simulator module,
    leaving out what ``if TYPE_CHECKING:`` guards."""
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.AST, str, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                yield from (x for n in child.orelse for x in walk_one(n, in_function))
                continue
            yield from walk_one(child, in_function)

    def walk_one(node: ast.AST, in_function: bool) -> Iterator[tuple[ast.AST, str, bool]]:
        inner = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for name in imported(node, path):
            yield node, name, in_function
        yield from walk(node, inner)

    yield from walk(tree, False)


def imported(node: ast.AST, path: Path) -> list[str]:
    """The simulator parts an import statement names (none for other packages)."""
    if isinstance(node, ast.Import):
        modules = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            return [part_of(path)]
        modules = [node.module or ""]
    else:
        return []
    return [m.split(".")[1] if "." in m else "__init__" for m in modules
            if m == "simulator" or m.startswith("simulator.")]


def files() -> list[Path]:
    """Every Python file of the package."""
    return sorted(p for p in ROOT.rglob("*.py") if "bundled" not in p.parts)


def test_project_imports_inside_functions_only_in_cli() -> None:
    """A function-level import of a simulator module hides a dependency (or a circle);
    only cli.py may defer imports, to start quickly."""
    found = [f"{p.relative_to(ROOT.parent)}:{node.lineno}"
             for p in files() if p.name != "cli.py"
             for node, _part, in_function in project_imports(p) if in_function]
    assert found == []


def graph() -> nx.DiGraph:
    """part -> parts it imports at run time."""
    g = nx.DiGraph()
    for p in files():
        g.add_node(part_of(p))
        for _node, part, _in_function in project_imports(p):
            if part != part_of(p):
                g.add_edge(part_of(p), part)
    return g


def test_no_import_circle_between_parts() -> None:
    """runs/, analysis/, report/, folders, sweep/, ... never import each other in a circle."""
    assert list(nx.simple_cycles(graph())) == []


def test_every_part_imports_only_its_own_layer_or_below() -> None:
    """Each import goes down the layers (analysis never imports report, report never
    imports folders, runs never imports analysis, ...)."""
    level = {part: i for i, layer in enumerate(LAYERS) for part in layer}
    g = graph()
    assert set(g.nodes) <= set(level), set(g.nodes) - set(level)
    upward = [(a, b) for a, b in g.edges if level[b] > level[a]]
    assert upward == []
