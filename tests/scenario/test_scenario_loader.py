"""Specification of reading scenario files: the DESIGN example parses; bad input is pinpointed.

Every error is one line `file:LINE:COL: where: what`, LINE/COL 1-based.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.scenario import (
    DeliverEvent,
    LoseEvent,
    ScenarioError,
    UserActionEvent,
    load_scenario,
    parse_scenario,
)

EXAMPLES = Path(__file__).parents[2] / "scenarios" / "examples"


def errors_of(text: str, filename: str = "small.yaml") -> list[str]:
    """The error lines parse_scenario reports for text (failing if it accepts it)."""
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, filename)
    assert str(info.value) == "\n".join(info.value.errors)
    return info.value.errors


MINIMAL = """\
mailsim: 1
name: tiny
duration: 1d
users:
  - name: ann
    mail: {receive: 40/d}
    devices:
      - {name: laptop, protocol: imap, uses: 0.5}
      - {name: phone, protocol: pop3, uses: 0.5}
"""


def test_the_design_example_parses_with_units_converted() -> None:
    """The DESIGN.md "Scenario format" example loads, with every unit in SI numbers."""
    scenario = load_scenario(EXAMPLES / "design-format.yaml")
    assert scenario.name == "small-office" and scenario.seed == 7
    assert scenario.duration == 14 * 86400
    assert scenario.server.quota == 2 * 10**9
    assert scenario.server.outages[0].at == 3 * 86400 + 2 * 3600
    assert scenario.server.outages[0].for_ == 4 * 3600
    assert scenario.networks["office"].bandwidth == 100e6 / 8
    assert scenario.networks["cellular"].up is not None
    assert scenario.profiles["laptop"].client.cache_mode == ("full", None)
    assert scenario.users[0].mail.receive == 40 / 86400
    assert scenario.users[0].mail.size.kind == "lognormal"
    assert scenario.source.endswith("design-format.yaml")
    kinds = [event.kind for event in scenario.events]
    assert kinds == ["lose", "add", "offline", "deliver", "server", "user"]


def test_events_become_typed_classes() -> None:
    """The kind key of each event picks its class; `on` stays a key, not YAML 1.1's true."""
    scenario = load_scenario(EXAMPLES / "design-format.yaml")
    lose, deliver, action = scenario.events[0], scenario.events[3], scenario.events[5]
    assert isinstance(lose, LoseEvent) and lose.at == 5 * 86400 + 12 * 3600
    assert isinstance(deliver, DeliverEvent) and deliver.deliver.size.median == 2 * 10**6
    assert isinstance(action, UserActionEvent) and action.device_id == "staff-01/phone"
    assert [e.at for e in scenario.timeline()] == sorted(e.at for e in scenario.events)


def test_a_minimal_scenario_gets_defaults() -> None:
    """Only mailsim, name, duration and users are required."""
    scenario = parse_scenario(MINIMAL)
    assert scenario.server.autologout == 1800
    assert list(scenario.networks) == ["internet"]
    assert scenario.users[0].habits.check_every == 3600
    assert scenario.source == "<string>"


def test_unknown_key_points_at_the_key_and_lists_the_valid_ones() -> None:
    """A misspelt key is reported at its own position with the keys that would be accepted."""
    text = MINIMAL + "server:\n  quota: 2GB\n  quotaa: 3GB\n"
    assert errors_of(text) == [
        "small.yaml:12:3: server.quotaa: unknown key (expected one of: quota, over_quota, "
        "retention, tls, tls_version, pop3_lock, autologout, outages, backend)"
    ]


def test_bad_unit_points_at_the_value() -> None:
    """A value with a wrong unit is reported where the value starts, teaching the form."""
    text = MINIMAL.replace("{receive: 40/d}", "{receive: 40 per day}")
    assert errors_of(text) == [
        "small.yaml:6:21: users[0].mail.receive: expected a rate like 40/d or 3/h, got '40 per day'"
    ]


