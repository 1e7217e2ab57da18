"""Specification of the unit parsers and formatters in `simulator.scenario.units`."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.scenario.units import (
    format_bandwidth,
    format_duration,
    format_rate,
    format_size,
    parse_at,
    parse_bandwidth,
    parse_duration,
    parse_rate,
    parse_size,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("15m", 900),
        ("2h", 7200),
        ("3d", 259200),
        ("1w", 604800),
        ("500ms", 0.5),
        ("1d 12h", 129600),
        ("1h30m", 5400),
        ("0.5h", 1800),
        (0, 0),
    ],
)
def test_parse_duration_reads_units_into_seconds(text: str, seconds: float) -> None:
    """Durations are a number with ms/s/m/h/d/w, parts may be combined; a bare 0 is allowed."""
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["15 parsecs", "15", "m", "15min", "-5m", "", "1d twelve"])
def test_parse_duration_rejects_text_without_a_known_unit(bad: str) -> None:
    """Anything but <number><unit> parts is an error that says what a duration looks like."""
    with pytest.raises(ValueError, match=r"expected a duration like 15m"):
        parse_duration(bad)


def test_bare_numbers_are_not_durations_except_zero() -> None:
    """A plain YAML number has no unit, so it is rejected with a hint to add one."""
    with pytest.raises(ValueError, match=r"bare number 30 \(add a unit\)"):
        parse_duration(30)
    assert parse_duration(0) == 0


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("5d 12:00", 5 * 86400 + 12 * 3600),
        ("4h", 4 * 3600),
        ("1d 09:00", 86400 + 9 * 3600),
        ("3d", 3 * 86400),
        ("08:00", 8 * 3600),
        ("2d 08:30:15", 2 * 86400 + 8 * 3600 + 30 * 60 + 15),
    ],
)
def test_parse_at_adds_a_time_of_day_to_the_days_before_it(text: str, seconds: float) -> None:
    """ "5d 12:00" is day 5 at noon; a bare "08:00" is 08:00 on day 0; durations also work."""
    assert parse_at(text) == seconds


@pytest.mark.parametrize("bad", ["25:00", "12:60", "noon", "5d noon", "5x 12:00"])
def test_parse_at_rejects_impossible_times(bad: str) -> None:
    """Times of day must exist and the part before them must be a duration."""
    with pytest.raises(ValueError, match="expected a time like"):
        parse_at(bad)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("75KB", 75_000),
        ("2MiB", 2 * 1024**2),
        ("1GB", 10**9),
        ("512B", 512),
        ("1.5MB", 1_500_000),
        ("1TiB", 1024**4),
        ("16GB", 16 * 10**9),
    ],
)
def test_parse_size_knows_decimal_and_binary_units(text: str, size: int) -> None:
    """KB/MB/GB/TB are powers of 1000, KiB/MiB/GiB/TiB powers of 1024; the result is bytes."""
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", ["75kb", "75", "75 K", "2 MiBs", 75])
def test_parse_size_requires_a_case_sensitive_unit(bad: object) -> None:
    """The unit is required and written exactly (kb is not KB)."""
    with pytest.raises(ValueError, match="expected a size like 75KB"):
        parse_size(bad)


@pytest.mark.parametrize(
    ("text", "bytes_per_s"),
    [
        ("100Mbit", 12_500_000),
        ("10Mbit", 1_250_000),
        ("1Gbit", 125_000_000),
        ("500kbit", 62_500),
        ("2MB/s", 2_000_000),
        ("100Mbit/s", 12_500_000),
    ],
)
def test_parse_bandwidth_gives_bytes_per_second(text: str, bytes_per_s: float) -> None:
    """Bit rates are divided by 8; byte rates (…B/s) are taken as they are."""
    assert parse_bandwidth(text) == pytest.approx(bytes_per_s)


def test_parse_bandwidth_rejects_unknown_units() -> None:
    """A bandwidth needs a bit or byte-per-second unit."""
    with pytest.raises(ValueError, match="expected a bandwidth like 100Mbit"):
        parse_bandwidth("100 megs")


@pytest.mark.parametrize(
    ("text", "per_second"),
    [("40/d", 40 / 86400), ("3/h", 3 / 3600), ("1/m", 1 / 60), ("0.5/h", 0.5 / 3600),
     ("2/w", 2 / 604800)],
)  # fmt: skip
def test_parse_rate_gives_events_per_second(text: str, per_second: float) -> None:
    """A rate is a count per s/m/h/d/w."""
    assert parse_rate(text) == per_second


def test_parse_rate_explains_the_expected_form() -> None:
    """An unreadable rate says what a rate looks like and echoes the input."""
    with pytest.raises(ValueError, match=r"expected a rate like 40/d or 3/h, got '40 per day'"):
        parse_rate("40 per day")


def test_formatters_write_readable_canonical_strings() -> None:
    """Formatters prefer the units people write."""
    assert format_duration(129600) == "1d 12h"
    assert format_duration(0.005) == "5ms"
    assert format_duration(0) == "0s"
    assert format_size(75_000) == "75KB"
    assert format_size(2 * 1024**2) == "2MiB"
    assert format_size(1234) == "1234B"
    assert format_bandwidth(12_500_000) == "100Mbit"
    assert format_rate(40 / 86400) == "40/d"
    assert format_rate(3 / 3600) == "3/h"


finite = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(finite)
def test_durations_round_trip_exactly(seconds: float) -> None:
    """format_duration writes a string parse_duration reads back to the same float."""
    assert parse_duration(format_duration(seconds)) == seconds


@given(st.integers(min_value=0, max_value=10**15))
def test_sizes_round_trip_exactly(size: int) -> None:
    """format_size writes a string parse_size reads back to the same byte count."""
    assert parse_size(format_size(size)) == size


@given(finite)
def test_bandwidths_round_trip_exactly(bytes_per_s: float) -> None:
    """format_bandwidth writes a string parse_bandwidth reads back to the same float."""
    assert parse_bandwidth(format_bandwidth(bytes_per_s)) == bytes_per_s


@given(finite)
def test_rates_round_trip_exactly(per_second: float) -> None:
    """format_rate writes a string parse_rate reads back to the same float."""
    assert parse_rate(format_rate(per_second)) == per_second


@given(st.integers(min_value=0, max_value=365), st.integers(0, 23), st.integers(0, 59))
def test_at_is_days_plus_time_of_day(days: int, hours: int, minutes: int) -> None:
    """ "<d>d HH:MM" is exactly days, hours and minutes in seconds."""
    seconds = parse_at(f"{days}d {hours:02d}:{minutes:02d}")
    assert seconds == days * 86400 + hours * 3600 + minutes * 60
    assert math.isclose(parse_at(format_duration(seconds)), seconds)
