"""Which build of the simulation core runs: compiled by mypyc, or the Python sources.

``pip install`` compiles the core (``setup.py``; the modules in :data:`COMPILED`) when mypyc
and a C compiler are at hand, and records each source's hash beside it. A compiled module
is used only while every compiled source still has its recorded hash, so an edited source is
never shadowed by an older build: the whole core then runs from source (the compiled
modules call each other directly, so they are used all together or not at all).
``MAILSIM_PURE=1`` in the environment runs from source too. Results are the same, byte for
byte, either way (tests/architecture/test_core.py); the compiled core is faster.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import json
import os
import sys
from functools import cache
from importlib.machinery import EXTENSION_SUFFIXES, ModuleSpec, SourceFileLoader
from pathlib import Path

ROOT = Path(__file__).resolve().parent
COMPILED = (
    "clients/base.py", "clients/imap.py", "clients/imap_state.py", "clients/local.py",
    "clients/parts.py", "clients/pop3.py", "clients/renumber.py",
    "mail/connect.py", "mail/imap.py", "mail/message.py", "mail/pop3.py", "mail/reply.py",
    "mail/smtp.py", "mail/store.py",
    "observe/accounts.py", "observe/consistency.py", "observe/durability.py",
    "observe/history.py", "observe/records.py",
    "observe/exactsum.py", "observe/observer.py", "observe/reads.py", "observe/storage.py",
    "observe/timeline.py", "observe/traffic.py", "observe/verdict.py",
    "world/device.py", "world/events.py", "world/faults.py", "world/line.py",
    "world/network.py", "world/people.py", "world/server.py", "world/streams.py",
    "world/timing.py", "world/topology.py", "world/world.py",
)
"""The core's modules that the build compiles, relative to the package."""

HASHES = "compiled.json"
"""File beside this one: the sha256 of each source the build compiled."""


def digests() -> dict[str, str]:
    """The sha256 of each compiled module's source as it is now."""
    return {name: hashlib.sha256((ROOT / name).read_bytes()).hexdigest() for name in COMPILED}


def _name(path: str) -> str:
    return "simulator." + path.removesuffix(".py").replace("/", ".")


@cache
def status() -> str:
    """``compiled``, or why the core runs from source."""
    if os.environ.get("MAILSIM_PURE"):
        return "source (MAILSIM_PURE is set)"
    try:
        recorded = json.loads((ROOT / HASHES).read_text())
    except (OSError, ValueError):
        return "source (not compiled: no mypyc or C compiler at install)"
    if recorded != digests():
        return "source (the sources changed since the build: pip install -e . again)"
    built = [_built(path) for path in COMPILED]
    if not any(built):
        return "source (the install compiled nothing: no C compiler?)"
    if not all(built):
        return "source (a compiled module is missing: pip install -e . again)"
    return "compiled"


def _built(path: str) -> bool:
    stem = ROOT / path.removesuffix(".py")
    return any(stem.with_name(stem.name + suffix).exists() for suffix in EXTENSION_SUFFIXES)


class _FromSource(importlib.abc.MetaPathFinder):
    """Finds a module of the package in its Python source unless it is a compiled module
    of a build that matches the sources (an older build's extension is never loaded)."""

    names = frozenset(_name(path) for path in COMPILED)

    def find_spec(self, fullname: str, path: object = None,
                  target: object = None) -> ModuleSpec | None:
        if not fullname.startswith("simulator."):
            return None
        if fullname in self.names and status() == "compiled":
            return None  # the usual finders: the extension comes before the source
        source = ROOT / (fullname.removeprefix("simulator.").replace(".", "/") + ".py")
        if not source.is_file():
            return None  # a package, or no such module: the usual finders
        return importlib.util.spec_from_file_location(
            fullname, source, loader=SourceFileLoader(fullname, str(source)))


def install() -> None:
    """Put the finder first, once."""
    if not any(isinstance(finder, _FromSource) for finder in sys.meta_path):
        sys.meta_path.insert(0, _FromSource())


install()  # on import: the packages holding compiled modules import this module first
