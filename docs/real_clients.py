"""Regenerate docs/real-clients.md: run scenarios/examples/real-clients.yaml once per program
and setting on the laptop and on the desktop (same seed: common random numbers), each on
Debian's Dovecot, and write what each did next to the built-in client.

Usage: .venv/bin/python docs/real_clients.py [--only NAME ...] [--out DIR] [--reuse]
  --only  run just these settings (e.g. mbsync-no-flags) and print their rows; the doc is
          written only when every setting ran.
  --out   where each setting's scenario, results folder and run.json (the program's
          version, the run's wall time, the command) are kept (default /tmp/real-clients).
  --reuse rebuild the doc from what --out keeps, running nothing (the doc then still says
          when the runs were made: the results folders' time).

While one device's setting varies, the other device keeps its built-in client (laptop:
built-in IMAP; desktop: built-in POP3 keeping mail), so a row's figures are the program's.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from simulator.folders import write_text_atomic
from simulator.report.real_clients_md import Outcome, Setting, document, row, table

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "examples" / "real-clients.yaml"
TARGET = ROOT / "docs" / "real-clients.md"
MAILSIM = Path(sys.executable).parent / "mailsim"
LAPTOP, DESKTOP = "ann/laptop", "ann/desktop"
BUILTIN_LAPTOP = {"cache": "full", "poll": "20m"}
BUILTIN_DESKTOP = {"leave_on_server": True, "poll": "30m"}
SETTINGS = [
    Setting("builtin-imap", LAPTOP, "imap", BUILTIN_LAPTOP,
            "mailsim's built-in IMAP client, full cache"),
    Setting("mbsync", LAPTOP, "imap", {"external": "mbsync", "poll": "20m"},
            "mbsync with its defaults (Sync All, Create Both, Expunge Both)"),
    Setting("mbsync-no-flags", LAPTOP, "imap",
            {"external": "mbsync", "options": {"sync": "New ReNew Delete"}, "poll": "20m"},
            "mbsync without flag sync (Sync New ReNew Delete)"),
    Setting("offlineimap", LAPTOP, "imap", {"external": "offlineimap", "poll": "20m"},
            "offlineimap with its defaults (two-way, expunge, sync deletes)"),
    Setting("builtin-pop3-keep", DESKTOP, "pop3", BUILTIN_DESKTOP,
            "mailsim's built-in POP3 client, leaving mail on the server"),
    Setting("getmail-keep", DESKTOP, "pop3",
            {"external": "getmail", "options": {"delete": False}, "poll": "30m"},
            "getmail keeping mail on the server (delete = false, read_all = false)"),
    Setting("getmail-delete", DESKTOP, "pop3",
            {"external": "getmail", "options": {"delete": True}, "poll": "30m"},
            "getmail deleting what it fetched (delete = true)"),
    Setting("fetchmail-keep", DESKTOP, "pop3",
            {"external": "fetchmail", "options": {"keep": True}, "poll": "30m"},
            "fetchmail keeping mail on the server (keep, uidl)"),
]
VERSIONS = {"mbsync": ["mbsync", "--version"], "offlineimap": ["offlineimap", "--version"],
            "getmail": ["getmail", "--version"], "fetchmail": ["fetchmail", "--version"]}


def scenario_for(setting: Setting, base: dict[str, Any]) -> dict[str, Any]:
    """The scenario with ``setting`` on its device and the built-in client on the other."""
    doc = json.loads(json.dumps(base))
    doc["name"] = f"real-clients-{setting.name}"
    clients = {LAPTOP: BUILTIN_LAPTOP, DESKTOP: BUILTIN_DESKTOP, setting.device: setting.client}
    for group in doc["users"]:
        for device in group["devices"]:
            key = f"{group['name']}/{device['name']}"
            if key in clients:
                device["client"] = dict(clients[key])
    return doc


def version(program: str) -> str:
    """The program's own version line (``mbsync --version`` etc.)."""
    if program not in VERSIONS:
        return "built-in"
    done = subprocess.run(VERSIONS[program], capture_output=True, text=True, check=False)
    lines = [line for line in (done.stdout + done.stderr).splitlines()
             if line.strip() and "discouraged" not in line]
    return lines[0].strip().rstrip(".") if lines else "unknown"


def run_one(setting: Setting, base: dict[str, Any], out: Path) -> Outcome:
    """Run one setting with ``mailsim run`` and read its results folder."""
    folder = out / setting.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scenario-in.yaml"
    path.write_text(yaml.safe_dump(scenario_for(setting, base), sort_keys=False))
    results = folder / "results"
    argv = [str(MAILSIM), "run", str(path), "--out", str(results), "--force"]
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    at = commit()
    started = time.monotonic()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    program = str(setting.client.get("external") or "")
    facts = {"version": version(program), "seconds": round(seconds, 1), "started": when,
             "commit": at}
    (folder / "run.json").write_text(json.dumps(facts, indent=1) + "\n")
    return outcome_of(setting, folder)


