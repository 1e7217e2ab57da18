"""A quiet POP3 sync (nothing new, nothing due) of the built-in client, against what the
server alone must do for it, as the maildrop grows: the client's share of a leave-on-server
device's polls, which list the whole maildrop every time.

    python bench/pop3.py                        # 100, 400 and 1,600 listed, 5 repeats
    python bench/pop3.py --listed 400 --repeat 9

Columns: messages listed, microseconds per sync (client and server, driven as the world
drives them, without a clock), microseconds of the server's commands alone (LOGIN, UIDL,
LIST, QUIT executed straight on a session: the floor), and their ratio; medians.
"""

from __future__ import annotations

import argparse
import statistics
import timeit

from simulator.clients.base import Client
from simulator.mail.message import Message
from simulator.testing.driver import Bench

DAY = 86_400.0


def bench_with(listed: int) -> tuple[Bench, Client]:
    """A maildrop of ``listed`` messages, all downloaded by a device that keeps them 14 days."""
    bench = Bench()
    for n in range(listed):
        bench.account.add("INBOX", Message(f"m{n}", 5_000))
    client = bench.client("pop3", "home", leave_on_server=True, delete_after=14 * DAY)
    bench.sync(client, now=0.0)
    return bench, client


def per_sync(bench: Bench, client: Client, number: int) -> float:
    """Microseconds per quiet sync of ``client``."""
    return timeit.timeit(lambda: bench.sync(client, now=DAY), number=number) / number * 1e6


def per_floor(bench: Bench, number: int) -> float:
    """Microseconds per LOGIN, UIDL, LIST and QUIT on a fresh session, no client."""
    def once() -> None:
        session = bench.maildrop.open()
        session.login()
        session.uidl()
        session.list()
        session.quit()
    return timeit.timeit(once, number=number) / number * 1e6


def main() -> None:
    """Print one row per maildrop size: medians of ``--repeat`` alternating measurements."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listed", default="100,400,1600")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print("| listed | sync µs | server alone µs | ratio |")
    print("|---:|---:|---:|---:|")
    for listed in (int(n) for n in args.listed.split(",")):
        bench, client = bench_with(listed)
        number = max(20, 40_000 // listed)
        syncs, floors = [], []
        for _ in range(args.repeat):
            syncs.append(per_sync(bench, client, number))
            floors.append(per_floor(bench, number))
        sync, floor = statistics.median(syncs), statistics.median(floors)
        print(f"| {listed:,} | {sync:.1f} | {floor:.1f} | {sync / floor:.2f} |", flush=True)


if __name__ == "__main__":
    main()
