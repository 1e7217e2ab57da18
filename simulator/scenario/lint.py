"""Warnings about a valid scenario: what parses and runs but cannot do what its author
meant. ``mailsim validate`` prints them at ``file:line:col`` and still exits 0.

An event scheduled at or after the run's end never happens (the run stops at
``duration``, before anything due then), so it is reported at its ``at``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import Issue, format_issues
from .scenario import Scenario
from .units import format_at, format_duration
from .yamlio import read_yaml


def late_events(scenario: Scenario) -> list[Issue]:
    """Every event due at or after the end of the run, at its `at`."""
    end = format_duration(scenario.duration)
    return [Issue(("events", i, "at"),
                  f"warning: {event.kind} at {format_at(event.at)} never happens: the run "
                  f"ends at {end}")
            for i, event in enumerate(scenario.events) if event.at >= scenario.duration]


def scenario_warnings(scenario: Scenario, path: str | Path) -> list[str]:
    """The warnings for ``scenario``, read from ``path``, as `file:line:col: where: what`."""
    issues = late_events(scenario)
    if not issues:
        return []
    doc = read_yaml(Path(path).read_text(encoding="utf-8"))
    return format_issues(doc, issues, str(path))
