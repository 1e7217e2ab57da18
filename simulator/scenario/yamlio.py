"""Safe YAML reading that keeps positions: plain Python data plus the node of every path.

Built on `yaml.SafeLoader`'s composer, with YAML 1.2-style scalars (so `on`, `no` and
`12:00` stay strings), duplicate-key detection at any depth, and no arbitrary tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

Loc = tuple[str | int, ...]

_TAG = "tag:yaml.org,2002:"
_MAX_NODES = 1_000_000


class _Loader(yaml.SafeLoader):
    """SafeLoader with only YAML 1.2-like implicit scalars: null, true/false, ints, floats."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # noqa: RUF012  (PyYAML's class registry)


_RESOLVERS = [
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?(?:0|[1-9][0-9]*)|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|[-+]?\.[0-9]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+0123456789."),
    ),
]
for _name, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_TAG + _name, re.compile(_pattern), _first)


class YamlProblem(Exception):
    """A problem found while reading YAML, with the (0-based) position of the node at fault."""

    def __init__(self, loc: Loc, line: int, column: int, message: str) -> None:
        """Remember where (loc path and mark) and what went wrong."""
        super().__init__(message)
        self.loc, self.line, self.column, self.message = loc, line, column, message


@dataclass
class Document:
    """Plain data read from YAML plus, for every path, its value node and (if a key) key node."""

    data: Any
    nodes: dict[Loc, yaml.Node] = field(default_factory=dict)
    keys: dict[Loc, yaml.Node] = field(default_factory=dict)
    root: yaml.Node | None = None


def read_yaml(text: str) -> Document:
    """Compose text into nodes and convert them to plain data, remembering every node's path.

    Raises `yaml.MarkedYAMLError` for syntax errors and `YamlProblem` for duplicate keys,
    unsupported tags or non-scalar keys.
    """
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    doc = Document(data=None, root=root)
    if root is not None:
        doc.data = _Builder(doc).build(root, ())
    return doc


class _Builder:
    """Converts a node tree to plain data while recording nodes by path into a Document."""

    def __init__(self, doc: Document) -> None:
        """Start with no nodes visited."""
        self.doc, self.count, self.active = doc, 0, set[int]()

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        """Convert node (found at loc) and record it; guard against alias bombs and cycles."""
        self.count += 1
        if self.count > _MAX_NODES or id(node) in self.active:
            raise YamlProblem(loc, *_pos(node), "too many or recursive aliases")
        self.doc.nodes[loc] = node
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode) and node.tag == _TAG + "map":
                return self._mapping(node, loc)
            if isinstance(node, yaml.SequenceNode) and node.tag == _TAG + "seq":
                return [self.build(item, (*loc, i)) for i, item in enumerate(node.value)]
            if isinstance(node, yaml.ScalarNode):
                return _scalar(node, loc)
            raise YamlProblem(loc, *_pos(node), f"unsupported YAML tag {_short(node.tag)}")
        finally:
            self.active.discard(id(node))

    def _mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[str, Any]:
        """Convert a mapping; keys are their source text; a repeated key is an error."""
        out: dict[str, Any] = {}
        first: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlProblem(loc, *_pos(key_node), "keys must be plain words, not collections")
            key = str(key_node.value)
            if key in first:
                line = first[key].start_mark.line + 1
                raise YamlProblem(
                    (*loc, key),
                    *_pos(key_node),
                    f"duplicate key {key!r} (first used on line {line})",
                )
            first[key] = key_node
            self.doc.keys[(*loc, key)] = key_node
            out[key] = self.build(value_node, (*loc, key))
        return out


def _short(tag: str) -> str:
    """Write a YAML tag the way it is usually typed (!!int rather than tag:yaml.org,2002:int)."""
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def _pos(node: yaml.Node) -> tuple[int, int]:
    """The 0-based (line, column) where node starts."""
    return node.start_mark.line, node.start_mark.column


def _scalar(node: yaml.ScalarNode, loc: Loc) -> Any:
    """Convert a scalar by its resolved tag (str, null, bool, int, float); other tags are errors."""
    tag, text = node.tag, node.value
    try:
        return _convert(tag, text, loc, node)
    except ValueError:
        raise YamlProblem(loc, *_pos(node), f"{text!r} is not a valid {_short(tag)}") from None


def _convert(tag: str, text: str, loc: Loc, node: yaml.ScalarNode) -> Any:
    """Convert scalar text for a known tag; raise ValueError if the text does not fit it."""
    if tag == _TAG + "str":
        return text
    if tag == _TAG + "null":
        return None
    if tag == _TAG + "bool":
        return text.lower() == "true"
    if tag == _TAG + "int":
        return int(text, 16) if text.startswith("0x") else int(text)
    if tag == _TAG + "float":
        return _float(text)
    raise YamlProblem(loc, *_pos(node), f"unsupported YAML tag {_short(tag)}")


def _float(text: str) -> float:
    """Convert a YAML float, including .inf and .nan."""
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def dump_yaml(data: Any) -> str:
    """Write plain data as block YAML in insertion order (strings quoted when YAML 1.1 needs it)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
