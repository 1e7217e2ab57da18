"""docs/real-clients.md: what each real program (or the built-in client) did on its device in
scenarios/examples/real-clients.yaml, built from the runs' summary.json and the program's log
alone (no run here), so the table can be tested on a small fixture."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

KINDS = ("duplicate", "resurrected", "lost_flag_change")
"""The anomaly kinds the study reports per device (local_only is counted with them)."""
STORIES_PER_KIND = 3
EXIT = re.compile(r"^\[(exit -?\d+|timed out)\]", re.MULTILINE)
SUCCESS = {"fetchmail": (0, 1)}
"""Exit codes that mean a good run, where not just 0 (fetchmail: 1 is "no new mail")."""
QUOTED = re.compile(r"'[^']*'")
KNOWN = (
    ("UIDVALIDITY genuinely changed",
     "mbsync refuses the box at every run after the server renumbered it (a restore: new "
     "UIDVALIDITY, same messages) until someone deletes its sync state by hand: new mail "
     "stops reaching the device and its changes stop reaching the server (pinned: "
     "tests/external/test_mbsync.py::test_uidvalidity_change_stalls_the_folder)"),
    ("UID validity problem",
     "offlineimap skips the renumbered folder at every run after a restore, after copying "
     "a message the device already had and putting a read mark on the wrong message "
     "(pinned: tests/external/test_offlineimap.py::"
     "test_uidvalidity_change_duplicates_and_flags_the_wrong_message)"),
)
"""Log lines whose meaning the runner tests pinned: (text in the log, what it means)."""
ERROR = re.compile(r"^.*\b(error|warning)\b.*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Setting:
    """One program and setting on one device: what the study runs."""

    name: str  # e.g. "mbsync-no-flags"
    device: str  # "ann/laptop"
    protocol: str  # the device's protocol: "imap" or "pop3"
    client: dict[str, Any]  # the device's ``client:`` in the scenario
    what: str  # one line for the reader


@dataclass
class Outcome:
    """One run of a setting: its summary.json, the program's log, version and timing."""

    setting: Setting
    summary: Mapping[str, Any]
    log: str = ""
    version: str = "built-in"
    seconds: float = 0.0
    command: str = ""
    started: str = ""  # when the run began (UTC) and at which commit


@dataclass(frozen=True)
class Row:
    """The figures of one outcome for the device the setting is about."""

    name: str
    device: str
    program: str
    valid: bool
    agreement: float
    final_agreement: float
    divergent: int
    anomalies: dict[str, tuple[int, int]]  # kind -> (witnesses naming the device, org total)
    lost: tuple[int, int]  # (lost examples naming the device, org total)
    unpropagated: int  # the organisation's changes never carried to every device
    bytes_down: int
    bytes_up: int
    connections: int
    runs: int
    failed_runs: int


def program_of(client: Mapping[str, Any], protocol: str) -> str:
    """The program's name, or ``built-in <protocol>``."""
    return str(client.get("external") or f"built-in {protocol}")


def exits(log: str) -> list[int | None]:
    """The exit code of every run the program's log records (``[exit N]`` lines; None for
    a run that timed out)."""
    return [None if end == "timed out" else int(end.split()[1]) for end in EXIT.findall(log)]


def log_errors(log: str) -> Counter[str]:
    """The program's error and warning lines, counted, quoted commands (the tunnel's, which
    name a scratch folder) shortened to ``'…'`` so equal errors count together."""
    return Counter(QUOTED.sub("'…'", m.group(0).strip()) for m in ERROR.finditer(log))


def witnesses(summary: Mapping[str, Any], kind: str, device: str) -> list[Mapping[str, Any]]:
    """The anomaly witnesses of ``kind`` that name ``device``."""
    found = summary["consistency"].get("anomaly_witnesses", {}).get(kind, [])
    return [w for w in found if w.get("device") == device]