def test_parsecs_are_not_a_duration() -> None:
    """ "15 parsecs" names the field and what a duration looks like."""
    text = MINIMAL.replace("duration: 1d", "duration: 15 parsecs")
    assert errors_of(text) == [
        "small.yaml:3:11: duration: expected a duration like 15m, 2h or 1d 12h, got '15 parsecs'"
    ]


def test_missing_field_points_at_the_enclosing_mapping() -> None:
    """A required key that is absent is reported at the mapping that should contain it."""
    text = MINIMAL.replace("{receive: 40/d}", "{send: 2/d}")
    assert errors_of(text) == [
        "small.yaml:6:11: users[0].mail.receive: missing required key 'receive'"
    ]


def test_wrong_type_names_what_was_expected() -> None:
    """A value of the wrong type says what type was wanted and what was given."""
    text = MINIMAL.replace("  - name: ann\n", "  - name: ann\n    count: many\n")
    assert errors_of(text) == [
        "small.yaml:6:12: users[0].count: expected a whole number, got 'many'"
    ]


def test_duplicate_key_points_at_the_second_occurrence() -> None:
    """Repeating a key in one mapping is an error at the repeat, at any depth."""
    text = MINIMAL.replace(
        "    mail: {receive: 40/d}\n", "    mail: {receive: 40/d}\n    mail: {}\n"
    )
    assert errors_of(text) == [
        "small.yaml:7:5: users[0].mail: duplicate key 'mail' (first used on line 6)"
    ]


def test_yaml_syntax_error_uses_the_problem_mark() -> None:
    """Broken YAML is reported at the scanner's problem position."""
    assert errors_of("mailsim: 1\nname: [tiny\nduration: 1d\n") == [
        "small.yaml:3:9: syntax: expected ',' or ']', but got ':'"
    ]


def test_unknown_profile_reference() -> None:
    """A device naming an undefined profile is reported at the profile value."""
    text = MINIMAL.replace("protocol: imap, uses", "profile: laptp, uses")
    assert errors_of(text) == [
        "small.yaml:8:33: users[0].devices[0].profile: unknown profile 'laptp' (none are defined)"
    ]


def test_uses_must_sum_to_one() -> None:
    """The devices' shares of mail checks must add up to 1; the error names the sum."""
    text = MINIMAL.replace("uses: 0.5}\n      - {name: phone", "uses: 0.6}\n      - {name: phone")
    text = text.replace("pop3, uses: 0.5", "pop3, uses: 0.3")
    assert errors_of(text) == [
        "small.yaml:8:7: users[0].devices: expected the devices' uses to sum to 1, got 0.9"
    ]


def test_protocol_specific_key_on_the_wrong_protocol() -> None:
    """A POP3-only client key on an IMAP device is an error naming the key and the protocol."""
    text = MINIMAL.replace(
        "protocol: imap, uses: 0.5", "protocol: imap, uses: 0.5, client: {leave_on_server: true}"
    )
    assert errors_of(text) == [
        "small.yaml:8:60: users[0].devices[0].client.leave_on_server: 'leave_on_server' is a "
        "POP3 setting, but this device uses IMAP"
    ]


def test_events_must_name_existing_users_and_devices() -> None:
    """Event targets are checked after count expansion and in time order."""
    text = MINIMAL + (
        "events:\n"
        "  - {at: 1d, lose: ann/tablet}\n"
        "  - {at: 2d, add: {user: ann, device: {name: tablet, protocol: imap}}}\n"
        "  - {at: 3h, deliver: {to: bob}}\n"
        "  - {at: 3d, user: ann, on: tablet, do: read}\n"
    )
    assert errors_of(text) == [
        "small.yaml:11:20: events[0].lose: device 'ann/tablet' does not exist yet at 1d "
        "(it is added at 2d)",
        "small.yaml:13:28: events[2].deliver.to: unknown user 'bob' (expected one of: ann)",
    ]


def test_an_event_needs_exactly_one_kind() -> None:
    """An event with two kind keys (or none) is reported at the event."""
    text = MINIMAL + "events:\n  - {at: 1d, lose: ann/phone, server: uidvalidity-reset}\n"
    assert errors_of(text) == [
        "small.yaml:11:5: events[0]: expected a mapping with `at` and exactly one of: "
        "lose, add, offline, deliver, server, user, partition, drop"
    ]


