"""Small edits of a scenario file for tests: the same people and traffic, other clients."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from simulator.scenario import Scenario, parse_scenario


def with_clients(path: Path, settings: dict[str, Any]) -> Scenario:
    """The scenario at ``path`` with ``settings`` (e.g. ``{"class": "pkg.mod:MyClient"}``
    or ``{"recovery": "naive"}``) set in every device's client block."""
    doc = yaml.safe_load(path.read_text())
    for user in doc["users"]:
        for device in user["devices"]:
            device.setdefault("client", {}).update(settings)
    return parse_scenario(yaml.safe_dump(doc, sort_keys=False), str(path))
