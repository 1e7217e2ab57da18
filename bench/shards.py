"""Sharded runs measured as a user runs them: ``mailsim run`` of the reference scenario
unsharded, with ``--shards 2 --workers 2`` and with ``--shards 2 --dask local``, taken in
turn ``--repeat`` times. Prints, per way, the medians of wall seconds, CPU seconds (user +
sys of the command and every process it started), and CPU seconds and peak RSS of the
command's own process and of its busiest and largest other process (a worker: on a busy
machine, the larger of the two CPU figures tells the wall time an idle one would give
better than the wall time measured); then checks that every results folder has the
unsharded run's summary.json, timeseries.csv, report.md and report.html byte for byte, and
its story file the same records (in another order within an instant).

    python bench/shards.py --users 100 --days 7 --repeat 3
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from reference import SCENARIO

WAYS = {
    "unsharded": ["--shards", "1", "--workers", "1"],
    "shards 2, workers 2": ["--shards", "2", "--workers", "2"],
    "shards 2, dask local": ["--shards", "2", "--workers", "2", "--dask", "local"],
}
SAME = ("summary.json", "timeseries.csv", "report.md", "report.html", "scenario.yaml")


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_kib(pid: int) -> int:
    """A process's peak resident set so far (VmHWM), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_s(pid: int) -> float:
    """A process's own CPU seconds so far (user + sys), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


Figures = tuple[float, float, float, float, int, int]


def measure(command: list[str]) -> Figures:
    """Wall s, CPU s of all processes, CPU s of the command's own process and of its
    busiest other (as last seen: a lower bound), peak RSS MiB of the same two."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peaks: dict[int, int] = {}
    cpus: dict[int, float] = {}
    while proc.poll() is None:
        for pid in [proc.pid, *descendants(proc.pid)]:
            peaks[pid] = max(peaks.get(pid, 0), peak_kib(pid))
            cpus[pid] = max(cpus.get(pid, 0.0), cpu_s(pid))
        time.sleep(0.1)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit(f"{' '.join(command)}: exit {proc.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    own, own_cpu = peaks.pop(proc.pid, 0), cpus.pop(proc.pid, 0.0)
    return (wall, cpu, own_cpu, max(cpus.values(), default=0.0), own // 1024,
            max(peaks.values(), default=0) // 1024)


def stories(folder: Path) -> Counter[bytes]:
    """The story file's lines, as a multiset."""
    return Counter(gzip.decompress((folder / "stories.jsonl.gz").read_bytes()).splitlines())


def main() -> None:
    """Run each way in turn, print medians, and compare the folders."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    mailsim = str(Path(sys.executable).with_name("mailsim"))
    with tempfile.TemporaryDirectory(prefix="mailsim-bench-") as tmp:
        scenario = Path(tmp) / "reference.yaml"
        scenario.write_text(SCENARIO.format(users=args.users, days=args.days))
        figures: dict[str, list[Figures]] = {w: [] for w in WAYS}
        for r in range(args.repeat):
            for way, flags in WAYS.items():
                out = Path(tmp) / f"{way.replace(' ', '').replace(',', '-')}-{r}"
                figures[way].append(measure([mailsim, "run", str(scenario), "--out", str(out),
                                             *flags]))
        print(f"reference {args.users} users x {args.days} d, median of {args.repeat}")
        print(f"{'':22} {'wall s':>7} {'cpu s':>7} {'own cpu':>8} {'worker cpu':>10} "
              f"{'own MiB':>8} {'worker MiB':>10}")
        for way, rows in figures.items():
            m = [statistics.median(col) for col in zip(*rows, strict=True)]
            print(f"{way:22} {m[0]:7.1f} {m[1]:7.1f} {m[2]:8.1f} {m[3]:10.1f} {m[4]:8.0f} "
                  f"{m[5]:10.0f}")
        base = Path(tmp) / "unsharded-0"
        for folder in sorted(Path(tmp).glob("*-*")):
            for name in SAME:
                if (folder / name).read_bytes() != (base / name).read_bytes():
                    sys.exit(f"{folder.name}/{name} differs from the unsharded run's")
            if stories(folder) != stories(base):
                sys.exit(f"{folder.name}/stories.jsonl.gz has other records")
        print("every folder: the same summary.json, timeseries.csv, reports; same stories")


if __name__ == "__main__":
    main()
