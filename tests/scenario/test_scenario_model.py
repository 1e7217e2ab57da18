"""Specification of the resolved Scenario: expansion, profiles, variants, canonical YAML."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from types import FrameType

import pytest

from simulator.scenario import (
    BUILTIN_VARIANTS,
    ScenarioError,
    Variant,
    json_schema,
    load_scenario,
    parse_scenario,
    scenario_sha256,
    units,
)

EXAMPLE = Path(__file__).parents[2] / "scenarios" / "examples" / "design-format.yaml"

PROFILES = """\
mailsim: 1
name: profiles
duration: 7d
start: 2026-01-07T09:30
profiles:
  laptop:
    protocol: imap
    client: {cache: "recent: 30d", idle: true, poll: 10m}
    storage: 256GB
    online: {weekly: "Mon-Fri 08:00-18:00"}
  phone:
    protocol: pop3
    client: {leave_on_server: true, delete_after: 14d}
users:
  - name: team
    count: {count}
    mail: {receive: 3/h, size: 75KB}
    devices:
      - {name: laptop, profile: laptop, uses: 0.7, client: {idle: false}}
      - {name: phone, profile: phone, uses: 0.3, protocol: imap, storage: 16GB}
  - name: boss
    mail: {receive: 40/d}
    devices: [{name: desk, protocol: pop3, uses: 1}]
"""


def scenario_with(count: int = 3) -> str:
    """The PROFILES scenario with a given group size."""
    return PROFILES.replace("{count}", str(count))


def test_count_expands_to_zero_padded_names() -> None:
    """count N gives name-01..name-NN, padded to N's width but at least 2 digits."""
    names = [u.name for u in parse_scenario(scenario_with(3)).expand()]
    assert names == ["team-01", "team-02", "team-03", "boss"]
    names = [u.name for u in parse_scenario(scenario_with(100)).expand()]
    assert names[0] == "team-001" and names[99] == "team-100"


def test_roster_and_expand_only_name_the_people_expand_gives() -> None:
    """The roster lists every person, in expand's order, with their group; expand(only)
    gives the same resolved people as expand, for the names asked only (a shard's world
    resolves its own people)."""
    scenario = parse_scenario(scenario_with(3))
    everyone = scenario.expand()
    assert [(n, g.name) for n, g in scenario.roster()] == [
        ("team-01", "team"), ("team-02", "team"), ("team-03", "team"), ("boss", "boss")]
    assert scenario.expand(only={"boss", "team-02"}) == [everyone[1], everyone[3]]
    assert scenario.expand(only=()) == []


def test_device_entries_resolve_against_their_profile() -> None:
    """Unset fields come from the profile; client settings merge key by key."""
    laptop, _ = parse_scenario(scenario_with()).expand()[0].devices
    assert laptop.id == "team-01/laptop" and laptop.uses == 0.7
    assert laptop.client.cache_mode == ("recent", 30 * 86400)
    assert laptop.client.poll == 600 and laptop.client.idle is False
    assert laptop.storage == 256 * 10**9
    assert not laptop.online.is_on(0) and laptop.online.is_on(9 * 3600)


def test_changing_the_profiles_protocol_drops_its_other_protocol_keys() -> None:
    """A device that switches a POP3 profile to IMAP keeps no POP3-only settings."""
    phone = parse_scenario(scenario_with()).expand()[0].devices[1]
    assert phone.protocol == "imap"
    assert phone.client.set_values() == {}
    assert phone.storage == 16 * 10**9


def test_start_offset_is_measured_from_the_previous_monday() -> None:
    """Wednesday 09:30 is 2 days 9.5 hours after Monday 00:00."""
    scenario = parse_scenario(scenario_with())
    assert scenario.start_weekday_offset_s == 2 * 86400 + 9.5 * 3600


def test_added_devices_get_an_equal_share_by_default() -> None:
    """An added device without `uses` gets 1 / (its user's device count after the add)."""
    scenario = load_scenario(EXAMPLE)
    [(event, device)] = scenario.added_devices()
    assert device.id == "staff-01/tablet" and device.protocol == "imap"
    assert device.uses == pytest.approx(1 / 3) and event.at == 6 * 86400


def test_variant_with_the_same_protocol_merges_over_the_devices_settings() -> None:
    """imap-light on an IMAP device keeps its own keys but takes the variant's."""
    laptop = parse_scenario(scenario_with()).with_variant("imap-light").expand()[0].devices[0]
    assert laptop.protocol == "imap"
    assert laptop.client.cache == "headers" and laptop.client.idle is False
    assert laptop.client.poll == 900
    assert laptop.storage == 256 * 10**9


def test_variant_changing_protocol_starts_from_defaults_keeping_poll() -> None:
    """pop3 on an IMAP device drops every IMAP key (but not the device's poll interval)."""
    varied = parse_scenario(scenario_with()).with_variant("pop3")
    laptop = varied.expand()[0].devices[0]
    assert laptop.protocol == "pop3"
    assert laptop.client.set_values() == {"poll": 600.0, "leave_on_server": False}
    assert all(spec.protocol == "pop3" for spec in varied.profiles.values())


