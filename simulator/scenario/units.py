"""Parse and format the scenario's human units: durations, times, sizes, bandwidths and rates.

Every parser takes the text a person writes ("15m", "75KB", "40/d") and returns plain SI
numbers (seconds, bytes, bytes per second, events per second); every formatter writes a
canonical string that its parser reads back to exactly the same number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

NUMBER = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"

DURATION_UNITS: dict[str, int] = {"ms": 0, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_PART = re.compile(rf"\s*({NUMBER})\s*(ms|s|m|h|d|w)(?![A-Za-z])")
_TIME_OF_DAY = re.compile(r"(?:^|\s)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?\s*$")

SIZE_UNITS: dict[str, int] = {
    "B": 1,
    "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
}  # fmt: skip
_SIZE = re.compile(rf"\s*({NUMBER})\s*([KMGT]i?B|B)\s*")

BANDWIDTH_UNITS: dict[str, float] = {
    "bit": 1 / 8, "kbit": 1e3 / 8, "Kbit": 1e3 / 8, "Mbit": 1e6 / 8, "Gbit": 1e9 / 8,
    "B/s": 1.0, "KB/s": 1e3, "MB/s": 1e6, "GB/s": 1e9,
    "KiB/s": 2.0**10, "MiB/s": 2.0**20, "GiB/s": 2.0**30,
}  # fmt: skip
_BANDWIDTH = re.compile(rf"\s*({NUMBER})\s*(?:([kKMG]?bit)(?:/s)?|([KMG]i?B/s|B/s))\s*")

RATE_PERIODS: dict[str, int] = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_RATE = re.compile(rf"\s*({NUMBER})\s*/\s*(s|m|h|d|w)\s*")


def _is_number(value: object) -> bool:
    """Whether value is a Python int or float but not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _expect_text(value: object, what: str) -> str:
    """Return value if it is a string; a bare 0 becomes "0s"-like; anything else is an error."""
    if isinstance(value, str):
        return value
    if _is_number(value) and value == 0:
        return "0"
    if _is_number(value):
        raise ValueError(f"expected {what}, got the bare number {value!r} (add a unit)")
    raise ValueError(f"expected {what}, got {value!r}")


def _finite(number: float, what: str, text: str) -> float:
    """Reject infinities and NaN, which no unit string should produce."""
    if not math.isfinite(number):
        raise ValueError(f"expected {what}, got {text!r} (too large)")
    return number


def parse_duration(value: object) -> float:
    """Parse a duration such as "30s", "15m", "1d 12h" or "500ms" into seconds."""
    what = "a duration like 15m, 2h or 1d 12h"
    text = _expect_text(value, what)
    if text.strip() == "0":
        return 0.0
    seconds = _parse_duration_parts(text)
    if seconds is None:
        raise ValueError(f"expected {what}, got {text!r}")
    return _finite(seconds, what, text)


def _parse_duration_parts(text: str) -> float | None:
    """Sum "<number><unit>" parts covering all of text, or None if text is not a duration."""
    pos, total, seen = 0, 0.0, False
    stripped = text.rstrip()
    while pos < len(stripped):
        match = _DURATION_PART.match(stripped, pos)
        if match is None:
            return None
        number, unit = float(match.group(1)), match.group(2)
        total += number / 1000 if unit == "ms" else number * DURATION_UNITS[unit]
        pos, seen = match.end(), True
    return total if seen else None


def parse_at(value: object) -> float:
    """Parse a point in scenario time ("4h", "3d", "5d 12:00", "08:00") into seconds from start.

    A time of day "HH:MM" is added to the days (and other parts) before it, so "5d 12:00" is
    five days and twelve hours; a bare "08:00" is 08:00 on day 0.
    """
    what = "a time like 4h, 3d, 08:00 or 5d 12:00"
    text = _expect_text(value, what)
    if text.strip() == "0":
        return 0.0
    match = _TIME_OF_DAY.search(text)
    if match is None:
        seconds = _parse_duration_parts(text)
        return _bad(what, text) if seconds is None else _finite(seconds, what, text)
    hours, minutes, secs = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if minutes > 59 or secs > 59 or hours > 24 or (hours == 24 and minutes + secs > 0):
        raise ValueError(f"expected {what}, got {text!r} (no such time of day)")
    head = text[: match.start()].strip()
    days = 0.0 if not head else _parse_duration_parts(head)
    if days is None:
        return _bad(what, text)
    return _finite(days + hours * 3600 + minutes * 60 + secs, what, text)


