"""How big a shard should be: ``mailsim run`` of the reference scenario split into each of
several shard counts on ``--workers`` processes, taken in turn ``--repeat`` times. Prints,
per count, the medians of wall seconds, CPU seconds (every process) and the largest
process's peak RSS, and the wall and CPU ratios to the first count (the baseline, measured
in the same run); then checks that every folder has the same summary.json.

A world's live state grows with the device-days it holds; past the processor's caches,
every step costs more. Smaller shards keep it smaller, at a small cost per shard.

    python bench/shard_size.py --users 200 --days 30 --shards 8,32,64 --repeat 3
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from reference import SCENARIO
from shards import measure


def main() -> None:
    """Run each count in turn, print medians and ratios, and compare the summaries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--shards", default="8,32,64", help="counts, the baseline first")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    counts = [int(n) for n in args.shards.split(",")]
    mailsim = str(Path(sys.executable).with_name("mailsim"))
    with tempfile.TemporaryDirectory(prefix="mailsim-bench-") as tmp:
        scenario = Path(tmp) / "reference.yaml"
        scenario.write_text(SCENARIO.format(users=args.users, days=args.days))
        figures: dict[int, list[tuple[float, float, int]]] = {n: [] for n in counts}
        for r in range(args.repeat):
            for n in counts:
                out = Path(tmp) / f"shards{n}-{r}"
                wall, cpu, _, _, own, other = measure(
                    [mailsim, "run", str(scenario), "--out", str(out), "--no-history",
                     "--shards", str(n), "--workers", str(args.workers)])
                figures[n].append((wall, cpu, max(own, other)))
        devices = 3 * args.users * args.days
        print(f"reference {args.users} users x 3 devices x {args.days} d, "
              f"--workers {args.workers}, median of {args.repeat}")
        print(f"{'shards':>6} {'device-days':>11} {'wall s':>7} {'cpu s':>7} {'peak MiB':>8} "
              f"{'wall ratio':>10} {'cpu ratio':>9}")
        base = [statistics.median(c) for c in zip(*figures[counts[0]], strict=True)]
        for n in counts:
            m = [statistics.median(c) for c in zip(*figures[n], strict=True)]
            print(f"{n:6} {devices / n:11.0f} {m[0]:7.1f} {m[1]:7.1f} {m[2]:8.0f} "
                  f"{m[0] / base[0]:10.3f} {m[1] / base[1]:9.3f}")
        first = (Path(tmp) / f"shards{counts[0]}-0" / "summary.json").read_bytes()
        for folder in sorted(Path(tmp).glob("shards*")):
            if (folder / "summary.json").read_bytes() != first:
                sys.exit(f"{folder.name}/summary.json differs")
        print("every folder: the same summary.json")


if __name__ == "__main__":
    main()
