"""Sharded runs: the people split into shards balanced by expected work, each shard run as
its own world with its own checkers, and the shards' partial results merged into the whole
run's results (``observe/partial.py``, ``observe/merge.py``).

People meet only through what the scenario shares (server outages and retention, network
schedules, failures and partitions, shared scripted events) and their random streams are
named per person, so a person's records are the same in a shard as in the whole run
(tests/runs/test_shards.py). Shared records (ticks, outages, links, partitions, resets,
the end) appear in every shard at the same place among that shard's own records. The
checkers do not depend on the order of different people's records within an instant
(docs/DESIGN.md), so the merged partials give the same summary and time series, byte for
byte, as the whole run. When a sharded run keeps its history, the shards' histories are
merged here too: cut into segments at the shared records, the segments merged by time
(records of different shards at one instant in shard order) and each shared record kept
once (a tick's online devices summed).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal

from simulator.observe.history import RECORDS, History, Record, Tick
from simulator.observe.merge import Gathered
from simulator.observe.storymerge import Told, merge_story_files
from simulator.runs.one import Progress, Results, header
from simulator.runs.retell import repeatable, retell, retells
from simulator.scenario import Scenario, User
from simulator.world.timing import DAY

SHARED = frozenset({"tick", "outage", "server_outage", "link", "partition",
                    "uidvalidity_reset", "end"})
"""Kinds of record that every shard makes (the shared world), kept once when merging."""


FIELDS = {kind: cls.FIELDS for kind, cls in RECORDS.items()}
"""Each kind's fields in order: a record travels between processes as a plain tuple."""

Packed = list[tuple[Any, ...]]


def pack(records: Iterable[Record]) -> Packed:
    """A shard's history as (kind, *fields) tuples: half the bytes of pickled records and
    twice as fast to send from a worker process."""
    return [(r.kind, *[getattr(r, f) for f in FIELDS[r.kind]]) for r in records]


def unpack(rows: Packed) -> list[Record]:
    """The records of a packed history."""
    return [RECORDS[row[0]](*row[1:]) for row in rows]


class ShardMismatch(RuntimeError):
    """The shards disagree about the shared world (a bug: the model coupled people)."""


Shards = int | Literal["auto"]
"""How many shards a run is split into: a number, or "auto" (:func:`auto_shards`)."""

SHARD_DEVICE_DAYS = 300.0
"""The device-days (devices × simulated days) a shard holds at most under ``auto``: a
world's live state (every copy of every message, and what the checkers keep of it) grows
with them, and once it outgrows the processor's caches every step costs more. Shards of
90 to 560 device-days ran the reference organisation 12-14 % faster than shards of 2,250,
in 30 % less memory; 300 keeps every bundled scenario whole (``bench/shard_size.py``;
docs/DESIGN.md, "Sharded runs")."""
MAX_AUTO_SHARDS = 4096
"""The most shards ``auto`` makes (beyond, shards grow): each costs a world's start (1.6 ms
of CPU in a 100-person organisation, 6.7 ms in a 10,000-person one) and a scratch story
file. The merging process folds each shard's hours in as it arrives and merges story files
in rounds (``observe/storymerge.py``), so neither limits the count."""


def auto_shards(scenario: Scenario, processes: int = 1) -> int:
    """The shards ``auto`` means for ``scenario`` (as it runs, variant applied): as few as
    keep each under SHARD_DEVICE_DAYS, rounded up to a multiple of the ``processes`` that
    will run them when there is more than one (three shards on two processes would leave
    one idle for a third of the run), one per person and MAX_AUTO_SHARDS at most; one for
    a run with a real server or real programs (their processes, logs and scratch belong to
    one world)."""
    if not repeatable(scenario):
        return 1
    users = scenario.expand()
    devices = sum(len(u.devices) for u in users) + len(scenario.added_devices())
    wanted = math.ceil(devices * scenario.duration / DAY / SHARD_DEVICE_DAYS)
    if wanted > 1 and processes > 1:
        wanted = math.ceil(wanted / processes) * processes
    return max(1, min(len(users), wanted, MAX_AUTO_SHARDS))


