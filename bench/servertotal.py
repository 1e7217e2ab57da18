"""The server total over many shards (``observe/servertotal.py``), on made-up shards whose
changes come at different rates (a third at 0.2, 1 and 5 times the base rate, at random
instants), against the floor measured in the same run: every change in memory, one stable
sort by time, one running sum. Prints both times, their ratio, and whether they agree.

    python bench/servertotal.py                          # 3,000 shards, 3 million changes
    python bench/servertotal.py --shards 300 --per 5000 --repeat 3
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from dataclasses import dataclass
from itertools import accumulate

from simulator.observe.servertotal import server_total


@dataclass
class Shard:
    """What server_total reads of a partial result."""

    instants: list[float]
    totals: list[int]


def shards(count: int, per: int, seed: int = 1) -> list[Shard]:
    """``count`` shards of about ``per`` changes each, at uneven rates."""
    rng = random.Random(seed)
    made = []
    for _ in range(count):
        rate = rng.choice([0.2, 1.0, 5.0])
        t, total, instants, totals = 0.0, 0, [], []
        for _ in range(int(per * rate)):
            t += round(rng.expovariate(rate / 3600), 3)
            total += rng.randint(-50, 100)
            instants.append(t)
            totals.append(total)
        made.append(Shard(instants, totals))
    return made


def floor(parts: list[Shard]) -> list[tuple[float, int]]:
    """The same totals with everything in memory: deltas, one stable sort, one sum."""
    changes = []
    for part in parts:
        last = 0
        for t, value in zip(part.instants, part.totals, strict=True):
            changes.append((t, value - last))
            last = value
    changes.sort(key=lambda change: change[0])
    sums = list(accumulate(delta for _, delta in changes))
    return [(t, s) for i, ((t, _), s) in enumerate(zip(changes, sums, strict=True))
            if i + 1 == len(changes) or changes[i + 1][0] != t]


def main() -> None:
    """Time both ``--repeat`` times; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=3000)
    parser.add_argument("--per", type=int, default=500, help="changes per shard at rate 1")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    parts = shards(args.shards, args.per)
    print(f"{args.shards} shards, {sum(len(p.instants) for p in parts):,} changes")
    merged, floored = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        got = list(server_total(parts))
        merged.append(time.perf_counter() - start)
        start = time.perf_counter()
        want = floor(parts)
        floored.append(time.perf_counter() - start)
    m, f = statistics.median(merged), statistics.median(floored)
    print(f"server_total {m:.2f} s, floor {f:.2f} s, ratio {m / f:.2f}, agree {got == want}")


if __name__ == "__main__":
    main()
