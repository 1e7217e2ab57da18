"""The asking process's memory when it merges many shards' partial results: one shard of the
reference organisation is run once and its partial result saved; then a fresh process
gathers ``--copies`` copies of it (each copy's people renamed, so nothing collapses) as the
process that asked for a run of ``users × copies`` people gathers its shards (each one's
hourly components folded in as it arrives; ``--hold`` keeps them all, as before), merges
them, and prints the peak resident memory before and after the merge and the merge's time.

    python bench/merge.py --users 100 --days 30 --copies 100   # ~ a 10,000-person month
    python bench/merge.py --users 4 --days 30 --copies 2500    # the same in 2,500 shards
    python bench/merge.py --users 4 --days 30 --copies 2500 --distinct   # copies not tied
"""

from __future__ import annotations

import argparse
import copy
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from pathlib import Path

from reference import SCENARIO


def shard(users: int, days: int, out: Path) -> None:
    """Run the reference organisation as one shard and pickle its partial result."""
    from simulator.runs.one import run_shard
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    people = [u.name for u in scenario.expand()]
    out.write_bytes(pickle.dumps(run_shard(scenario, people)))


def renamed(part: object, k: int) -> object:
    """A copy of a partial result whose devices and people carry the suffix ``-k``."""
    other = copy.copy(part)
    for name in ("devices", "users", "stored", "agreement", "lost_per_user"):
        setattr(other, name, {f"{key}-{k}": v for key, v in getattr(part, name).items()})
    return other


def spread(part: object, k: int) -> None:
    """Make copy ``k``'s propagation delays and fetch waits its own: each later by k µs
    (their order kept), as different people's are, not equal to every other copy's."""
    for name in ("delays", "waits"):
        values = getattr(part, name)
        setattr(part, name, array(values.typecode, (v + k * 1e-6 for v in values)))


def merge(path: Path, copies: int, hold: bool, distinct: bool = False) -> None:
    """Load the partial result, gather ``copies`` of it and merge them; print the figures."""
    from simulator.observe.merge import Gathered
    from simulator.observe.merge import merge as merge_parts

    data = path.read_bytes()
    part = pickle.loads(data)
    gathered, held = Gathered(), []
    for k in range(copies):
        other = renamed(pickle.loads(data), k)  # its own arrays and hours, as a shard's
        if distinct:
            spread(other, k)
        if hold:
            held.append(other)
        else:
            gathered.add(k, other)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    if hold:
        merge_parts(held)
    else:
        gathered.merge()
    took = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    samples = len(part.delays) * copies
    print(f"{copies} partial results ({samples:,} propagation delays): "
          f"peak {before:,.0f} MB holding them, {peak:,.0f} MB after the merge "
          f"(+{peak - before:,.0f} MB), merge {took:.1f} s")


def main() -> None:
    """Make the partial result once, then merge copies of it in a fresh process."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--copies", type=int, default=100)
    parser.add_argument("--hold", action="store_true",
                        help="keep every partial result whole until the merge")
    parser.add_argument("--distinct", action="store_true",
                        help="shift each copy's delays by k µs, so that copies do not tie")
    parser.add_argument("--merge-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.merge_only:
        merge(args.merge_only, args.copies, args.hold, args.distinct)
        return
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "partial.pickle"
        shard(args.users, args.days, path)
        subprocess.run([sys.executable, __file__, "--merge-only", str(path),
                        "--copies", str(args.copies), *(["--hold"] if args.hold else []),
                        *(["--distinct"] if args.distinct else [])],
                       check=True)


if __name__ == "__main__":
    main()
