"""Reading scenarios: YAML text or file -> validated `Scenario`, or a precise `ScenarioError`.

No pydantic or yaml exception escapes: every problem becomes a `file:line:col:` line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from .errors import Issue, ScenarioError, format_issues, format_loc, issue_from_pydantic
from .events import EVENT_CLASSES
from .scenario import Scenario
from .yamlio import Document, Loc, YamlProblem, read_yaml

_EXPECTED_TOP = "expected a mapping with at least mailsim: 1, name, duration and users"


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate the scenario file at path."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError([f"{path}:0:0: file: cannot read: {exc}"]) from None
    return parse_scenario(text, str(path))


def parse_scenario(text: str, filename: str = "<string>") -> Scenario:
    """Validate scenario YAML text; filename is used in error messages and as `source`."""
    doc = _read(text, filename)
    if not isinstance(doc.data, dict):
        got = "an empty file" if doc.data is None else f"a {type(doc.data).__name__}"
        raise ScenarioError([f"{filename}:1:1: scenario: {_EXPECTED_TOP}, got {got}"])
    try:
        scenario = Scenario.model_validate(doc.data, context={"yaml": True})
    except ValidationError as exc:
        issues = [issue_from_pydantic(e, Scenario, _without_tags(e["loc"])) for e in exc.errors()]
        raise ScenarioError(format_issues(doc, issues, filename), issues) from None
    except ScenarioError as exc:
        raise ScenarioError(format_issues(doc, exc.issues, filename), exc.issues) from None
    return scenario.with_source(filename)


def _read(text: str, filename: str) -> Document:
    """Parse YAML, turning syntax and structure problems into ScenarioError."""
    try:
        return read_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError([f"{filename}:{line}:{column}: syntax: {what}"]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ScenarioError([f"{filename}:{line}:{column}: syntax: {exc.reason}"]) from None
    except YamlProblem as exc:
        where, line, column = format_loc(exc.loc), exc.line + 1, exc.column + 1
        issue = Issue(exc.loc, exc.message)
        raise ScenarioError(
            [f"{filename}:{line}:{column}: {where}: {exc.message}"], [issue]
        ) from None
    except RecursionError:
        raise ScenarioError([f"{filename}:0:0: syntax: nested too deeply"]) from None


def _without_tags(loc: tuple[Any, ...]) -> Loc:
    """Drop the event-kind tag pydantic puts after `events[i]` in error locations."""
    loc = tuple(loc)
    if len(loc) >= 3 and loc[0] == "events" and loc[2] in EVENT_CLASSES:
        return (*loc[:2], *loc[3:])
    return loc


def scenario_sha256(path_or_text: str | Path) -> str:
    """SHA-256 (hex) of a scenario file's bytes, or of YAML text (UTF-8).

    A Path, or a one-line str naming an existing file, is read as a file; any other str is text.
    """
    if isinstance(path_or_text, Path) or _is_file(path_or_text):
        return hashlib.sha256(Path(path_or_text).read_bytes()).hexdigest()
    return hashlib.sha256(path_or_text.encode("utf-8")).hexdigest()


def _is_file(text: str) -> bool:
    """Whether text is a one-line string naming an existing file."""
    try:
        return "\n" not in text and Path(text).is_file()
    except (OSError, ValueError):
        return False


class _YamlSchema(GenerateJsonSchema):
    """JSON Schema generation that writes defaults the way YAML does ("15m", not 900.0)."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        """The usual schema, with the default serialized by the field's own JSON serializer."""
        json_schema = super().default_schema(schema)
        default = self.get_default_value(schema)
        write = _plain_serializer(schema["schema"])
        if "default" in json_schema and default is not None and write is not None:
            json_schema["default"] = write(default)
        return json_schema


def _plain_serializer(schema: Any) -> Any:
    """The plain serializer function attached to schema or to a schema it wraps, if any."""
    while isinstance(schema, dict):
        serialization = schema.get("serialization") or {}
        if serialization.get("type") == "function-plain":
            return serialization["function"]
        schema = schema.get("schema")
    return None


def json_schema() -> dict[str, Any]:
    """JSON Schema of the YAML shape of a scenario (for `mailsim schema` and editors)."""
    return Scenario.model_json_schema(by_alias=True, schema_generator=_YamlSchema)
