"""Exact sums of floats as integers, so that sums made in several processes add up to the
very float ``math.fsum`` gives over all the values at once.

Every finite float is ``n / 2**k`` with ``k <= 1074``; scaled by ``2**1074`` it is the
integer ``n << (1074 - k)``. Integers add exactly and in any order, and one correctly
rounded division at the end gives the float nearest the exact sum, which is what
``math.fsum`` returns (tests/observe/test_exactsum.py checks it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

SCALE: Final = 1074
"""Binary digits below the point: enough for the smallest subnormal float."""


def exact(values: Iterable[float]) -> int:
    """The sum of ``values`` times ``2**SCALE``, exactly."""
    total = 0
    for value in values:
        num, den = value.as_integer_ratio()
        total += num << (SCALE + 1 - den.bit_length())  # den is 2**k: bit_length is k + 1
    return total


def to_float(total: int) -> float:
    """The float nearest an exact sum (one correctly rounded division)."""
    return total / (1 << SCALE)


def compact(total: int) -> tuple[int, int]:
    """An exact sum as (odd multiplier, binary shift): a few bytes instead of 140 to send."""
    if total == 0:
        return 0, 0
    shift = (total & -total).bit_length() - 1
    return total >> shift, shift


def expand(packed: tuple[int, int]) -> int:
    """The exact sum of a :func:`compact` one."""
    return packed[0] << packed[1]
