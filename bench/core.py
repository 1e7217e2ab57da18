"""The compiled core against the Python sources (simulator/core.py): the reference
organisation (bench/reference.py) run in fresh processes, compiled and with MAILSIM_PURE=1
in turn, each timing a bare SimPy loop first; prints medians, ratios to the bare loop and
the speed-up, and checks that both gave the same summary.json and timeseries.csv.

    python bench/core.py                          # 20 people x 30 days, 3 pairs
    python bench/core.py --users 100 --days 30 --shards auto --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ONE = """\
import hashlib, json, resource, sys, time
sys.path.insert(0, "bench")
from reference import bare_simpy, reference
from simulator.core import status
bare = bare_simpy()
start, cpu = time.perf_counter(), time.process_time()
results = reference(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
wall, cpu = time.perf_counter() - start, time.process_time() - cpu
text = results.summary_json() + results.timeseries_csv()
print(json.dumps({"core": status(), "bare": bare, "wall": wall, "cpu": cpu,
                  "mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "hash": hashlib.sha256(text.encode()).hexdigest()}))
"""
"""One run in a fresh process: prints what it measured as JSON."""


def cell(users: int, days: int, shards: str, pure: bool) -> dict[str, object]:
    """One measured run, compiled or (``pure``) from source."""
    env = {k: v for k, v in os.environ.items() if k != "MAILSIM_PURE"}
    if pure:
        env["MAILSIM_PURE"] = "1"
    done = subprocess.run([sys.executable, "-c", ONE, str(users), str(days), shards],
                          capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    """Alternate compiled and source runs; print each, then the medians and speed-up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--shards", default="1", help="1 (whole), N or auto; one process")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows: dict[bool, list[dict]] = {False: [], True: []}
    for _ in range(args.repeat):
        for pure in (False, True):
            row = cell(args.users, args.days, args.shards, pure)
            rows[pure].append(row)
            print(f"{row['core']}: {row['wall']:.2f} s wall, {row['cpu']:.2f} s CPU, "
                  f"bare loop {row['bare']:.2f} s, {row['mb']:.0f} MB", flush=True)
    person_days = args.users * args.days
    medians = {}
    for pure, label in ((False, "compiled"), (True, "source")):
        wall = statistics.median(r["wall"] for r in rows[pure])
        cpu = statistics.median(r["cpu"] for r in rows[pure])
        ratio = statistics.median(r["wall"] / r["bare"] for r in rows[pure])
        mb = max(r["mb"] for r in rows[pure])
        medians[pure] = cpu
        print(f"{label}: median {wall:.2f} s wall, {cpu:.2f} s CPU "
              f"({1000 * cpu / person_days:.2f} ms per person-day), ratio {ratio:.1f}, "
              f"peak {mb:.0f} MB")
    if rows[False][0]["core"] != "compiled":
        print(f"the core was not compiled ({rows[False][0]['core']}): no speed-up to measure")
    print(f"speed-up (source CPU / compiled CPU, medians): {medians[True] / medians[False]:.2f}x")
    same = {r["hash"] for r in rows[False] + rows[True]}
    print(f"same summary.json and timeseries.csv: {len(same) == 1}")


if __name__ == "__main__":
    main()
