"""Start-up time of the ``mailsim`` command: wall and CPU seconds (median of several runs)
of ``mailsim --help`` and ``mailsim validate``, each in a fresh process.

    python bench/startup.py                      # 7 runs each, scenarios/small-office.yaml
    python bench/startup.py --repeat 11 --scenario scenarios/faults.yaml
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one run of ``argv`` in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    """Print the median wall and CPU time of each start-up command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--scenario", default="scenarios/small-office.yaml")
    args = parser.parse_args()
    command = [sys.executable, "-m", "simulator"]
    for label, argv in [("mailsim --help", [*command, "--help"]),
                        ("mailsim validate", [*command, "validate", args.scenario])]:
        runs = [timed(argv) for _ in range(args.repeat)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{label:<18} wall {wall:6.3f} s   cpu {cpu:6.3f} s   (median of {args.repeat})")


if __name__ == "__main__":
    main()
