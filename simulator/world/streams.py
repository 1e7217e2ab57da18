"""Seeded random streams, one per purpose, so that every variant of a scenario sees the same
mail and the same intentions (common random numbers) and results never depend on order."""

from __future__ import annotations

import hashlib
import random


def derive(seed: int, *names: object) -> int:
    """A 64-bit seed for the stream named by ``names`` (stable across runs and machines)."""
    text = "|".join([str(seed), *map(str, names)])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def stream(seed: int, *names: object) -> random.Random:
    """An independent ``random.Random`` for one purpose (never the global one)."""
    return random.Random(derive(seed, *names))


def uniform(seed: int, *names: object) -> float:
    """One uniform draw in [0, 1) fixed by its names: the same decision in every variant."""
    return derive(seed, *names) / 2**64


class Draws:
    """The draws ``uniform(seed, *prefix, *names)`` for one prefix, hashing the prefix
    once: a person's decision about each message (read it, flag it...) shares its first
    names, and the hash of the rest continues from the prefix's state (the same digest)."""

    def __init__(self, seed: int, *prefix: object) -> None:
        text = "|".join([str(seed), *map(str, prefix)]) + "|"
        self._start = hashlib.blake2b(text.encode(), digest_size=8)

    def uniform(self, *names: object) -> float:
        """``uniform(seed, *prefix, *names)``."""
        h = self._start.copy()
        h.update("|".join(map(str, names)).encode())
        return int.from_bytes(h.digest(), "big") / 2**64
