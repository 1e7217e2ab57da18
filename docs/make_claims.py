"""Regenerate docs/claims.md: a thin wrapper around ``mailsim claims`` kept for habit.

Usage: .venv/bin/python docs/make_claims.py [--check]
  --check  exit 1 if docs/claims.md differs from what the runs give now (no write).
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.cli import app

TARGET = Path(__file__).resolve().parent / "claims.md"

if __name__ == "__main__":
    app(["claims", "--out", str(TARGET), *sys.argv[1:]])
