"""Stories told again against the story file (simulator/runs/retell.py): the reference
organisation (bench/reference.py) run in fresh processes, in turn with its unnamed story file
(RETELL_FROM raised past its size: how every run told its stories before) and retold, each
timing a bare SimPy loop first; prints medians, ratios to the bare loop and the speed-up,
and checks that both gave the same summary.json and timeseries.csv.

    python bench/retell.py                          # 100 people x 30 days, 3 pairs
    python bench/retell.py --users 1000 --days 7 --shards auto --repeat 2
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

ONE = """\
import hashlib, json, resource, sys, time
sys.path.insert(0, "bench")
import simulator.runs.retell as retell
from reference import bare_simpy, reference
if sys.argv[4] == "file":
    retell.RETELL_FROM = 1 << 62
bare = bare_simpy()
start, cpu = time.perf_counter(), time.process_time()
results = reference(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
text = results.summary_json() + results.timeseries_csv()
print(json.dumps({"bare": bare, "wall": wall, "cpu": cpu,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "hash": hashlib.sha256(text.encode()).hexdigest()}))
"""
"""One run in a fresh process: prints what it measured as JSON."""

WAYS = ("file", "retold")


def cell(users: int, days: int, shards: str, way: str) -> dict[str, float | str]:
    """One measured run, telling its stories from a story file or retold."""
    done = subprocess.run([sys.executable, "-c", ONE, str(users), str(days), shards, way],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Alternate the two ways; print each run, then the medians and the speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--shards", default="1", help="1 (whole), N or auto; one process")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: dict[str, list[dict[str, float | str]]] = {way: [] for way in WAYS}
    for _ in range(args.repeat):
        for way in WAYS:
            row = cell(args.users, args.days, args.shards, way)
            rows[way].append(row)
            print(f"{way}: {row['wall']:.2f} s wall, {row['cpu']:.2f} s CPU, "
                  f"bare loop {row['bare']:.2f} s, {row['mb']:.0f} MB", flush=True)
    hashes = {str(r["hash"]) for way in WAYS for r in rows[way]}
    assert len(hashes) == 1, "the two ways gave different outputs"
    cpu = {way: statistics.median(float(r["cpu"]) for r in rows[way]) for way in WAYS}
    ratio = {way: statistics.median(float(r["wall"]) / float(r["bare"]) for r in rows[way])
             for way in WAYS}
    print(f"{args.users} people x {args.days} d, shards {args.shards}, median of "
          f"{args.repeat}: CPU {cpu['file']:.2f} s with the story file, {cpu['retold']:.2f} s "
          f"retold ({cpu['file'] / cpu['retold']:.2f}x); ratio to the bare loop "
          f"{ratio['file']:.1f} and {ratio['retold']:.1f}; outputs identical")


if __name__ == "__main__":
    main()
