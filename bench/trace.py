"""Hashes of every bundled scenario x variant's whole history, every command included: a
stricter check than ``fingerprint.py`` that a speed-up of the world changes nothing, since
any change in the order or time of a single event (not only in the summary) shows here:

    python bench/trace.py --days 3 > before.txt   # on the old commit
    python bench/trace.py --days 3 | diff before.txt -

It runs under PYTHONHASHSEED=0 (re-running itself if need be): the order of a few records
in one instant (a lost device's wiped views) follows set iteration, which string hashing
changes from one process to the next; summaries do not depend on it.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from reference import SCENARIO

from simulator.runs import run
from simulator.scenario import Scenario, load_scenario, parse_scenario

ROOT = Path(__file__).resolve().parent.parent / "scenarios"


def _plain(value: Any) -> Any:
    """A value with its sets sorted, so the text does not depend on string hashing."""
    if isinstance(value, (set, frozenset)):
        return sorted(map(repr, value))
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def trace(path: Path | Scenario, variant: str | None, days: float | None) -> tuple[str, int]:
    """sha256 of every history record of one run (cut to ``days`` if given), and how many."""
    scenario = path if isinstance(path, Scenario) else load_scenario(path)
    if days is not None and scenario.duration > days * 86400:
        scenario = scenario.model_copy(update={"duration": days * 86400})
    results = run(scenario, variant=variant, keep_history=True, commands=True)
    digest = hashlib.sha256()
    for record in results.history.events:
        row = (record.kind, *(_plain(getattr(record, f)) for f in record.FIELDS))
        digest.update(repr(row).encode())
    return digest.hexdigest()[:16], len(results.history.events)


def main() -> None:
    """Print one line per scenario x variant."""
    if os.environ.get("PYTHONHASHSEED") != "0":
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=None,
                        help="cut every scenario to this many days (faster, less coverage)")
    args = parser.parse_args()
    reference = parse_scenario(SCENARIO.format(users=5, days=7), "<bench>")
    print("reference 5x7d", *trace(reference, None, args.days), flush=True)
    for path in sorted(ROOT.rglob("*.yaml")):
        scenario = load_scenario(path)
        for variant in [None, *scenario.variant_names()]:
            digest, count = trace(path, variant, args.days)
            print(f"{path.relative_to(ROOT)} {variant or 'as-written'} {digest} {count}",
                  flush=True)


if __name__ == "__main__":
    main()
