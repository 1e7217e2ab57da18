"""docs/real-clients.md is built from the runs' summary.json and the programs' logs alone:
per device and setting its agreement, the anomalies whose witnesses name it (next to the
organisation's totals), the lost mail that names it, its traffic and the program's failed
runs, then the witnesses' stories and the command to reproduce. The script that runs the
study puts each setting on its own device and the built-in client on the other."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import yaml

from simulator.report.real_clients_md import (
    Outcome,
    Setting,
    document,
    exits,
    finding,
    findings,
    log_errors,
    row,
    table,
)
from simulator.scenario import parse_scenario

ROOT = Path(__file__).parents[2]
MBSYNC = Setting("mbsync", "ann/laptop", "imap", {"external": "mbsync", "poll": "20m"},
                 "mbsync with its defaults")
FETCHMAIL = Setting("fetchmail-keep", "ann/desktop", "pop3",
                    {"external": "fetchmail", "options": {"keep": True}}, "fetchmail keeping")
LOG = """$ mbsync -c /tmp/x/mbsyncrc mailsim
Starting tunnel 'exec python -m simulator.external.tunnel --cut after:3 -- imap'... ok
[exit 0]
$ mbsync -c /tmp/x/mbsyncrc mailsim
IMAP error: unexpected EOF from tunnel 'exec python -m simulator.external.tunnel --cut after:3'
IMAP error: unexpected EOF from tunnel 'exec python -m simulator.external.tunnel --cut before:9'
[exit 1]
$ mbsync -c /tmp/x/mbsyncrc mailsim
Error: channel mailsim, far side box INBOX: UIDVALIDITY genuinely changed (at UID 5).
[timed out]
"""


def device(agreement: float, down: int) -> dict[str, Any]:
    """A device's block of summary.json."""
    return {"agreement": agreement, "final_agreement": 1.0, "divergent_messages": 2,
            "bytes_down": down, "bytes_up": 1500, "connections": 9}


def summary() -> dict[str, Any]:
    """A small summary.json: two duplicates (one on the laptop), a lost flag change on the
    phone, one message lost whose story names the laptop."""
    return {
        "mailsim_version": "0.1.0",
        "verdict": {"valid": True, "violations": []},
        "devices": {"ann/laptop": device(0.75, 2_500_000), "ann/phone": device(0.9, 900),
                    "ann/desktop": device(0.2, 40_000)},
        "consistency": {
            "unpropagated": 6,
            "anomalies": {"duplicate": 4, "resurrected": 0, "lost_flag_change": 1,
                          "local_only": 0},
            "anomaly_witnesses": {
                "duplicate": [
                    {"device": "ann/laptop", "mid": "m1@ann", "t": 1.0,
                     "what": "shown 2 times", "story": "m1@ann delivered 0d 01:00; twice"},
                    {"device": "ann/desktop", "mid": "m2@ann", "t": 2.0,
                     "what": "shown 2 times", "story": "m2@ann on the desktop"}],
                "lost_flag_change": [
                    {"device": "ann/phone", "mid": "m3@ann", "t": 3.0,
                     "what": "\\Seen reverted", "story": "m3@ann read, then unread"}],
            },
        },
        "durability": {"lost": 3, "lost_examples": [
            {"mid": "m4@ann", "last_place": "ann/laptop", "removed_by": "device lost",
             "story": "m4@ann only on ann/laptop → exists nowhere"},
            {"mid": "m5@ann", "last_place": "ann/phone", "removed_by": "device lost",
             "story": "m5@ann only on ann/phone → exists nowhere"}]},
    }