def lost_examples(summary: Mapping[str, Any], device: str) -> list[Mapping[str, Any]]:
    """The lost-mail examples whose last place, remover or story names ``device``."""
    return [e for e in summary["durability"].get("lost_examples", [])
            if device in (e.get("last_place"), e.get("removed_by"))
            or device in str(e.get("story", ""))]


def row(outcome: Outcome) -> Row:
    """The table row of one outcome."""
    s, dev = outcome.summary, outcome.setting.device
    mine = s["devices"][dev]
    totals = s["consistency"]["anomalies"]
    codes = exits(outcome.log)
    good = SUCCESS.get(str(outcome.setting.client.get("external")), (0,))
    return Row(
        name=outcome.setting.name, device=dev,
        program=program_of(outcome.setting.client, outcome.setting.protocol),
        valid=bool(s["verdict"]["valid"]),
        agreement=float(mine["agreement"]), final_agreement=float(mine["final_agreement"]),
        divergent=int(mine["divergent_messages"]),
        anomalies={k: (len(witnesses(s, k, dev)), int(totals.get(k, 0)))
                   for k in (*KINDS, "local_only")},
        lost=(len(lost_examples(s, dev)), int(s["durability"]["lost"])),
        unpropagated=int(s["consistency"].get("unpropagated", 0)),
        bytes_down=int(mine["bytes_down"]), bytes_up=int(mine["bytes_up"]),
        connections=int(mine["connections"]),
        runs=len(codes), failed_runs=sum(1 for c in codes if c not in good),
    )


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _kb(n: int) -> str:
    return f"{n / 1000:.0f} KB" if n < 10**6 else f"{n / 10**6:.2f} MB"


def _pair(p: tuple[int, int]) -> str:
    return f"{p[0]} ({p[1]})"


HEADER = ("| setting | program | agreement / final | divergent | duplicates | resurrected | "
          "lost flag changes | local only | unpropagated | lost mail | traffic down / up | "
          "connections | "
          "program runs (failed) | verdict |")


def table(rows: Sequence[Row]) -> list[str]:
    """The Markdown table of ``rows`` (anomalies: witnesses naming the device, then the
    organisation's total in brackets)."""
    lines = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)]
    for r in rows:
        runs = f"{r.runs} ({r.failed_runs})" if r.runs else "—"
        lines.append(
            f"| {r.name} | {r.program} | {_pct(r.agreement)} / {_pct(r.final_agreement)} | "
            f"{r.divergent} | {_pair(r.anomalies['duplicate'])} | "
            f"{_pair(r.anomalies['resurrected'])} | {_pair(r.anomalies['lost_flag_change'])} | "
            f"{_pair(r.anomalies['local_only'])} | ({r.unpropagated}) | {_pair(r.lost)} | "
            f"{_kb(r.bytes_down)} / {_kb(r.bytes_up)} | {r.connections} | {runs} | "
            f"{'valid' if r.valid else 'INVALID'} |")
    return lines


def stories(outcome: Outcome) -> list[str]:
    """The witnesses' stories for the device (a few per kind) and its lost mail."""
    s, dev = outcome.summary, outcome.setting.device
    out = []
    for kind in (*KINDS, "local_only"):
        found = witnesses(s, kind, dev)
        for w in found[:STORIES_PER_KIND]:
            out.append(f"- {kind} ({w.get('what', '')}): {w.get('story', '')}")
        if len(found) > STORIES_PER_KIND:
            out.append(f"- … and {len(found) - STORIES_PER_KIND} more {kind} witnesses")
    for e in lost_examples(s, dev)[:STORIES_PER_KIND]:
        out.append(f"- lost: {e.get('story', '')}")
    return out