def test_several_problems_are_all_reported_in_file_order() -> None:
    """Independent problems are reported together, sorted by position."""
    text = MINIMAL.replace("duration: 1d", "duration: 30").replace("name: tiny", "nam: tiny")
    errors = errors_of(text)
    assert [e.split(": ")[0] for e in errors] == [
        "small.yaml:1:1",
        "small.yaml:2:1",
        "small.yaml:3:11",
    ]


def test_yaml_1_1_surprises_do_not_apply() -> None:
    """`on`, `no` and `12:00` are plain strings, not booleans or sexagesimal numbers."""
    text = MINIMAL + "events:\n  - {at: 12:00, user: ann, on: phone, do: read}\n"
    assert parse_scenario(text).events[0].at == 12 * 3600


def test_unsafe_tags_are_refused() -> None:
    """Python object tags are never constructed; they are reported as unsupported."""
    text = MINIMAL.replace("name: tiny", "name: !!python/object/apply:os.system [true]")
    assert errors_of(text) == [
        "small.yaml:2:7: name: unsupported YAML tag !!python/object/apply:os.system"
    ]


def test_unreadable_file_is_a_scenario_error(tmp_path: Path) -> None:
    """A missing file is reported as `file:0:0: file: cannot read: ...`."""
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert info.value.errors[0].startswith(f"{missing}:0:0: file: cannot read: ")


@pytest.mark.parametrize("text", ["", "- 1\n", "just words\n"])
def test_a_document_that_is_not_a_mapping(text: str) -> None:
    """Empty files and non-mappings are explained at 1:1."""
    assert errors_of(text)[0].startswith("small.yaml:1:1: scenario: expected a mapping")


def test_python_spelling_of_aliased_keys_is_unknown_in_yaml() -> None:
    """In YAML the key is `for`; the Python field name `for_` is reported as an unknown key."""
    text = MINIMAL + "server:\n  outages: [{at: 1d, for_: 2h}]\n"
    assert errors_of(text) == [
        "small.yaml:11:22: server.outages[0].for_: unknown key (expected one of: at, for)"
    ]


def test_names_are_matched_after_count_expansion() -> None:
    """With count 100, names are zero-padded to 3 digits and the error suggests the right one."""
    text = MINIMAL.replace("  - name: ann\n", "  - name: ann\n    count: 100\n")
    text += "events:\n  - {at: 1d, lose: ann-01/phone}\n"
    assert errors_of(text) == [
        "small.yaml:12:20: events[0].lose: unknown user 'ann-01' (did you mean 'ann-001'?)"
    ]


yaml_noise = st.sampled_from(
    ["", " ", "\n", ":", "- ", "{", "}", "[", "]", "0", "x", "~", "&a", "*a", "!!int", "'", "\t",
     "for", "on", "24:00", "/", "1e999d", "\x00", "uses: 2", "count: 0"]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_input_gives_a_scenario_or_a_scenario_error(data: st.DataObject) -> None:
    """Mangled files never leak yaml or pydantic exceptions; every error line has a position."""
    text = (EXAMPLES / "design-format.yaml").read_text()
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, 8))
        text = text[:at] + data.draw(yaml_noise) + text[at + cut :]
    try:
        parse_scenario(text, "f.yaml")
    except ScenarioError as err:
        assert err.errors and all(line.startswith("f.yaml:") for line in err.errors)


ACCOUNTS = MINIMAL.replace("""    mail: {receive: 40/d}
""", """    mail: {receive: 40/d}
    accounts:
      - {name: home, server: isp, mail: {receive: 10/d}}
""") + """servers:
  isp: {quota: 1GB}
"""


def test_further_accounts_name_a_server_and_round_trip() -> None:
    """A person's further account lives on a named server of `servers:`; the canonical
    YAML keeps both, and scenarios without them do not grow empty keys."""
    scenario = parse_scenario(ACCOUNTS, "small.yaml")
    user = scenario.expand()[0]
    assert [user.account_id(a) for a in user.accounts] == ["ann+home"]
    assert scenario.servers[user.accounts[0].server].quota == 1_000_000_000
    assert parse_scenario(scenario.to_yaml(), "again.yaml") == scenario
    plain = parse_scenario(MINIMAL, "small.yaml").to_yaml()
    assert "servers" not in plain and "accounts" not in plain


