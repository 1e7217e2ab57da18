"""Scenario errors that point at `file:line:col`, and the translation of pydantic's errors.

Every problem becomes one line `file:LINE:COL: where: what was expected`, where `where` is
the dotted path in the scenario (`users[0].devices[1].uses`) and LINE/COL are 1-based.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from inspect import isclass
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, Tag
from pydantic_core import ErrorDetails, PydanticCustomError

from .yamlio import Document, Loc


@dataclass(frozen=True)
class Issue:
    """One problem: where it is (a path into the scenario) and what was expected there."""

    loc: Loc
    message: str
    at_key: bool = False


class ScenarioError(Exception):
    """A scenario could not be read; `errors` holds one `file:line:col: where: what` per problem."""

    def __init__(self, errors: Sequence[str], issues: Sequence[Issue] = ()) -> None:
        """Keep the formatted lines (and, when known, the structured issues behind them)."""
        super().__init__("\n".join(errors))
        self.errors: list[str] = list(errors)
        self.issues: list[Issue] = list(issues)

    @classmethod
    def from_issues(cls, issues: Sequence[Issue], source: str = "<python>") -> ScenarioError:
        """Build an error for issues found without a YAML document (positions are 0:0)."""
        return cls([f"{source}:0:0: {format_loc(i.loc)}: {i.message}" for i in issues], issues)


def custom_error(
    message: str, sub: str | Loc | None = None, on_key: bool = False
) -> PydanticCustomError:
    """A pydantic error whose position is refined by `sub` (a key or path below the value)."""
    path = (sub,) if isinstance(sub, str) else tuple(sub or ())
    return PydanticCustomError("scenario", "{msg}", {"msg": message, "sub": path, "on_key": on_key})


def format_loc(loc: Loc) -> str:
    """Write a path like ('users', 0, 'devices', 1, 'uses') as users[0].devices[1].uses."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "scenario"


def locate(doc: Document, issue: Issue) -> tuple[int, int, Loc]:
    """Find the 1-based line and column for issue in doc, and the path to report.

    The deepest existing node on the path is used: the key itself for unknown keys, the
    enclosing mapping for missing keys, the value otherwise.
    """
    prefix: Loc = ()
    for part in issue.loc:
        if (*prefix, part) not in doc.nodes:
            break
        prefix = (*prefix, part)
    node = doc.nodes.get(prefix, doc.root)
    if issue.at_key and prefix == issue.loc and prefix in doc.keys:
        node = doc.keys[prefix]
    where = issue.loc if isinstance(node, yaml.MappingNode) else prefix
    if node is None:
        return 1, 1, where
    return node.start_mark.line + 1, node.start_mark.column + 1, where


def format_issues(doc: Document, issues: Iterable[Issue], filename: str) -> list[str]:
    """Format issues as `file:line:col: where: what`, in document order."""
    located = []
    for issue in issues:
        line, column, where = locate(doc, issue)
        located.append(
            (line, column, f"{filename}:{line}:{column}: {format_loc(where)}: {issue.message}")
        )
    return [text for _, _, text in sorted(located, key=lambda item: (item[0], item[1]))]


def issue_from_pydantic(error: ErrorDetails, root: type[BaseModel], loc: Loc) -> Issue:
    """Turn one pydantic error (its loc already cleaned of union tags) into an Issue."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "scenario":
        full = (*loc, *ctx.get("sub", ()))
        return Issue(full, str(ctx["msg"]), bool(ctx.get("on_key")))
    if kind == "extra_forbidden":
        keys = expected_keys(root, tuple(error["loc"][:-1]))
        return Issue(loc, f"unknown key (expected one of: {', '.join(keys)})", at_key=True)
    if kind == "missing":
        return Issue(loc, f"missing required key {loc[-1]!r}")
    return Issue(loc, describe(error))


_EXPECTED = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
    "dict": "a mapping",
    "model": "a mapping",
    "list": "a list",
    "datetime": "a date and time like 2026-01-05T00:00",
    "date": "a date and time like 2026-01-05T00:00",
}
_BOUNDS = {
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
}


def describe(error: ErrorDetails) -> str:
    """A short "expected ..., got ..." message for a pydantic error type."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {show(value)}"
    if kind in _BOUNDS:
        bound = next(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le"))
        return f"expected a value {_BOUNDS[kind]} {bound}, got {show(value)}"
    if kind == "too_short":
        return f"expected at least {ctx.get('min_length')} item(s)"
    family = kind.split("_")[0]
    if family in _EXPECTED:
        return f"expected {_EXPECTED[family]}, got {show(value)}"
    return str(error["msg"]).replace("Input should be", "expected")


def show(value: Any) -> str:
    """Show an offending input briefly: repr for scalars, a word for collections."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def expected_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The YAML keys accepted by the model found at loc below root (by walking annotations)."""
    model = _model_at(root, loc)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _strip(tp: Any) -> Any:
    """Remove Annotated wrappers and a `| None` from a type annotation."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType) and type(None) in get_args(tp):
            rest = [a for a in get_args(tp) if a is not type(None)]
            if len(rest) != 1:
                return tp
            tp = rest[0]
        else:
            return tp


def _step(tp: Any, part: str | int) -> Any:
    """The annotation one path step below tp, or None when the step leads nowhere."""
    tp = _strip(tp)
    origin = get_origin(tp)
    if isclass(tp) and issubclass(tp, BaseModel):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    if origin in (list, tuple):
        return get_args(tp)[0]
    if origin is dict:
        return get_args(tp)[1]
    if origin in (Union, types.UnionType):
        for member in get_args(tp):
            tags = [m.tag for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
            if part in tags:
                return member
    return None


def _model_at(root: type[BaseModel], loc: Loc) -> type[BaseModel] | None:
    """The pydantic model class at loc below root, if the path leads to one."""
    tp: Any = root
    for part in loc:
        tp = _step(tp, part)
        if tp is None:
            return None
    tp = _strip(tp)
    return tp if isclass(tp) and issubclass(tp, BaseModel) else None