def section(outcome: Outcome) -> list[str]:
    """The findings of one outcome: program, version, setting, errors, stories, command."""
    st = outcome.setting
    r = row(outcome)
    lines = [f"### {st.name} on {st.device}", "",
             f"{st.what}. Program: {r.program}, version: {outcome.version}; "
             f"the device's `client:` was `{_flow(st.client)}`."]
    if r.runs:
        lines.append("")
        lines.append(f"The program ran {r.runs} times; {r.failed_runs} runs failed.")
    for text, count in log_errors(outcome.log).most_common(5):
        lines.append(f"- log, {count}×: `{text[:200]}`")
    lines += [f"- `{text}` ({outcome.log.count(text)}× in the log) means: {meaning}."
              for text, meaning in KNOWN if text in outcome.log]
    told = stories(outcome)
    lines += ["", "Witnesses naming the device:" if told else
              "No anomaly witness and no lost message names the device.", *told, ""]
    began = f", started {outcome.started}" if outcome.started else ""
    lines += [f"Reproduce: `{outcome.command}` (run took {outcome.seconds:.0f} s{began})", ""]
    return lines


def _flow(value: Any) -> str:
    """A YAML flow rendering of a small mapping (for the reader, one line)."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def baseline(outcomes: Sequence[Outcome], device: str) -> Outcome | None:
    """The built-in client's outcome on ``device`` (the first one), if it ran."""
    return next((o for o in outcomes if o.setting.device == device
                 and not o.setting.client.get("external")), None)


def finding(outcome: Outcome, base: Outcome | None) -> str | None:
    """One line on what the program did wrong next to the built-in client, or None when it
    did nothing wrong: failed runs, anomalies or lost mail naming the device, or a lower
    final agreement than the built-in client's (by more than one point)."""
    r = row(outcome)
    said = []
    if base is not None:
        b = row(base)
        if r.final_agreement < b.final_agreement - 0.01:
            said.append(f"final agreement {_pct(r.final_agreement)} against "
                        f"{_pct(b.final_agreement)} with the built-in client")
        totals = [(k, r.anomalies[k][1], b.anomalies[k][1]) for k in r.anomalies]
        totals.append(("unpropagated", r.unpropagated, b.unpropagated))
        said += [f"the organisation's {kind} total {n} against {m} with the built-in client"
                 for kind, n, m in totals if n > m]
    same = row(base).anomalies if base is not None else {}
    said += [f"{n} {kind} witness(es) name the device"
             + (", as many as with the built-in client" if same.get(kind, (0,))[0] == n else "")
             for kind, (n, _) in r.anomalies.items() if n]
    if r.lost[0]:
        said.append(f"{r.lost[0]} lost message(s) name the device")
    if r.failed_runs:
        said.append(f"{r.failed_runs} of {r.runs} runs failed")
    if not said:
        return None
    errors = log_errors(outcome.log).most_common(1)
    told = stories(outcome)
    return (f"- **{r.program}** ({outcome.version}), setting `{r.name}` on {r.device}: "
            + "; ".join(said)
            + (f". Commonest log error: `{errors[0][0][:160]}`" if errors else "")
            + (f". First story: {told[0][2:]}" if told else "")
            + f". Reproduce: `{outcome.command}`")


def findings(outcomes: Sequence[Outcome]) -> list[str]:
    """The findings section: one line per real program's setting that did something wrong."""
    lines = ["## Findings", ""]
    for o in outcomes:
        if o.setting.client.get("external"):
            line = finding(o, baseline(outcomes, o.setting.device))
            lines.append(line or f"- **{o.setting.client['external']}** ({o.version}), "
                         f"setting `{o.setting.name}`: nothing wrong found in this run.")
    return [*lines, ""]


def document(outcomes: Sequence[Outcome], preamble: Sequence[str]) -> str:
    """The whole of docs/real-clients.md: preamble, findings, one table per device, then
    each setting's section."""
    lines = [*preamble, *findings(outcomes)]
    for device in dict.fromkeys(o.setting.device for o in outcomes):
        mine = [o for o in outcomes if o.setting.device == device]
        lines += [f"## {device}", "", *table([row(o) for o in mine]), ""]
    lines += ["## What each setting did", ""]
    for o in outcomes:
        lines += section(o)
    return "\n".join(lines).rstrip("\n") + "\n"