def test_variant_applies_to_added_devices() -> None:
    """Devices added by events get the variant too."""
    varied = load_scenario(EXAMPLE).with_variant("pop3-keep")
    [(_, tablet)] = varied.added_devices()
    assert tablet.protocol == "pop3" and tablet.client.delete_after == 14 * 86400


def test_variant_without_protocol_must_fit_every_device() -> None:
    """A protocol-less variant with an IMAP-only key fails on POP3 devices."""
    with pytest.raises(ScenarioError, match="'idle'"):
        parse_scenario(scenario_with()).with_variant(
            Variant.model_validate({"client": {"idle": True}})
        )


def test_variant_names_default_to_the_builtins() -> None:
    """Without a `variants` section, compare runs the built-in presets."""
    assert parse_scenario(scenario_with()).variant_names() == list(BUILTIN_VARIANTS)
    assert load_scenario(EXAMPLE).variant_names() == ["pop3", "pop3-keep", "imap"]
    with pytest.raises(ScenarioError, match="unknown variant 'smtp'"):
        load_scenario(EXAMPLE).with_variant("smtp")


@pytest.mark.parametrize("variant", [None, *BUILTIN_VARIANTS])
def test_to_yaml_round_trips(variant: str | None) -> None:
    """parse_scenario(s.to_yaml()) == s, and it resolves to the same people and devices."""
    for scenario in (load_scenario(EXAMPLE), parse_scenario(scenario_with())):
        if variant is not None:
            scenario = scenario.with_variant(variant)
        again = parse_scenario(scenario.to_yaml())
        assert again == scenario
        assert again.expand() == scenario.expand()
        assert again.added_devices() == scenario.added_devices()
        assert again.to_yaml() == scenario.to_yaml()


def test_to_yaml_writes_units_back_as_strings() -> None:
    """The canonical dump is readable: units, schedules and sizes as people write them."""
    text = load_scenario(EXAMPLE).to_yaml()
    assert "duration: 14d\n" in text and "receive: 40/d" in text
    assert "bandwidth: 100Mbit" in text and "weekly: Mon-Fri 08:00-18:00" in text


def test_ctrl_c_inside_a_unit_serializer_stops_to_yaml_as_ctrl_c() -> None:
    """Ctrl-C (or SIGTERM) landing while pydantic calls a unit's serializer comes out of
    to_yaml as itself, so a command stops as asked (exit 130, no traceback), not as a
    serialization error reported as a crash: each run dumps its scenario, so it can land
    there."""
    scenario = load_scenario(EXAMPLE)

    def ctrl_c_in_format_rate(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code is units.format_rate.__code__:
            raise KeyboardInterrupt

    sys.settrace(ctrl_c_in_format_rate)
    try:
        with pytest.raises(KeyboardInterrupt):
            scenario.to_yaml()
    finally:
        sys.settrace(None)
    assert "receive: 40/d" in scenario.to_yaml()


def test_equality_ignores_the_source() -> None:
    """The same content read from a file and from text compares equal."""
    from_file = load_scenario(EXAMPLE)
    assert from_file == parse_scenario(EXAMPLE.read_text())
    assert from_file.source != "<string>"


def test_scenario_sha256_hashes_files_and_text(tmp_path: Path) -> None:
    """A path hashes the file's bytes; YAML text hashes its UTF-8 encoding."""
    digest = hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()
    assert scenario_sha256(EXAMPLE) == digest == scenario_sha256(str(EXAMPLE))
    assert scenario_sha256(EXAMPLE.read_text()) == digest


def test_json_schema_describes_the_yaml_keys() -> None:
    """The schema lists the YAML spelling of keys and no internal fields."""
    schema = json_schema()
    assert set(schema["properties"]) == {
        "mailsim", "name", "seed", "duration", "quiet", "start", "server", "servers", "networks",
        "profiles", "users", "events", "variants", "decision",
    }  # fmt: skip
    assert "for" in schema["$defs"]["Outage"]["properties"]
    assert schema["required"] == ["mailsim", "name", "duration", "users"]


def test_python_callers_may_use_plain_numbers() -> None:
    """Outside YAML, unit fields also accept SI numbers (seconds, bytes, per-second)."""
    scenario = parse_scenario(scenario_with())
    data = {**dict(scenario), "duration": 3600.0}
    assert type(scenario).model_validate(data).duration == 3600.0


def test_quiet_must_be_shorter_than_the_run() -> None:
    """`quiet` is the run's last stretch, so a quiet as long as the run is an error."""
    from simulator.scenario import ScenarioError, parse_scenario

    text = EXAMPLE.read_text().replace("duration: 14d", "duration: 14d\nquiet: 14d")
    with pytest.raises(ScenarioError, match="quiet"):
        parse_scenario(text, "q.yaml")