def outcome_of(setting: Setting, folder: Path) -> Outcome:
    """The outcome kept in ``folder`` by :func:`run_one` (results, log, run.json)."""
    results = folder / "results"
    program = str(setting.client.get("external") or "")
    log_name = f"{program}-{setting.device.replace('/', '--')}.log"
    log = (results / log_name).read_text() if program else ""
    facts = json.loads((folder / "run.json").read_text())
    command = (f"python docs/real_clients.py --only {setting.name} --out "
               f"{shlex.quote(str(folder.parent))}")
    return Outcome(setting, json.loads((results / "summary.json").read_text()), log,
                   facts["version"], facts["seconds"], command,
                   started=f"{facts['started']} at commit {facts['commit']}")


def commit() -> str:
    """The worktree's commit (with ``+changes`` when files differ from it)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()
    return git("rev-parse", "--short", "HEAD") + ("+changes" if git("status", "--short",
                                                                    "--untracked-files=no")
                                                  else "")


def preamble(outcomes: list[Outcome], argv: list[str]) -> list[str]:
    """The document's opening: what was run, when, how, and how to read the table."""
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    starts = sorted(o.started for o in outcomes)
    mailsim = outcomes[0].summary.get("mailsim_version", "?") if outcomes else "?"
    total = sum(o.seconds for o in outcomes)
    return [
        "# Real mail programs in a hostile few days",
        "",
        f"Generated {now} by `python docs/real_clients.py{''.join(' ' + a for a in argv)}` "
        f"(mailsim {mailsim}) from {len(outcomes)} runs made with `mailsim run`, the first "
        f"started {starts[0] if starts else '?'}, the last {starts[-1] if starts else '?'}; "
        f"{total:.0f} s of runs in all (each run's own time is in its section). "
        "Do not edit by hand: rerun the script.",
        "",
        "The scenario is [scenarios/examples/real-clients.yaml]"
        "(../scenarios/examples/real-clients.yaml): one person, ann, with a laptop (IMAP, "
        "home link: a connection breaks at a command with chance 0.5 %), a phone "
        "(built-in IMAP, cellular link: 2 % a command) and a desktop (POP3, home link), "
        "3 days (the last 12 h quiet), "
        "15 messages received and 3 sent a day; the server (Debian's Dovecot) is restored "
        "from a backup at 1d 12:00 (a UIDVALIDITY reset) and the phone is lost (its local "
        "store wiped) at 2d 09:00. Every run has the same seed (common random numbers): the "
        "same mail arrives and the person means the same actions at the same times in every "
        "row, the faults are the same; only the program on one device changes (and with it "
        "the commands the drops fall on, and what the person finds on that device to act "
        "on). While the laptop's program varies the desktop runs the "
        "built-in POP3 client (keeping mail); while the desktop's varies the laptop runs "
        "the built-in IMAP client.",
        "",
        "Columns: agreement (time-weighted) and final agreement of the device's view with "
        "the person's intent; divergent messages at the end; for each anomaly, the "
        "witnesses that name the device and, in brackets, the organisation's total (the "
        "witnesses are the earliest few of each kind: the total may include more on the "
        "device and others elsewhere; the findings compare the totals with the built-in "
        "client's); unpropagated: the organisation's changes (reads, flags, moves, "
        "deletes) that never reached every device; lost mail: lost examples naming the "
        "device (the organisation's total); the device's traffic and "
        "connections; the program's runs and how many failed (from its log: an exit code "
        "other than 0, and for fetchmail other than 0 or 1, \"no new mail\", or a "
        "timeout); the simulator's verdict.",
        "",
        "Each section's *Reproduce* command writes that setting's scenario to "
        "`DIR/NAME/scenario-in.yaml`, runs `mailsim run` on it into `DIR/NAME/results` (the "
        "program's own log is kept there, e.g. `mbsync-ann--laptop.log`) and prints the "
        "row; `mailsim run DIR/NAME/scenario-in.yaml` repeats the run by hand.",
        "",
    ]


def main() -> None:
    """Run the settings asked for and write the doc when all ran."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--out", type=Path, default=Path("/tmp/real-clients"))
    parser.add_argument("--reuse", action="store_true",
                        help="rebuild the doc from the runs kept in --out, running nothing")
    args = parser.parse_args()
    names = [s.name for s in SETTINGS]
    unknown = set(args.only or []) - set(names)
    if unknown:
        parser.error(f"unknown setting(s) {sorted(unknown)}; expected some of {names}")
    chosen = [s for s in SETTINGS if not args.only or s.name in args.only]
    base = yaml.safe_load(SCENARIO.read_text())
    outcomes = []
    for setting in chosen:
        if args.reuse:
            outcome = outcome_of(setting, args.out / setting.name)
        else:
            outcome = run_one(setting, base, args.out)
        print("\n".join(table([row(outcome)])[2:]), f"{outcome.seconds:.0f} s", flush=True)
        outcomes.append(outcome)
    if args.only is None:
        write_text_atomic(TARGET, document(outcomes, preamble(outcomes, sys.argv[1:])))
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
