"""Scaling table (issue 10): the reference organisation (bench/reference.py) at several sizes,
run unsharded, with ``--shards auto`` (the commands' default) in one process and on two,
with ``--shards 2 --workers 2`` and with ``--shards N|auto --dask local``. Each
cell runs in a fresh process, which first times a bare SimPy loop of 10^6 timeouts, so the
ratio is measured on the same machine state as the run.

    python bench/scale.py                                   # 100 and 1,000 people, 3 modes
    python bench/scale.py --users 10000 --modes dask --dask-shards 8
    python bench/scale.py --users 100 --days 7 --repeat 3   # quick look
    python bench/scale.py --users 1000 --modes auto,auto2

    python bench/scale.py --users 100,1000,10000 --modes autodask   # the issue's Dask table

Columns: shards, wall and CPU seconds (this process and its helpers, or Dask's workers),
ratio of wall time to the bare loop, peak resident memory of the largest single process
and of the asking process, and wall and CPU milliseconds per person-day (flat from small
to large organisations is the goal).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time

from reference import SCENARIO, bare_simpy
from shards import cpu_s, descendants, peak_kib

MODES = {
    "plain": "unsharded, 1 process",
    "auto": "--shards auto (the default), 1 process",
    "auto2": "--shards auto --workers 2",
    "shards": "--shards 2 --workers 2",
    "dask": "--shards {n} --dask local (2 workers)",
    "autodask": "--shards auto --dask local (2 workers)",
}


def one(users: int, days: int, mode: str, dask_shards: int) -> dict[str, float]:
    """Run one cell in this process and measure it."""
    from simulator.runs import run, run_sharded
    from simulator.runs.shards import shard_count
    from simulator.scenario import parse_scenario

    bare = bare_simpy()
    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    start, cpu, mine = time.perf_counter(), _cpu(), _own_cpu()
    with Peaks() as peaks:
        if mode == "plain":
            results = run(scenario, keep_history=False)
        elif mode in ("auto", "auto2") and shard_count(scenario, "auto") == 1:
            results = run(scenario, keep_history=False)  # as `mailsim run` does
        elif mode in ("auto", "auto2"):
            workers = 2 if mode == "auto2" else 1
            results = run_sharded(scenario, "auto", workers=workers, keep_history=False)
        else:
            shards = {"shards": 2, "dask": dask_shards}.get(mode, "auto")
            dask = "local" if mode in ("dask", "autodask") else None
            results = run_sharded(scenario, shards, workers=2, dask=dask, keep_history=False)
    wall = time.perf_counter() - start
    dask = mode in ("dask", "autodask")  # its workers are not processes this one waits for
    cpu = _own_cpu() - mine + peaks.cpu() if dask else _cpu() - cpu
    assert results.valid, results.summary["verdict"]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    helpers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "cpu": cpu, "bare": bare, "peak_mb": max(own, helpers, peaks.peak_mb),
            "asker_mb": own,
            "shards": shard_count(scenario, shards_of(mode, dask_shards), processes(mode))}


def processes(mode: str) -> int:
    """The processes a mode runs a split run on (``auto`` rounds its shards up to them)."""
    return 1 if mode in ("plain", "auto") else 2


def shards_of(mode: str, dask_shards: int) -> int | str:
    """The ``shards`` a mode asks for."""
    return {"plain": 1, "shards": 2, "dask": dask_shards}.get(mode, "auto")


class Peaks:
    """Samples, twice a second, the peak resident size (VmHWM) and CPU time of every process
    under this one: Dask's workers are started by its nannies, so their peaks and CPU never
    reach this process's ``RUSAGE_CHILDREN``."""

    def __init__(self) -> None:
        self.peak_mb = 0.0
        self._cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def cpu(self) -> float:
        """CPU seconds of the processes under this one, as last sampled."""
        return sum(self._cpu.values())

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            for pid in descendants(os.getpid()):
                peak, cpu = peak_kib(pid), cpu_s(pid)
                if peak:  # 0: the process is gone; keep its last sample
                    self.peak_mb = max(self.peak_mb, peak / 1024)
                    self._cpu[pid] = cpu


def _own_cpu() -> float:
    """CPU seconds of this process alone."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    return me.ru_utime + me.ru_stime


def _cpu() -> float:
    """CPU seconds of this process and of its finished helper processes."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def cell(users: int, days: int, mode: str, dask_shards: int) -> dict[str, float]:
    """One cell measured in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, __file__, "--one", mode, "--users", str(users), "--days", str(days),
         "--dask-shards", str(dask_shards)],
        check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Print the table, one row per size and mode, medians over ``--repeat`` runs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="100,1000",
                        help="comma-separated organisation sizes (people)")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--modes", default="plain,shards,dask")
    parser.add_argument("--dask-shards", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--one", choices=sorted(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(int(args.users), args.days, args.one, args.dask_shards)))
        return
    print(f"reference organisation x 3 devices x {args.days} d; {os.cpu_count()} cores; "
          f"median of {args.repeat}")
    print("| people | mode | shards | wall s | CPU s | ratio | peak MB | asker MB "
          "| wall ms/person-day | CPU ms/person-day |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for users in (int(u) for u in args.users.split(",")):
        for mode in args.modes.split(","):
            runs = [cell(users, args.days, mode, args.dask_shards) for _ in range(args.repeat)]
            wall = statistics.median(r["wall"] for r in runs)
            cpu = statistics.median(r["cpu"] for r in runs)
            ratio = statistics.median(r["wall"] / r["bare"] for r in runs)
            peak = max(r["peak_mb"] for r in runs)
            asker = max(r["asker_mb"] for r in runs)
            label = MODES[mode].format(n=args.dask_shards)
            person_days = users * args.days
            print(f"| {users:,} | {label} | {runs[0]['shards']:.0f} | {wall:.1f} | {cpu:.1f} | "
                  f"{ratio:.0f} | {peak:.0f} | {asker:.0f} | {1000 * wall / person_days:.2f} | "
                  f"{1000 * cpu / person_days:.2f} |", flush=True)


if __name__ == "__main__":
    main()
