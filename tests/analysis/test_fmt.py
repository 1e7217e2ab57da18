"""Numbers for people: full units in reports, at most about seven characters in the
terminal table."""

from __future__ import annotations

from simulator.analysis import fmt
from simulator.analysis.stats import Stat


def test_values_by_unit() -> None:
    """Ratios as percentages, bytes in decimal units, durations in a readable unit."""
    assert fmt.value("ratio", 0.4871) == "48.7 %"
    assert fmt.value("bytes", 1_180_000_000) == "1.2 GB"
    assert fmt.value("s", 498.0) == "8.3 min"
    assert fmt.value("count", 6538) == "6,538" and fmt.value("count", 2.5) == "2.5"
    assert fmt.value("count", None) == "—"


def test_mean_with_interval() -> None:
    """'mean ± half-width'; no '±' for one replication or a zero-width interval."""
    assert fmt.stat("ratio", Stat(0.5, 0.01, 5)) == "50.0 % ± 1.0 %"
    assert fmt.stat("count", Stat(3, None, 1)) == "3"
    assert fmt.stat("count", Stat(0, 0.0, 5)) == "0"
    assert fmt.stat("count", Stat(None, None, 0)) == "—"


def test_short_forms_fit_a_terminal_column() -> None:
    """Compact forms for the terminal table."""
    assert fmt.short("ratio", 0.931) == "93.1%"
    assert fmt.short("bytes", 1_180_000_000) == "1.18GB"
    assert fmt.short("bytes", 512) == "512B"
    assert fmt.short("s", 0.0038) == "4ms" and fmt.short("s", 0.0) == "0s"
    assert fmt.short("s", 2.8) == "2.8s"
    assert fmt.short("s", 498.0) == "8.3m"
    assert fmt.short("s", 131_000.0) == "1.5d"
    assert fmt.short("count", 12_950) == "12.9k"
    assert fmt.short("count", 151_000) == "151k"
    samples = {"ratio": (0.0, 0.5, 1.0), "bytes": (0.0, 999.0, 123_456_789.0, 9.99e11),
               "s": (0.0, 0.5, 59.9, 3599.0, 86_399.0, 9e6), "count": (0, 9999, 123_456_789)}
    assert max(len(fmt.short(u, x)) for u, xs in samples.items() for x in xs) <= 7
