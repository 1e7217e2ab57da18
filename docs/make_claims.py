"""Regenerate docs/claims.md: run every claim scenario (scenarios/claims/) and judge each
claim of the source document on the measured numbers.

Usage: .venv/bin/python docs/make_claims.py [--check]
  --check  exit 1 if docs/claims.md differs from what the runs give now (no write).
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.compare.claims import Runner
from simulator.compare.claimset import CLAIMS
from simulator.report.claims_md import claims_md
from simulator.report.files import write_text_atomic
from simulator.runner import mailsim_version

REPLICATIONS = 2
"""Seeds per claim scenario, the same as tests/claims use."""
TARGET = Path(__file__).resolve().parent / "claims.md"


def render() -> str:
    """The page from fresh runs."""
    runner = Runner(replications=REPLICATIONS)
    outcomes = [runner.evaluate(claim) for claim in CLAIMS]
    return claims_md(outcomes, mailsim_version(), REPLICATIONS)


def main(argv: list[str]) -> int:
    """Write docs/claims.md (or, with --check, compare it)."""
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date; run python docs/make_claims.py", file=sys.stderr)
            return 1
        return 0
    write_text_atomic(TARGET, text)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
