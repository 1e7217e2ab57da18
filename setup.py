"""Builds mailsim, compiling the simulation core with mypyc when it can (simulator/core.py).

The project's metadata is in pyproject.toml. ``MAILSIM_PURE=1 pip install ...`` skips the
compilation; without mypyc or a C compiler the install keeps the Python sources alone
(simulator/core.py then runs them; ``mailsim --version`` says which core runs).
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent
core = runpy.run_path(str(HERE / "simulator" / "core.py"))
hashes = HERE / "simulator" / core["HASHES"]


def compiled() -> list:
    """mypyc's extension modules for the core, or none (an earlier build's are removed)."""
    hashes.unlink(missing_ok=True)
    for old in [*HERE.glob("*__mypyc.*"), *(HERE / "simulator").rglob("*.so"),
                *(HERE / "simulator").rglob("*.pyd")]:
        old.unlink()
    if os.environ.get("MAILSIM_PURE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("mailsim: mypyc is not installed; the core stays in Python", file=sys.stderr)
        return []
    sources = [f"simulator/{path}" for path in core["COMPILED"]]
    modules = mypycify(["--config-file", "mypyc.ini", *sources], opt_level="3")
    for module in modules:
        module.optional = True  # no C compiler: the install goes on, the core runs from source
    hashes.write_text(json.dumps(core["digests"](), indent=1) + "\n")
    return modules


setup(ext_modules=compiled())
