"""The real programs a scenario can name (``client: {external: NAME, options: {...}}``):
each runner's module, imported only when a scenario uses it, and its settings check."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any, cast

from simulator.external.program import Program

RUNNERS: dict[str, tuple[str, str, str]] = {
    "mbsync": ("simulator.external.mbsync", "Mbsync", "validate"),
    "offlineimap": ("simulator.external.offlineimap", "Offlineimap", "validate"),
    "getmail": ("simulator.external.getmail", "Getmail", "settings_of"),
    "fetchmail": ("simulator.external.fetchmail", "Fetchmail", "settings_of"),
}
"""Program name -> (module, runner class, the function that checks its settings)."""


def runner(name: str) -> Program:
    """A new runner of the program ``name``."""
    module, cls, _ = RUNNERS[name]
    return cast(Program, getattr(importlib.import_module(module), cls)())


def check_options(name: str, options: Mapping[str, Any]) -> None:
    """Raise ValueError naming a key or value of ``options`` that the program does not
    accept, and what it expects."""
    module, _, check = RUNNERS[name]
    validate = cast(Callable[[Mapping[str, Any]], object],
                    getattr(importlib.import_module(module), check))
    validate(options)
