"""Parallel speed-up of the batch engine: wall time of the same batch of runs with 1 and
with 2 local worker processes, measured alternately in the same process (median of
``--repeat``), and their ratio. Each batch starts its own workers, as a command does. Run
it on an otherwise idle machine: with Linux's autogroup scheduling, a busy machine gives
one command's processes together about one share of the CPU, however many there are.

    python bench/workers.py                         # 8 runs of the reference, 12 users x 7 d
    python bench/workers.py --users 1 --days 1      # 8 short runs (well under a second each)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from reference import SCENARIO

from simulator.runs import Task, replication_seeds, run_batch


def batch_seconds(tasks: list[Task], workers: int) -> float:
    """Wall seconds to run ``tasks`` on ``workers`` processes (1: in this process)."""
    start = time.perf_counter()
    outputs = run_batch(tasks, workers=workers)
    assert all(o.summary["verdict"]["valid"] for o in outputs)
    return time.perf_counter() - start


def main() -> None:
    """Time the batch with 1 and 2 workers, alternately; print the medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = SCENARIO.format(users=args.users, days=args.days)
    tasks = [Task(text, seed=s, source="<bench>", label=str(s))
             for s in replication_seeds(1, args.runs)]
    load = os.getloadavg()[0]
    one, two = [], []
    for _ in range(args.repeat):
        one.append(batch_seconds(tasks, 1))
        two.append(batch_seconds(tasks, 2))
    a, b = statistics.median(one), statistics.median(two)
    print(f"{args.runs} runs of {args.users} users x 3 devices x {args.days} d "
          f"(median {a / args.runs:.2f} s per run alone)")
    print(f"1 worker:  median {a:.2f} s over {args.repeat} batches")
    print(f"2 workers: median {b:.2f} s over {args.repeat} batches")
    print(f"speed-up 1 -> 2 workers: {a / b:.2f}x")
    print(f"load average before {load:.1f}, after {os.getloadavg()[0]:.1f} on {os.cpu_count()} "
          "cores: with other work running the figure says little")


if __name__ == "__main__":
    main()
