"""What keeping finished shards costs (`mailsim run --resume`): the reference scenario split
into shards, run in this process with and without keeping each finished shard, in turn;
prints the medians, their ratio, the kept files' size, and how long a resume takes when
every shard was kept (reading and merging only).

    python bench/resume.py                      # 200 users, 7 days, 4 shards, 3 repeats
    python bench/resume.py --users 1000 --days 30 --shards 30 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from reference import SCENARIO

from simulator.runs import run_sharded
from simulator.runs.kept import KeptRuns
from simulator.scenario import parse_scenario


def timed(users: int, days: int, shards: int, kept: Path | None) -> tuple[float, str]:
    """Seconds for the sharded run (keeping its shards in ``kept``, if given), and its
    summary.json."""
    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    with tempfile.TemporaryDirectory() as scratch:
        keeper = KeptRuns.open(kept, resume=True) if kept is not None else None
        start = time.perf_counter()
        results = run_sharded(scenario, shards, keep_history=False,
                              story_file=Path(scratch) / "stories.jsonl.gz", kept=keeper)
        return time.perf_counter() - start, results.summary_json()


def size_mb(folder: Path) -> float:
    """Megabytes of the files in ``folder``."""
    return sum(p.stat().st_size for p in folder.iterdir()) / 1e6


def main() -> None:
    """Both ways in turn, then a resume of a run whose shards were all kept."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    plain, keeping, resumed, sizes = [], [], [], []
    for _ in range(args.repeat):
        seconds, whole = timed(args.users, args.days, args.shards, None)
        plain.append(seconds)
        with tempfile.TemporaryDirectory() as scratch:
            folder = Path(scratch) / "run.unfinished"
            seconds, kept_summary = timed(args.users, args.days, args.shards, folder)
            keeping.append(seconds)
            sizes.append(size_mb(folder))
            seconds, again = timed(args.users, args.days, args.shards, folder)
            resumed.append(seconds)
        assert whole == kept_summary == again, "keeping or resuming changed the summary"
    p, k, r = (statistics.median(x) for x in (plain, keeping, resumed))
    print(f"reference {args.users} users x 3 devices x {args.days} d in {args.shards} shards, "
          f"{args.repeat} runs each way, in this process")
    print(f"without keeping: median {p:.2f} s; keeping every shard: median {k:.2f} s; "
          f"ratio {k / p:.3f}")
    print("  each, in turn: " + ", ".join(f"{a:.2f}/{b:.2f}" for a, b in zip(plain, keeping,
                                                                          strict=True)))
    print(f"kept files: {statistics.median(sizes):.1f} MB (partial results and story files)")
    print(f"resume with every shard kept (read and merge only): median {r:.2f} s, "
          f"{r / p:.3f} of a run")


if __name__ == "__main__":
    main()
