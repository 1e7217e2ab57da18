"""A real program as a device of a scenario (issue 12): the world runs it at each poll
against the Dovecot backend, reads the device's Maildir back as what the person sees there,
and the checkers judge it like any other device."""

from __future__ import annotations

import shutil

import pytest

from simulator.observe.history import Drop, ProgramRun
from simulator.runs import run
from simulator.scenario import ScenarioError, parse_scenario
from simulator.world.world import SimulationError
from tests.external.imap_account import require

TWO_DEVICES = """\
mailsim: 1
name: mbsync-and-phone
seed: 5
duration: 10h
quiet: 1h
server: {{backend: dovecot}}
users:
  - name: ann
    mail: {{receive: 30/d, send: 4/d, size: {{median: 8KB, sigma: 0.3}}}}
    habits: {{check_every: 1h, delete: 0.2, flag: 0.3, archive: 0.3, reply: 0.2}}
    devices:
      - {{name: laptop, protocol: imap, client: {{external: mbsync{options}, poll: 30m}},
         uses: 0.7}}
      - {{name: phone, protocol: imap, client: {{poll: 20m}}, uses: 0.3}}
events:
{events}
"""


def scenario(options: str = "", events: str = "  - {at: 8h30m, deliver: {to: ann}}"):
    """The two-device scenario with the laptop's mbsync ``options`` and extra ``events``."""
    return parse_scenario(TWO_DEVICES.format(options=options, events=events), "devices.yaml")


@pytest.fixture(scope="module")
def mbsync_run():
    """One run of the two-device scenario with mbsync's defaults (shared: ~20 s)."""
    require("mbsync", "isync")
    return run(scenario())


def test_mbsync_device_and_built_in_phone_converge(mbsync_run) -> None:
    """With mbsync's defaults (Sync All, Expunge Both) the laptop and the phone end up
    showing the same mailbox as the server: nothing lost, duplicated or left behind, and
    every read, flag, archive and delete made on either device reached the other."""
    summary = mbsync_run.summary
    assert summary["verdict"]["valid"]
    consistency = summary["consistency"]
    assert consistency["final_agreement"] == 1.0
    assert consistency["anomalies"] == dict.fromkeys(consistency["anomalies"], 0)
    assert consistency["unpropagated"] == 0
    assert summary["durability"]["lost"] == 0
    laptop = summary["devices"]["ann/laptop"]
    assert laptop["reads_succeeded"] == laptop["read_attempts"] > 0


def test_each_program_run_is_in_the_history_with_its_exit_code(mbsync_run) -> None:
    """Every poll of the laptop is one ProgramRun record (exit code 0 here, the commands
    the tunnel counted, the simulated seconds its traffic took), and the traffic counted
    by the tunnel is charged to the laptop."""
    runs = [r for r in mbsync_run.history.every(ProgramRun) if r.device == "ann/laptop"]
    assert len(runs) >= 10  # every 30 min over 10 h, and at the person's checks
    assert {r.exit_code for r in runs} == {0}
    assert all(r.commands > 0 and r.seconds > 0 and r.cut == "" for r in runs)
    laptop = mbsync_run.summary["devices"]["ann/laptop"]
    assert laptop["round_trips"] >= sum(r.commands for r in runs)


def test_the_programs_own_log_is_kept_beside_the_results(mbsync_run) -> None:
    """The results carry mbsync's log: each run's command line, output and exit code, and
    the commands that crossed the connection."""
    log = mbsync_run.logs["mbsync-ann--laptop.log"]
    assert log.count("$ /usr/bin/mbsync") >= 10
    assert "[exit 0]" in log and "UID FETCH" in log


def test_a_scripted_drop_cuts_the_next_run_and_the_one_after_converges() -> None:
    """A scripted drop on the laptop cuts its next program run at its first command: the
    run fails (and says where it was cut), the drop is in the history, and the next run
    syncs everything."""
    require("mbsync", "isync")
    results = run(scenario(events="  - {at: 2h, drop: ann/laptop}"))
    runs = [r for r in results.history.every(ProgramRun) if r.device == "ann/laptop"]
    cut = [r for r in runs if r.cut]
    assert [r.cut for r in cut] == ["before:0"]
    assert cut[0].exit_code != 0
    assert any(d.device == "ann/laptop" and d.command == "mbsync"
               for d in results.history.every(Drop))
    assert runs[runs.index(cut[0]) + 1].exit_code == 0
    assert results.summary["consistency"]["final_agreement"] == 1.0


