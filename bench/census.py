"""What a run holds at its end, by owner: the reference scenario (bench/reference.py) runs
unsharded in one world; then every object reachable from the world and its checkers is
charged (``sys.getsizeof``) to the attribute it was first reached through, breadth first,
named ``Class.attribute`` after the nearest object of mailsim's or SimPy's own classes.
Prints the owners that hold the most, the total and the process's peak before the census.

    python bench/census.py                          # 40 users x 30 days, the top 25
    python bench/census.py --users 10 --days 7 --top 40

An object reached through several owners is charged once, to the first (an interned
string shared by the server, the device and a checker counts where it was met first), so
the total is what the run holds, not the sum of what each part would hold alone.
Compiled (mypyc) classes are walked through their ``__mypyc_attrs__``, not ``dir()``: a
property would be counted as a new object at every visit.
"""

from __future__ import annotations

import argparse
import resource
import sys
import types
from collections import Counter, deque
from collections.abc import Iterator
from typing import Any

from reference import SCENARIO

from simulator.backend import SERVERS
from simulator.core import status
from simulator.runs.one import observe, resolve
from simulator.scenario import parse_scenario
from simulator.world.world import World

OPAQUE = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType,
          types.MethodType, types.GeneratorType, types.CodeType, types.FrameType)
"""Counted but not walked: what they reach belongs to code, not to the run's state."""


def attributes(obj: Any) -> Iterator[tuple[str, Any]]:
    """An object's attributes by name: its ``__dict__``, its slots, its compiled fields."""
    names: list[str] = list(getattr(obj, "__dict__", {}))
    for cls in type(obj).__mro__:
        names += getattr(cls, "__mypyc_attrs__", ())
        slots = cls.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else list(slots)
    for name in dict.fromkeys(names):
        if name not in ("__dict__", "__weakref__") and hasattr(obj, name):
            yield name, getattr(obj, name)


def own(obj: Any) -> bool:
    """Whether ``obj`` is an instance of mailsim's or SimPy's classes (an owner)."""
    module = type(obj).__module__ or ""
    return module.startswith(("simulator", "simpy")) and not isinstance(obj, OPAQUE)


def children(obj: Any) -> Iterator[Any]:
    """What a container holds."""
    if isinstance(obj, dict):
        yield from obj.keys()
        yield from obj.values()
    elif isinstance(obj, (list, tuple, set, frozenset, deque)):
        yield from obj


def census(roots: dict[str, Any]) -> Counter[str]:
    """Bytes by owner of everything reachable from ``roots`` (name -> object)."""
    seen: set[int] = set()
    held: Counter[str] = Counter()
    queue = deque(roots.items())
    while queue:
        owner, obj = queue.popleft()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        held[owner] += sys.getsizeof(obj)
        if isinstance(obj, OPAQUE):
            continue
        if own(obj):
            name = type(obj).__name__
            queue.extend((f"{name}.{attr}", value) for attr, value in attributes(obj))
        else:
            queue.extend((owner, child) for child in children(obj))
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    text = SCENARIO.format(users=args.users, days=args.days)
    _, resolved = resolve(parse_scenario(text, "<bench>"))
    history, observer = observe(resolved, keep_history=False)
    world = World(resolved, history, backends=SERVERS)
    world.run()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # KiB on Linux
    held = census({"World": world, "Observer": observer})
    total = sum(held.values())
    print(f"reference {args.users} users x 3 devices x {args.days} d, core: {status()}")
    for owner, size in held.most_common(args.top):
        print(f"{size / 1e6:9.2f} MB {100 * size / total:5.1f} %  {owner}")
    print(f"{total / 1e6:9.2f} MB in all, {len(held)} owners")
    print(f"peak resident memory of this process before the census: {peak} MB")
    world.close()


if __name__ == "__main__":
    main()
