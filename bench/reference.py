"""Reference workload (DESIGN: performance): N users x 3 devices x D days, timed against a
bare SimPy loop of 1,000,000 timeouts in the same process; prints medians and the ratio.

    python bench/reference.py                   # 1000 users, 30 days, 3 repeats
    python bench/reference.py --users 100 --days 7 --repeat 5
    python bench/reference.py --users 100 --shards auto   # the commands' default shards,
                                                          # one after the other, here
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time

import simpy

from simulator.runs import Results, run, run_sharded
from simulator.scenario import parse_scenario

SCENARIO = """\
mailsim: 1
name: reference
seed: 1
duration: {days}d
networks:
  office:   {{latency: 5ms, bandwidth: 100Mbit}}
  cellular: {{latency: 60ms, bandwidth: 10Mbit}}
profiles:
  laptop: {{protocol: imap, client: {{cache: full, idle: true, poll: 10m}}, network: office,
           online: {{weekly: "Mon-Fri 08:00-18:00"}}}}
  phone:  {{protocol: imap, client: {{cache: headers, poll: 15m}}, network: cellular,
           online: {{weekly: "Mon-Sun 07:00-23:00"}}}}
  home:   {{protocol: pop3, client: {{leave_on_server: true, delete_after: 14d, poll: 30m}},
           online: {{weekly: "Mon-Sun 18:00-23:00"}}}}
users:
  - name: staff
    count: {users}
    mail: {{receive: 40/d, send: 8/d, size: {{median: 75KB, sigma: 1.0}}}}
    habits: {{check_every: 1h}}
    devices:
      - {{name: laptop, profile: laptop, uses: 0.5}}
      - {{name: phone, profile: phone, uses: 0.3}}
      - {{name: home, profile: home, uses: 0.2}}
"""


def bare_simpy(timeouts: int = 1_000_000) -> float:
    """Seconds for a SimPy process that yields ``timeouts`` timeouts and nothing else."""
    env = simpy.Environment()

    def loop() -> simpy.events.ProcessGenerator:
        for _ in range(timeouts):
            yield env.timeout(1)

    env.process(loop())
    start = time.perf_counter()
    env.run()
    return time.perf_counter() - start


def reference(users: int, days: int, shards: str = "1") -> Results:
    """The reference scenario run whole, or in ``shards`` one after the other here."""
    scenario = parse_scenario(SCENARIO.format(users=users, days=days), "<bench>")
    if shards == "1":
        return run(scenario, keep_history=False)
    count = "auto" if shards == "auto" else int(shards)
    return run_sharded(scenario, count, workers=1, keep_history=False)


def workload(users: int, days: int, shards: str = "1") -> tuple[float, float, int]:
    """Seconds (wall and this process's CPU) to run the reference scenario (whole, or in
    ``shards`` run one after the other in this process), and its read attempts."""
    start, cpu = time.perf_counter(), time.process_time()
    results = reference(users, days, shards)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert results.valid, results.summary["verdict"]
    return elapsed, cpu, results.summary["reads"]["attempts"]


def main() -> None:
    """Run both several times; print medians and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shards", default="1", help="1 (whole), N or auto; one process")
    args = parser.parse_args()
    base, work, cpus = [], [], []
    for _ in range(args.repeat):
        base.append(bare_simpy())
        seconds, cpu, reads = workload(args.users, args.days, args.shards)
        work.append(seconds)
        cpus.append(cpu)
    b, w = statistics.median(base), statistics.median(work)
    print(f"bare SimPy, 1e6 timeouts: median {b:.2f} s over {args.repeat} runs")
    print(f"reference {args.users} users x 3 devices x {args.days} d, --shards {args.shards}: "
          f"median {w:.2f} s "
          f"({reads} read attempts), CPU time median {statistics.median(cpus):.2f} s")
    print(f"ratio workload / bare SimPy: {w / b:.1f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    print(f"peak resident memory of this process: {peak} MB")


if __name__ == "__main__":
    main()