def test_an_account_on_an_unknown_server_is_pinpointed() -> None:
    """An account naming a server that `servers:` does not define is reported at the name."""
    text = ACCOUNTS.replace("server: isp", "server: ips")
    assert errors_of(text) == [
        "small.yaml:8:30: users[0].accounts[0].server: unknown server 'ips' "
        "(expected one of: isp)"
    ]


def test_account_names_are_unique_and_do_not_shadow_users() -> None:
    """Two accounts of one person need different names, and "ann+home" cannot also be a
    user."""
    twice = ACCOUNTS.replace("      - {name: home, server: isp",
                             "      - {name: home, server: isp, mail: {receive: 1/d}}\n"
                             "      - {name: home, server: isp")
    assert errors_of(twice) == [
        "small.yaml:9:16: users[0].accounts[1].name: duplicate account name 'home'"
    ]
    clash = ACCOUNTS.replace("servers:", """  - name: ann+home
    mail: {receive: 1/d}
    devices: [{name: pc, protocol: pop3, uses: 1.0}]
servers:""")
    assert errors_of(clash) == [
        "small.yaml:8:16: users[0].accounts[0].name: account 'ann+home' would have the "
        "same name as user 'ann+home'"
    ]


def test_the_format_example_in_docs_design_loads() -> None:
    """The YAML block in docs/DESIGN.md "Scenario format" is a valid scenario, with its
    further accounts on the named server."""
    text = (EXAMPLES.parents[1] / "docs" / "DESIGN.md").read_text()
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(block, "DESIGN.md")
    people = scenario.expand()
    assert len(people) == 10
    assert all(p.account_id(p.accounts[0]) == f"{p.name}+home" for p in people)
    assert scenario.servers["isp"].quota == 10**9


def test_imap_recovery_is_careful_by_default_and_checked_like_the_other_keys() -> None:
    """`recovery: careful | naive` (issue 14) defaults to careful; a bad value or the key on
    a POP3 device is pinpointed to file:line:col."""
    assert parse_scenario(MINIMAL).users[0].devices[0].client.recovery == "careful"
    text = MINIMAL.replace("protocol: imap,", "protocol: imap, client: {recovery: sometimes},")
    text = text.replace("protocol: pop3,", "protocol: pop3, client: {recovery: naive},")
    assert errors_of(text) == [
        "small.yaml:8:59: users[0].devices[0].client.recovery: "
        "expected 'careful' or 'naive', got 'sometimes'",
        "small.yaml:9:48: users[0].devices[1].client.recovery: "
        "'recovery' is an IMAP setting, but this device uses POP3",
    ]


def test_a_real_program_as_client_is_checked_against_the_protocol() -> None:
    """`client: {external: mbsync}` (issue 12) names a real program; one that speaks the
    other protocol, a program together with a client class, and program options without a
    program are each pinpointed to file:line:col."""
    text = MINIMAL.replace("protocol: imap,", "protocol: imap, client: {external: mbsync},")
    assert parse_scenario(text).users[0].devices[0].client.external == "mbsync"
    text = MINIMAL.replace("protocol: imap,", "protocol: imap, client: {external: getmail},")
    text = text.replace("protocol: pop3,", "protocol: pop3, client: {options: {keep: true}},")
    assert errors_of(text) == [
        "small.yaml:8:59: users[0].devices[0].client.external: getmail speaks POP3, but this "
        "device uses IMAP",
        "small.yaml:9:48: users[0].devices[1].client.options: options are a real program's "
        "settings: set external too",
    ]
    text = MINIMAL.replace(
        "protocol: imap,", "protocol: imap, client: {external: mbsync, class: 'a.b:C'},")
    assert errors_of(text) == [
        "small.yaml:8:59: users[0].devices[0].client.external: expected either class or "
        "external, not both",
    ]
