"""The scenario format for networks and faults: `up` (always, weekly, mtbf/mttr or both),
`via`, `drop_probability`, roaming `networks`, `partition` and `drop` events — valid
forms, canonical round trips, and errors that name file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.scenario import Scenario, ScenarioError, load_scenario, parse_scenario

ROOT = Path(__file__).parents[2]
BASE = """\
mailsim: 1
name: formats
duration: 2d
networks:
  wan:      {{latency: 20ms}}
  office:   {{latency: 2ms, via: wan, up: "Mon-Fri 07:00-20:00"}}
  cellular: {{latency: 60ms, drop_probability: 0.02, up: {{mtbf: 8h, mttr: 20m}}}}
  train:    {{latency: 150ms, up: {{weekly: "Mon-Fri 06:00-22:00", mtbf: 1h, mttr: 10m}}}}
  fixed:    {{latency: 5ms, up: always}}
profiles:
  phone:
    protocol: imap
    networks: [{{network: office, weekly: "Mon-Fri 08:00-18:00"}}, cellular]
users:
  - name: ann
    mail: {{receive: 10/d}}
    devices:
      - {{name: phone, profile: phone, uses: 0.5}}
      - {{name: laptop, protocol: pop3, network: office, uses: 0.5}}
events:
  - {{at: 1d 10:00, partition: [office, ann/phone], for: 2h}}
  - {{at: 1d, partition: wan, for: 1h}}
  - {{at: 1d 12:00, drop: ann/laptop, before: quit}}
  - {{at: 1d 13:00, drop: ann/phone}}
{extra}"""


def parse(extra: str = "", replace: dict[str, str] | None = None) -> Scenario:
    """The base scenario with replacements applied, parsed as file "f.yaml"."""
    text = BASE.format(extra=extra)
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return parse_scenario(text, "f.yaml")


def errors(extra: str = "", replace: dict[str, str] | None = None) -> list[str]:
    """The error lines for a broken variant of the base scenario."""
    with pytest.raises(ScenarioError) as info:
        parse(extra, replace)
    return str(info.value).splitlines()


def test_every_form_parses_and_round_trips_through_the_canonical_yaml() -> None:
    """The canonical dump reads back to an equal scenario."""
    s = parse()
    nets = s.networks
    assert nets["wan"].up is None and nets["fixed"].up is None
    assert nets["office"].via == "wan" and not nets["office"].up.fails
    assert nets["cellular"].up.fails and nets["cellular"].drop_probability == 0.02
    assert nets["train"].up.fails and nets["train"].up.weekly.on_seconds == 5 * 16 * 3600
    phone, laptop = s.expand()[0].devices
    assert [a.network for a in phone.attachments] == ["office", "cellular"]
    assert phone.network == "office"
    assert [a.network for a in laptop.attachments] == ["office"]
    assert [e.kind for e in s.events] == ["partition", "partition", "drop", "drop"]
    assert s.events[1].partition == ["wan"]
    assert s.events[3].moment == ("before", "")
    assert parse_scenario(s.to_yaml()) == s


def test_a_variant_keeps_the_roaming_networks() -> None:
    """`mailsim compare` changes protocols, not where devices connect."""
    phone = parse().with_variant("pop3").expand()[0].devices[0]
    assert [a.network for a in phone.attachments] == ["office", "cellular"]


def test_a_device_override_of_network_replaces_the_profiles_roaming() -> None:
    """Setting `network` on the device wins over the profile's `networks`."""
    s = parse(replace={"{name: phone, profile: phone, uses: 0.5}":
                       "{name: phone, profile: phone, network: wan, uses: 0.5}"})
    phone = s.expand()[0].devices[0]
    assert [a.network for a in phone.attachments] == ["wan"]


def test_old_scenario_files_stay_valid() -> None:
    """Every bundled scenario loads, with or without the new keys."""
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        assert load_scenario(path).name


@pytest.mark.parametrize(("replace", "expected"), [
    ({"via: wan": "via: nowhere"},
     "f.yaml:6:33: networks.office.via: unknown network 'nowhere'"),
    ({"latency: 20ms}": "latency: 20ms, via: office}"},
     "f.yaml:5:34: networks.wan.via: networks reach each other in a circle "
     "(wan -> office -> wan), never the server"),
    ({"mtbf: 8h, mttr: 20m": "mtbf: 8h"},
     "f.yaml:7:57: networks.cellular.up: expected both mtbf and mttr (or neither)"),
    ({"drop_probability: 0.02": "drop_probability: 2"},
     "f.yaml:7:47: networks.cellular.drop_probability: expected a value <= 1.0"),
    ({"cellular]": "cellphone]"},
     "f.yaml:13:66: profiles.phone.networks[1]: unknown network 'cellphone'"),
    ({"partition: wan": "partition: lan"},
     "f.yaml:22:25: events[1].partition: unknown network 'lan'"),
    ({"drop: ann/laptop": "drop: ann/tablet"},
     "f.yaml:23:26: events[2].drop: unknown device 'ann/tablet'"),
    ({"before: quit": "before: quit, after: retr"},
     "f.yaml:23:5: events[2]: expected `before` or `after`, not both"),
])
def test_mistakes_are_reported_with_file_line_and_column(replace: dict[str, str],
                                                         expected: str) -> None:
    """Each broken value is named where it is written."""
    found = errors(replace=replace)
    assert any(line.startswith(expected) for line in found), found


def test_a_partition_naming_a_device_before_it_is_added_is_an_error() -> None:
    """Devices exist from their `add` event on."""
    extra = "  - {at: 1d 14:00, add: {user: ann, device: {name: tablet, protocol: imap}}}\n"
    found = errors(extra, {"partition: [office, ann/phone]": "partition: [ann/tablet]"})
    assert any("device 'ann/tablet' does not exist yet at 1d 10h (added at 1d 14h)" in line
               for line in found), found


def test_network_and_networks_must_agree() -> None:
    """A device names one network or a preference list, not two different things."""
    found = errors(replace={"    protocol: imap\n": "    protocol: imap\n    network: wan\n"})
    assert any("use either network or networks" in line for line in found), found