def test_a_lost_device_starts_over_from_the_server() -> None:
    """Losing the laptop wipes its Maildir and mbsync's state; the next run downloads the
    mailbox again, as on a new device, and the run still converges."""
    require("mbsync", "isync")
    results = run(scenario(events="  - {at: 5h, lose: ann/laptop}"))
    assert results.summary["consistency"]["final_agreement"] == 1.0
    assert "mailsim: the device was wiped here" in results.logs["mbsync-ann--laptop.log"]


def test_a_program_needs_the_dovecot_backend() -> None:
    """On the model backend a real program has no server to talk to: a clear error naming
    the backend to use."""
    text = TWO_DEVICES.format(options="", events="  []").replace("server: {backend: dovecot}",
                                                                  "")
    with pytest.raises(SimulationError, match="needs the Dovecot backend"):
        run(parse_scenario(text, "devices.yaml"))


def test_a_missing_program_names_its_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """A scenario naming a program that is not installed fails before the run starts, with
    the Debian package to install."""
    require()
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: (
        None if name == "mbsync" else which(name, *a, **k)))
    with pytest.raises(SimulationError, match=r"ann/laptop: mbsync not found: apt-get "
                                              r"install isync"):
        run(scenario())


def test_a_bad_program_option_is_an_error_at_file_line() -> None:
    """A program option the program does not know is reported at file:line:col by the
    scenario loader, with what the program expects."""
    with pytest.raises(ScenarioError, match=r"devices.yaml:12:76: .*client.options: "
                                            r"mbsync: unknown setting"):
        scenario(options=", options: {flags: off}")


POP3_DESKTOP = """\
mailsim: 1
name: fetcher-and-phone
seed: 5
start: 2026-01-05T08:00
duration: 8h
quiet: 1h
server: {{backend: dovecot}}
users:
  - name: ann
    mail: {{receive: 30/d, send: 2/d, size: {{median: 8KB, sigma: 0.3}}}}
    habits: {{check_every: 1h, delete: 0.2, flag: 0.2, archive: 0.2, reply: 0.1}}
    devices:
      - {{name: desktop, protocol: pop3, client: {{external: {program}, options: {options},
         poll: 30m}}, uses: 0.6}}
      - {{name: phone, protocol: imap, client: {{poll: 20m}}, uses: 0.4}}
"""


@pytest.mark.parametrize(("program", "package", "options"), [
    ("getmail", "getmail6", "{}"),
    ("fetchmail", "fetchmail", "{keep: true}"),
])
def test_a_pop3_fetcher_keeping_mail_on_the_server(program: str, package: str,
                                                   options: str) -> None:
    """A desktop fetching with getmail (or fetchmail with keep) downloads every message once
    into its INBOX and leaves the server's copy for the phone: the desktop reads what
    arrived, nothing is lost or duplicated; what the person files on the desktop stays
    there (POP3 carries no changes back: local_only, as with the built-in POP3 client)."""
    require(program, package)
    text = POP3_DESKTOP.format(program=program, options=options)
    results = run(parse_scenario(text, "fetcher.yaml"))
    summary = results.summary
    assert summary["verdict"]["valid"]
    assert summary["durability"]["lost"] == 0
    assert summary["consistency"]["anomalies"]["duplicate"] == 0
    desktop = summary["devices"]["ann/desktop"]
    assert desktop["reads_succeeded"] == desktop["read_attempts"] > 0
    runs = [r for r in results.history.every(ProgramRun) if r.device == "ann/desktop"]
    assert len(runs) >= 8 and {r.exit_code for r in runs} == {0}
    assert f"{program}-ann--desktop.log" in results.logs


def test_offlineimap_as_the_laptops_client_converges_without_faults() -> None:
    """offlineimap in the laptop's place (its defaults, one connection) keeps the laptop and
    the phone agreeing with the server when nothing breaks."""
    require("offlineimap", "offlineimap3")
    text = TWO_DEVICES.format(options="", events="  []").replace("external: mbsync",
                                                                 "external: offlineimap")
    results = run(parse_scenario(text, "devices.yaml"))
    consistency = results.summary["consistency"]
    assert results.summary["verdict"]["valid"]
    assert consistency["final_agreement"] == 1.0
    assert consistency["anomalies"] == dict.fromkeys(consistency["anomalies"], 0)
    runs = [r for r in results.history.every(ProgramRun) if r.device == "ann/laptop"]
    assert len(runs) >= 10 and {r.exit_code for r in runs} == {0}
