"""The end of a sharded run that keeps its story file: the shards' story files merged into
one (``observe/storymerge.py``). The reference organisation is run in shards once, each
writing its story file (kept in ``--folder`` for the next time); ``--copies`` repeats
them as if there were more shards (a copy's lines at the same times as the original's).
Then the merge is timed against the floor measured in the same run: reading every file and
writing its lines, unmerged, into one gzip file the way the merge writes.

    python bench/storymerge.py --users 100 --days 30 --copies 10   # 300 files, ~18 M lines
    python bench/storymerge.py --repeat 3                          # medians of 3
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from reference import SCENARIO


def shard(users: int, days: int, people: list[str], path: Path) -> None:
    """Run one shard of the reference organisation, writing its story file at ``path``."""
    from simulator.runs.one import run_shard
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    run_shard(scenario, people, story_file=path)


def story_files(users: int, days: int, folder: Path) -> list[Path]:
    """The shards' story files (``--shards auto``'s split), made once, on two processes."""
    from simulator.runs.shards import shard_count, split
    from simulator.scenario import parse_scenario

    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    groups = split(scenario, shard_count(scenario, "auto"))
    paths = [folder / f"{users}x{days}-{k}.jsonl.gz" for k in range(len(groups))]
    if not all(p.exists() for p in paths):
        folder.mkdir(parents=True, exist_ok=True)
        with ProcessPoolExecutor(2) as pool:
            list(pool.map(shard, [users] * len(groups), [days] * len(groups), groups, paths))
    return paths


def floor(paths: list[Path], dest: Path) -> None:
    """Every file's lines, read and written into one gzip file, not merged."""
    with open(dest, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                                compresslevel=1, mtime=0) as out:
        for path in paths:
            with gzip.open(path, "rb") as lines:
                while block := lines.read(1 << 20):
                    out.write(block)


def timed(job: object, paths: list[Path], dest: Path) -> float:
    """Seconds ``job(paths, dest)`` takes."""
    start = time.perf_counter()
    job(paths, dest)  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    """Make (or find) the files, then time the floor and the merge, alternately."""
    from simulator.observe.storymerge import merge_story_files

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "mailsim-bench-stories")
    args = parser.parse_args()
    paths = story_files(args.users, args.days, args.folder) * args.copies
    with tempfile.TemporaryDirectory() as scratch:
        dest = Path(scratch) / "merged.jsonl.gz"
        floors, merges = [], []
        for _ in range(args.repeat):
            floors.append(timed(floor, paths, dest))
            merges.append(timed(merge_story_files, paths, dest))
        with gzip.open(dest, "rb") as merged:
            lines = sum(1 for _ in merged)
        size = dest.stat().st_size
    low, merge = statistics.median(floors), statistics.median(merges)
    print(f"{len(paths)} story files ({args.users} people x {args.days} d in shards, "
          f"x{args.copies}): {lines:,} lines, {size / 1e6:.1f} MB merged; median of {args.repeat}")
    print(f"floor (read and write, unmerged): {low:.1f} s")
    print(f"merge: {merge:.1f} s = {merge / low:.2f} x the floor, "
          f"{merge / lines * 1e6:.2f} us per line")


if __name__ == "__main__":
    main()