def test_a_row_counts_what_names_the_device_next_to_the_organisations_totals() -> None:
    """The laptop's row: its own agreement and traffic, the witnesses naming it (1 of 4
    duplicates, 0 of 1 lost flag change), the lost examples naming it (1 of 3), and its
    program's runs from the log (3, two failed: exit 1 and a timeout)."""
    r = row(Outcome(MBSYNC, summary(), LOG, "isync 1.4.4", 90.0, "cmd"))
    assert (r.program, r.valid, r.agreement, r.divergent) == ("mbsync", True, 0.75, 2)
    assert r.anomalies["duplicate"] == (1, 4)
    assert r.anomalies["lost_flag_change"] == (0, 1)
    assert r.anomalies["resurrected"] == (0, 0)
    assert r.lost == (1, 3)
    assert (r.bytes_down, r.bytes_up, r.connections) == (2_500_000, 1500, 9)
    assert r.unpropagated == 6
    assert (r.runs, r.failed_runs) == (3, 2)


def test_the_built_in_client_has_no_program_runs_and_is_named_by_its_protocol() -> None:
    """A setting without ``external`` is the built-in client; with no log, no runs."""
    builtin = Setting("builtin-pop3-keep", "ann/desktop", "pop3", {"leave_on_server": True},
                      "built-in")
    r = row(Outcome(builtin, summary()))
    assert (r.program, r.runs, r.failed_runs, r.lost) == ("built-in pop3", 0, 0, (0, 3))
    assert r.anomalies["duplicate"] == (1, 4)
    assert "| — |" in table([r])[2]


def test_fetchmail_no_new_mail_is_not_a_failed_run() -> None:
    """fetchmail exits 1 when there was no new mail: a good run; 2 (a socket error) is not."""
    log = "$ fetchmail\n[exit 0]\n$ fetchmail\n[exit 1]\n$ fetchmail\n[exit 2]\n"
    assert exits(log) == [0, 1, 2]
    r = row(Outcome(FETCHMAIL, summary(), log))
    assert (r.runs, r.failed_runs) == (3, 1)


def test_equal_errors_count_together_whatever_scratch_folder_they_name() -> None:
    """The tunnel's command line (quoted) is shortened, so the two EOF errors are one."""
    errors = log_errors(LOG)
    assert errors["IMAP error: unexpected EOF from tunnel '…'"] == 2
    assert errors["Error: channel mailsim, far side box INBOX: UIDVALIDITY genuinely "
                  "changed (at UID 5)."] == 1
    assert len(errors) == 2


def test_the_table_has_one_row_per_setting_with_the_figures_formatted() -> None:
    """Header, rule, then a row: percentages, counts (total in brackets), sizes."""
    lines = table([row(Outcome(MBSYNC, summary(), LOG))])
    assert len(lines) == 3 and lines[1].count("---") == lines[0].count("|") - 1
    assert lines[2] == ("| mbsync | mbsync | 75.0 % / 100.0 % | 2 | 1 (4) | 0 (0) | 0 (1) | "
                        "0 (0) | (6) | 1 (3) | 2.50 MB / 2 KB | 9 | 3 (2) | valid |")


def test_the_document_tells_each_settings_story_and_how_to_reproduce_it() -> None:
    """The findings, one table per device, then per setting: program and version, the
    errors its log shows, the witnesses' stories naming the device, and the command."""
    text = document([Outcome(MBSYNC, summary(), LOG, "isync 1.4.4", 91.6, "run it"),
                     Outcome(FETCHMAIL, summary(), "", "fetchmail 6.4.37", 12.0, "again")],
                    ["# Title", ""])
    assert text.startswith("# Title\n\n## Findings\n\n- **mbsync** (isync 1.4.4)")
    assert "\n## ann/laptop\n\n| setting |" in text
    assert "## ann/desktop\n" in text and text.endswith("\n") and not text.endswith("\n\n")
    laptop = text.split("### mbsync on ann/laptop")[1].split("### ")[0]
    assert "version: isync 1.4.4" in laptop and "`{external: mbsync, poll: 20m}`" in laptop
    assert "The program ran 3 times; 2 runs failed." in laptop
    assert "- log, 2×: `IMAP error: unexpected EOF from tunnel '…'`" in laptop
    assert ("- `UIDVALIDITY genuinely changed` (1× in the log) means: mbsync refuses the "
            "box at every run") in laptop
    assert "offlineimap skips" not in text
    assert "- duplicate (shown 2 times): m1@ann delivered 0d 01:00; twice" in laptop
    assert "- lost: m4@ann only on ann/laptop → exists nowhere" in laptop
    assert "m2@ann" not in laptop and "m5@ann" not in laptop
    assert "Reproduce: `run it` (run took 92 s)" in laptop
    desktop = text.split("### fetchmail-keep on ann/desktop")[1]
    assert "- duplicate (shown 2 times): m2@ann on the desktop" in desktop
    assert "{external: fetchmail, options: {keep: true}}" in desktop


