"""The observing side alone: a run of the reference scenario (bench/reference.py) is made
once with its history kept, then its records are replayed into fresh checkers (and the
story file) --repeat times; prints the CPU time a record costs them, per kind with
--kinds, and a hash of summary.json + timeseries.csv (the same before and after a change
that must not change results).

    python bench/observe.py                        # 10 users x 14 days, 5 replays
    python bench/observe.py --users 20 --days 10 --kinds
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import time
from collections import Counter
from collections.abc import Sequence

from reference import SCENARIO

from simulator.observe.history import Record
from simulator.runs import run
from simulator.runs.one import observe, resolve, results
from simulator.scenario import parse_scenario


def replay(records: Sequence[Record], users: int, days: int) -> tuple[float, str]:
    """CPU seconds to feed ``records`` to a fresh observer and summarise; the output hash."""
    base, resolved = resolve(parse_scenario(SCENARIO.format(users=users, days=days), "<b>"))
    gc.collect()
    start = time.process_time()
    history, observer = observe(resolved, keep_history=False)
    for record in records:
        history.emit(record)
    out = results(base, resolved, None, history, observer)
    seconds = time.process_time() - start
    text = out.summary_json() + out.timeseries_csv()
    return seconds, hashlib.sha256(text.encode()).hexdigest()[:16]


def per_kind(records: Sequence[Record], users: int, days: int) -> dict[str, float]:
    """CPU microseconds a record of each kind costs the checkers (kinds replayed one at a
    time into an observer already fed every record before it, so the state is real; a
    story-file flush is charged to the record that triggers it)."""
    _, resolved = resolve(parse_scenario(SCENARIO.format(users=users, days=days), "<b>"))
    history, _ = observe(resolved, keep_history=False)
    spent: Counter[str] = Counter()
    clock = time.perf_counter
    for record in records:
        start = clock()
        history.emit(record)
        spent[record.kind] += clock() - start
    counts = Counter(r.kind for r in records)
    return {k: spent[k] / counts[k] * 1e6 for k in sorted(counts, key=lambda k: -spent[k])}


def main() -> None:
    """Record once, replay several times; print the median and the hash."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kinds", action="store_true", help="also the cost of each kind")
    args = parser.parse_args()
    scenario = parse_scenario(SCENARIO.format(users=args.users, days=args.days), "<bench>")
    records = run(scenario, keep_history=True).history.events
    times, hashes = [], set()
    for _ in range(args.repeat):
        seconds, digest = replay(records, args.users, args.days)
        times.append(seconds)
        hashes.add(digest)
    median = statistics.median(times)
    print(f"{len(records)} records of {args.users} users x {args.days} d replayed "
          f"{args.repeat} times: median {median:.3f} s CPU, "
          f"{median / len(records) * 1e6:.2f} µs a record; output {' '.join(sorted(hashes))}")
    if args.kinds:
        for kind, micro in per_kind(records, args.users, args.days).items():
            print(f"  {kind:18} {micro:6.2f} µs")


if __name__ == "__main__":
    main()
