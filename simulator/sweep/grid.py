"""Sweep grids: axes like ``server.quota=[500MB, 1GB]`` over a scenario's YAML, expanded
into points, each point applied to the YAML document before it is validated again.

A path walks the YAML as written: mapping keys separated by dots, list items as ``[i]``
(``users[0].mail.receive``, ``profiles.phone.client.cache``). The axis ``variant`` picks
a variant (the scenario's own or a built-in preset) instead of editing the document.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from simulator.scenario.units import parse_duration, parse_rate, parse_size

VARIANT = "variant"
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PATH = re.compile(r"[^.\[\]]+(\[\d+\])*(\.[^.\[\]]+(\[\d+\])*)*")


class GridError(ValueError):
    """An axis that cannot be parsed or applied; the message says what was expected."""


@dataclass(frozen=True)
class Axis:
    """One swept parameter: a path into the scenario and the values it takes."""

    path: str
    values: tuple[Any, ...]


Point = tuple[tuple[str, Any], ...]
"""One combination: (path, value) for every axis, in axis order."""


def parse_axis(spec: str) -> Axis:
    """``path=v1,v2`` or ``path=[v1, v2]`` (YAML flow list; values keep YAML types)."""
    path, sep, raw = spec.partition("=")
    path, raw = path.strip(), raw.strip()
    if not sep or not path or not raw:
        raise GridError(f"--grid {spec!r}: expected PATH=VALUE[,VALUE...], "
                        "e.g. server.quota=500MB,1GB")
    text = raw if raw.startswith("[") else "[" + raw + "]"
    try:
        values = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise GridError(f"--grid {spec!r}: cannot read the values: {err}") from None
    if not isinstance(values, list) or not values:
        raise GridError(f"--grid {spec!r}: expected at least one value")
    split_path(path)
    return Axis(path, tuple(values))


def split_path(path: str) -> list[str | int]:
    """``users[0].mail`` -> ["users", 0, "mail"]; raises GridError on a malformed path."""
    if not _PATH.fullmatch(path):
        raise GridError(f"--grid path {path!r}: expected keys joined by dots and [index], "
                        "e.g. users[0].mail.receive")
    return [m.group(1) if m.group(1) is not None else int(m.group(2))
            for m in _PART.finditer(path)]


def expand(axes: list[Axis]) -> list[Point]:
    """Every combination of the axes' values (the first axis varies slowest)."""
    names = [a.path for a in axes]
    if len(set(names)) != len(names):
        raise GridError("each --grid path may appear once")
    return [tuple(zip(names, combo, strict=True))
            for combo in itertools.product(*(a.values for a in axes))]


def apply(doc: dict[str, Any], point: Point) -> tuple[dict[str, Any], str | None]:
    """A copy of ``doc`` with the point's values set, and the point's variant (if any)."""
    out = copy.deepcopy(doc)
    variant = None
    for path, value in point:
        if path == VARIANT:
            variant = str(value)
            continue
        _set(out, split_path(path), value, path)
    return out, variant


def _set(node: Any, parts: list[str | int], value: Any, path: str) -> None:
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise GridError(f"--grid {path}: no item [{part}] there")
        elif not isinstance(node, dict):
            raise GridError(f"--grid {path}: {part!r} is not inside a mapping")
        if last:
            node[part] = value
            return
        if isinstance(part, str) and part not in node:
            node[part] = {}
        node = node[part]


def label(point: Point) -> str:
    """``server.quota=1GB, variant=imap`` for tables and progress."""
    return ", ".join(f"{path}={value}" for path, value in point)


def scale(path: str, values: Sequence[Any]) -> tuple[str, list[float]] | None:
    """A numeric axis's unit ('bytes', 's', 'rate' or 'count') and its values as numbers
    (SI), or None for a categorical axis (variant, words, flags, mixed values)."""
    if path == VARIANT or any(isinstance(v, bool) for v in values):
        return None
    if all(isinstance(v, int | float) for v in values):
        return "count", [float(v) for v in values]
    for unit, parse in (("bytes", parse_size), ("s", parse_duration), ("rate", parse_rate)):
        try:
            return unit, [float(parse(v)) for v in values]
        except (ValueError, TypeError):
            continue
    return None


def scales(spec: dict[str, Any]) -> dict[str, tuple[str, list[float]] | None]:
    """Every swept axis's scale, by path, in grid order."""
    return {path: scale(path, spec["values"][path]) for path in spec["axes"]}