def shard_count(scenario: Scenario, shards: Shards, processes: int = 1) -> int:
    """``shards`` as a number for ``scenario`` (as it runs) on ``processes`` processes."""
    return auto_shards(scenario, processes) if shards == "auto" else shards


def work(user: User) -> float:
    """A person's expected work: devices × (mail received and sent + checks) per second."""
    rate = user.mail.receive + user.mail.send + 1.0 / user.habits.check_every
    rate += sum(a.mail.receive + a.mail.send for a in user.accounts)
    return max(1, len(user.devices)) * rate


def split(scenario: Scenario, shards: int) -> list[tuple[str, ...]]:
    """The people in at most ``shards`` non-empty shards of about equal expected work
    (heaviest first onto the lightest shard; ties by scenario order), each in scenario order."""
    users = scenario.expand()
    loads = [(0.0, s) for s in range(max(1, min(shards, len(users))))]
    members: list[list[int]] = [[] for _ in loads]
    weights = [work(u) for u in users]
    for i in sorted(range(len(users)), key=lambda i: (-weights[i], i)):
        load, s = heapq.heappop(loads)
        members[s].append(i)
        heapq.heappush(loads, (load + weights[i], s))
    return [tuple(users[i].name for i in sorted(m)) for m in members if m]


def _segments(events: Iterable[Record]) -> Iterator[tuple[list[Record], Record | None]]:
    """A shard's history cut at its shared records: (own records before, shared record)."""
    own: list[Record] = []
    for record in events:
        if record.kind in SHARED:
            yield own, record
            own = []
        else:
            own.append(record)
    yield own, None


def _t(record: Record) -> float:
    return record.t


def _shared(records: list[Record | None]) -> Record | None:
    """One shared record from every shard's copy (a tick counts every shard's devices)."""
    first = records[0]
    if first is None or isinstance(first, Tick):
        if any(type(r) is not type(first) or (r is not None and r.t != first.t)
               for r in records):
            raise ShardMismatch(f"shards disagree on the shared world: {records}")
        if first is None:
            return None
        online = sum(r.online_devices for r in records if isinstance(r, Tick))
        return Tick(first.t, online, first.server_up)
    if any(r != first for r in records):
        raise ShardMismatch(f"shards disagree on the shared world: {records}")
    return first


def merge(parts: Sequence[Iterable[Record]]) -> Iterator[Record]:
    """The whole run's history from its shards' histories."""
    for pieces in zip(*(_segments(p) for p in parts), strict=True):
        yield from heapq.merge(*(own for own, _ in pieces), key=_t)
        shared = _shared([s for _, s in pieces])
        if shared is not None:
            yield shared


MERGING = "merging the shards' story files (MB)…"
"""The progress label of the story merge, a phase counted in megabytes read."""


def _merging(progress: Progress | None) -> Told | None:
    """The story merge told as the run's progress, in megabytes (None: not told)."""
    if progress is None:
        return None

    def told(done: int, total: int) -> None:
        megabytes = max(1, round(total / 1e6))  # the last telling fills the bar
        progress(done * megabytes // total if total else megabytes, megabytes, MERGING)

    return told


def combine(base: Scenario, resolved: Scenario, variant: str | None, parts: Gathered,
            keep_history: bool = False, story_file: Path | None = None,
            shard_stories: Sequence[Path] = (), progress: Progress | None = None) -> Results:
    """The Results of the whole run from its shards' partial results (with their histories,
    unpacked, when ``keep_history``); the shards' story files ``shard_stories``, if any, are
    merged into ``story_file``, told to ``progress`` in megabytes read. A run that tells
    its stories again (runs/retell.py) tells them here, its shards having told none."""
    metrics, rows = parts.merge()
    history = History(keep=keep_history)
    if keep_history:
        history.events = list(merge([p.history or [] for p in parts.in_order()]))
    if story_file is not None and shard_stories:
        merge_story_files(shard_stories, story_file, _merging(progress))
    if retells(resolved, keep_history, story_file):
        retell(resolved, metrics["consistency"]["anomaly_witnesses"],
               metrics["durability"]["lost_examples"], progress)
    return Results(resolved, {**header(base, variant), **metrics}, rows, history, story_file)
