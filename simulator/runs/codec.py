"""A shard's partial result as JSON and back, exactly: the kept shards of an interrupted
sharded run are read back as the very values the shard sent (``runs/kept.py``).

JSON alone would turn tuples into lists, arrays into lists and non-text keys into text,
so those are tagged: ``{"$tuple": [...]}``, ``{"$array": [typecode, [...]]}``, every dict
``{"$dict": [[key, value], ...]}`` and the partial's own classes ``{"$class": name,
"fields": {...}}``. Only the classes named in ``CLASSES`` are ever built back: reading a
file runs no code of its own, unlike a pickle. Floats keep their value (Python writes
their shortest repr), integers their size.
"""

from __future__ import annotations

import json
from array import array
from dataclasses import fields, is_dataclass
from typing import Any

from simulator.observe.partial import Partial, VerdictPart

CLASSES: dict[str, type] = {"Partial": Partial, "VerdictPart": VerdictPart}
"""The classes a partial result is made of, by name."""


class CodecError(ValueError):
    """The text is not a partial result this codec wrote."""


def encode(value: Any) -> Any:
    """``value`` as plain JSON data, every tuple, array, dict and class tagged."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, array):
        return {"$array": [value.typecode, value.tolist()]}
    if is_dataclass(value) and type(value).__name__ in CLASSES:
        return {"$class": type(value).__name__,
                "fields": {f.name: encode(getattr(value, f.name)) for f in fields(value)}}
    raise TypeError(f"cannot keep a {type(value).__name__} in a partial result")


def decode(data: Any) -> Any:
    """What :func:`encode` was given."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "$tuple" in data:
        return tuple(decode(v) for v in data["$tuple"])
    if "$dict" in data:
        return {_key(decode(k)): decode(v) for k, v in data["$dict"]}
    if "$array" in data:
        typecode, values = data["$array"]
        return array(typecode, values)
    if "$class" in data and data["$class"] in CLASSES:
        return CLASSES[data["$class"]](**{k: decode(v) for k, v in data["fields"].items()})
    raise CodecError(f"unknown tagged value: {sorted(data)[:3]}")


def _key(key: Any) -> Any:
    """A dict key as it was (a list is never one: it would have been a tuple)."""
    if isinstance(key, list):
        raise CodecError("a list cannot be a dict key")
    return key


def dumps(part: Partial) -> str:
    """A partial result's text."""
    return json.dumps(encode(part), separators=(",", ":")) + "\n"


def loads(text: str) -> Partial:
    """The partial result written by :func:`dumps` (CodecError if it is not one)."""
    try:
        part = decode(json.loads(text))
    except (ValueError, TypeError, KeyError) as problem:
        raise CodecError(str(problem)) from None
    if not isinstance(part, Partial):
        raise CodecError("not a partial result")
    return part


__all__ = ["CodecError", "dumps", "loads"]
