"""Specification of the scenario's optional `decision:` block: limits with units, an order
or weights of criteria, every mistake reported at file:line:col with the expected form."""

from __future__ import annotations

import pytest

from simulator.scenario import ScenarioError, parse_scenario

BASE = """\
mailsim: 1
name: tiny
duration: 1d
users:
  - name: ann
    mail: {receive: 40/d}
    devices:
      - {name: laptop, protocol: imap, uses: 1}
"""


def errors_of(block: str) -> list[str]:
    """The error lines for BASE plus block (failing if it is accepted)."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(BASE + block, "s.yaml")
    return info.value.errors


def test_limits_take_units_and_priorities_an_order() -> None:
    """Sizes and durations are parsed like the rest of the scenario, shares stay 0..1."""
    s = parse_scenario(BASE + """\
decision:
  limits: {max_bounced: 0, min_offline_availability: 0.99, max_server_peak: 20GB,
           max_time_full: 1h, max_lost: 0}
  priorities: [device_failure, offline_reading]
""", "s.yaml")
    assert s.decision is not None
    assert s.decision.limits.set_values() == {
        "max_bounced": 0.0, "max_lost": 0.0, "min_offline_availability": 0.99,
        "max_server_peak": 20e9, "max_time_full": 3600.0}
    assert s.decision.priorities == ["device_failure", "offline_reading"]


def test_the_block_survives_the_canonical_yaml_and_is_absent_when_not_given() -> None:
    """to_yaml writes only the limits given (units back as strings) and reads back equal;
    a scenario without the block has none in its canonical form (hashes unchanged)."""
    s = parse_scenario(BASE + "decision:\n  limits: {max_server_peak: 20GB}\n"
                       "  priorities: {traffic: 2, device_failure: 1}\n", "s.yaml")
    text = s.to_yaml()
    assert "max_server_peak: 20GB" in text and "max_lost" not in text
    assert parse_scenario(text) == s
    assert "decision" not in parse_scenario(BASE).to_yaml()


def test_an_unknown_limit_lists_the_known_ones() -> None:
    """A misspelt limit points at the key and names every limit."""
    assert errors_of("decision:\n  limits: {max_bouncd: 0}\n") == [
        "s.yaml:10:12: decision.limits.max_bouncd: unknown key (expected one of: "
        "max_bounced, max_lost, max_missing_reads, max_unpropagated, min_agreement, "
        "min_offline_availability, min_read_success, max_server_peak, max_account_peak, "
        "max_device_peak, max_traffic, max_time_full, max_propagation_p95)"]


def test_limit_values_are_checked_at_the_value() -> None:
    """A size needs a unit, a share lies in 0..1, a count is not negative."""
    assert errors_of("decision:\n  limits: {max_server_peak: 20}\n")[0].startswith(
        "s.yaml:10:29: decision.limits.max_server_peak: expected a size like 75KB")
    assert errors_of("decision:\n  limits: {min_offline_availability: 1.5}\n") == [
        "s.yaml:10:38: decision.limits.min_offline_availability: expected a value <= 1.0, "
        "got 1.5"]
    assert errors_of("decision:\n  limits: {max_lost: -1}\n") == [
        "s.yaml:10:22: decision.limits.max_lost: expected a value >= 0, got -1"]


def test_an_unknown_criterion_points_at_the_item() -> None:
    """In an order the error is at the list item; in weights at the key."""
    names = ("offline_reading, several_devices, synchronised_changes, single_device, "
             "device_failure, server_storage, device_storage, traffic, server_peak, "
             "device_peak")
    assert errors_of("decision:\n  priorities: [traffic, device_failur]\n") == [
        f"s.yaml:10:25: decision.priorities[1]: unknown criterion 'device_failur' "
        f"(expected one of: {names})"]
    assert errors_of("decision:\n  priorities: {trafic: 1}\n") == [
        f"s.yaml:10:16: decision.priorities.trafic: unknown criterion 'trafic' "
        f"(expected one of: {names})"]


def test_priorities_are_an_order_without_repeats_or_non_negative_weights() -> None:
    """A criterion twice, a weight that is not a number, or neither list nor mapping."""
    assert errors_of("decision:\n  priorities: [traffic, traffic]\n") == [
        "s.yaml:10:25: decision.priorities[1]: criterion 'traffic' is listed twice"]
    assert errors_of("decision:\n  priorities: {traffic: x}\n") == [
        "s.yaml:10:25: decision.priorities.traffic: expected a weight >= 0, got 'x'"]
    assert errors_of("decision:\n  priorities: {traffic: -2}\n") == [
        "s.yaml:10:25: decision.priorities.traffic: expected a weight >= 0, got -2"]
    assert errors_of("decision:\n  priorities: 3\n") == [
        "s.yaml:10:15: decision.priorities: expected a list of criteria (an order) or a "
        "mapping criterion: weight"]