def _bad(what: str, text: str) -> float:
    """Raise the standard "expected ..., got ..." error."""
    raise ValueError(f"expected {what}, got {text!r}")


def parse_size(value: object) -> int:
    """Parse a size such as "75KB", "2MiB", "1.5MB" or "512B" into whole bytes (rounded)."""
    what = "a size like 75KB, 2MiB or 1GB (KB/MB/GB decimal, KiB/MiB/GiB binary)"
    text = _expect_text(value, what)
    if text.strip() == "0":
        return 0
    match = _SIZE.fullmatch(text)
    if match is None:
        return int(_bad(what, text))
    try:
        exact = Decimal(match.group(1)) * SIZE_UNITS[match.group(2)]
        return int(exact.to_integral_value())
    except (InvalidOperation, OverflowError):
        return int(_bad(what, text))


def parse_bandwidth(value: object) -> float:
    """Parse a bandwidth such as "100Mbit", "500kbit" or "2MB/s" into bytes per second."""
    what = "a bandwidth like 100Mbit, 500kbit or 2MB/s"
    text = _expect_text(value, what)
    if text.strip() == "0":
        return 0.0
    match = _BANDWIDTH.fullmatch(text)
    if match is None:
        return _bad(what, text)
    unit = match.group(2) or match.group(3)
    return _finite(float(match.group(1)) * BANDWIDTH_UNITS[unit], what, text)


def parse_rate(value: object) -> float:
    """Parse a rate such as "40/d", "3/h" or "0.5/h" into events per second."""
    what = "a rate like 40/d or 3/h"
    text = _expect_text(value, what)
    if text.strip() == "0":
        return 0.0
    match = _RATE.fullmatch(text)
    if match is None:
        return _bad(what, text)
    return _finite(float(match.group(1)) / RATE_PERIODS[match.group(2)], what, text)


def _shortest(
    value: float, parse: Callable[[str], float], forms: Sequence[tuple[str, float]]
) -> str | None:
    """The shortest "<number><suffix>" among forms (suffix, multiplier) that parses back to value.

    Ties go to the earlier form.
    """
    found: list[str] = []
    for suffix, multiplier in forms:
        number = value * multiplier
        for digits in range(0, 16):
            text = _plain(round(number, digits)) + suffix
            if parse(text) == value:
                found.append(text)
                break
    return min(found, key=len) if found else None


def _plain(number: float) -> str:
    """Write number without a trailing ".0" when it is whole."""
    if float(number).is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(float(number))


def format_duration(seconds: float) -> str:
    """Write seconds as a canonical duration ("1d 12h", "15m", "0.5s") that parses back exactly."""
    if seconds < 0 or not math.isfinite(seconds):
        raise ValueError(f"cannot write {seconds!r} as a duration")
    if not float(seconds).is_integer() or seconds >= 2**53:
        found = _shortest(seconds, parse_duration, [("ms", 1000.0)])
        return found if found is not None and "." not in found else _plain(seconds) + "s"
    rest, parts = int(seconds), []
    for unit in ("d", "h", "m", "s"):
        count, rest = divmod(rest, DURATION_UNITS[unit])
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts) or "0s"


def format_at(seconds: float) -> str:
    """Write a point in scenario time canonically; same form as a duration (e.g. "5d 12h")."""
    return format_duration(seconds)


def format_size(size: int) -> str:
    """Write bytes with the largest decimal or binary unit that divides them exactly."""
    if size < 0:
        raise ValueError(f"cannot write {size!r} as a size")
    best = "B"
    for unit, factor in SIZE_UNITS.items():
        if size and size % factor == 0 and factor > SIZE_UNITS[best]:
            best = unit
    return f"{size // SIZE_UNITS[best]}{best}"


def format_bandwidth(bytes_per_s: float) -> str:
    """Write bytes per second canonically, preferring Mbit/Gbit/kbit forms that read back."""
    forms = [(unit, 1 / BANDWIDTH_UNITS[unit]) for unit in ("Mbit", "Gbit", "kbit", "bit")]
    found = _shortest(bytes_per_s, parse_bandwidth, forms)
    return found if found is not None else _plain(bytes_per_s) + "B/s"


def format_rate(per_second: float) -> str:
    """Write events per second canonically ("40/d", "3/h"), falling back to "<n>/s"."""
    forms = [(f"/{unit}", float(RATE_PERIODS[unit])) for unit in ("d", "h", "m", "w")]
    found = _shortest(per_second, parse_rate, forms)
    return found if found is not None else _plain(per_second) + "/s"