def study_script() -> Any:
    """docs/real_clients.py as a module (docs/ is not a package)."""
    spec = importlib.util.spec_from_file_location("real_clients", ROOT / "docs" /
                                                  "real_clients.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_setting_goes_on_its_device_and_the_built_in_client_on_the_other() -> None:
    """The study's scenario for a setting parses, has the setting's client on its device,
    the built-in client on the other varied device, and everything else as written."""
    script = study_script()
    base = yaml.safe_load(script.SCENARIO.read_text())
    for setting in script.SETTINGS:
        doc = script.scenario_for(setting, base)
        scenario = parse_scenario(yaml.safe_dump(doc), f"<{setting.name}>")
        devices = {d.name: d for d in scenario.users[0].devices}
        other = "desktop" if setting.device == "ann/laptop" else "laptop"
        mine = devices[setting.device.split("/")[1]]
        assert mine.client.external == setting.client.get("external")
        assert mine.protocol == setting.protocol
        assert devices[other].client.external is None
        assert devices["phone"].client.external is None
        assert doc["events"] == base["events"] and doc["seed"] == base["seed"]
    assert base["users"][0]["devices"][0]["client"]["external"] == "mbsync"  # untouched


def test_a_program_doing_worse_than_the_built_in_client_is_a_finding() -> None:
    """Next to the built-in client on the same device, a program with a lower final
    agreement, higher organisation totals (the witnesses are only the earliest few),
    witnesses and failed runs is a finding naming program, version, setting, story and
    command; one with nothing wrong says so."""
    builtin = Setting("builtin-imap", "ann/laptop", "imap", {"cache": "full"}, "built-in")
    good = summary()
    good["devices"]["ann/laptop"]["final_agreement"] = 1.0
    bad = summary()
    bad["devices"]["ann/laptop"]["final_agreement"] = 0.8
    bad["consistency"]["anomalies"]["duplicate"] = 7
    bad["consistency"]["unpropagated"] = 9
    clean = summary()
    clean["consistency"]["anomaly_witnesses"] = {}
    clean["durability"]["lost_examples"] = []
    noflags = Setting("mbsync-no-flags", "ann/laptop", "imap",
                      {"external": "mbsync", "options": {"sync": "New"}}, "no flags")
    lines = findings([Outcome(builtin, good), Outcome(MBSYNC, bad, LOG, "isync 1.4.4", 1, "c"),
                      Outcome(noflags, clean, "", "isync 1.4.4", 1, "d")])
    assert lines[0] == "## Findings"
    assert lines[2].startswith("- **mbsync** (isync 1.4.4), setting `mbsync` on ann/laptop: "
                               "final agreement 80.0 % against 100.0 % with the built-in "
                               "client; the organisation's duplicate total 7 against 4 with "
                               "the built-in client; the organisation's unpropagated total "
                               "9 against 6 with the built-in client; "
                               "1 duplicate witness(es) name the device, as many as with "
                               "the built-in client; 1 lost "
                               "message(s) name the device; 2 of 3 runs failed.")
    assert "First story: duplicate (shown 2 times): m1@ann" in lines[2]
    assert lines[2].endswith("Reproduce: `c`")
    assert lines[3] == ("- **mbsync** (isync 1.4.4), setting `mbsync-no-flags`: nothing "
                        "wrong found in this run.")
    assert finding(Outcome(MBSYNC, good, ""), None) is not None  # its witnesses remain
    assert "1 duplicate witness(es) name the device, as many as with the built-in client" in (
        finding(Outcome(MBSYNC, good, ""), Outcome(builtin, good)) or "")
